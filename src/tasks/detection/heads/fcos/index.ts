/**
 * The FCOS head (Tian et al. 2019) as one DetectionHead: its own options, its layers, its row
 * decoding, target assignment in the training loader (center sampling, level ranges; targets.ts)
 * and its loss terms (loss.ts); focal loss by default. The head, shared across levels:
 *   classification tower: towerConvs x (conv3x3 → GroupNorm → ReLU) → conv3x3 → C logits
 *   regression tower:     towerConvs x (conv3x3 → GroupNorm → ReLU) → conv3x3 → 4 → LevelScale
 *                         (log-distances in strides), and conv3x3 → 1 centerness logit
 * Per location the columns are C class logits, 4 log-ltrb (stride units), 1 centerness logit.
 * Saved models use the custom layer `FcosLevelScale` (registerDetectionLayers). The towers are
 * narrow (2 convs instead of FCOS's 4, on the shared 32 channels) so that the default run fits
 * 15 minutes on a 2-core CPU.
 */
import { tf } from '../../../../core/tf';
import { integerIn, numberIn, z } from '../../../../core/schema';
import { applyLayer } from '../../../../backbones/backbone';
import { GroupNormalization } from '../../../../backbones/group-norm';
import type { DetectionHead, HeadModelInput } from '../../head';
import type { DetectionOptions } from '../../options';
import { LevelScale } from '../../level-scale';
import { decodeBox } from '../../box-coding';
import { sigmoid, type RowDecoder } from '../../postprocess';
import { assignTargets, type FcosTargets } from '../../targets';
import { BOX_COLUMNS, FCOS_EXTRA_COLUMNS, FcosLoss } from './loss';

export const fcosOptionsSchema = z.strictObject({
  towerConvs: integerIn({ min: 0 }).describe('conv3x3 + GroupNorm + ReLU blocks per tower (FCOS: 4)'),
  groupNormGroups: integerIn({ min: 1 }).describe('GroupNorm groups in the towers; must divide `channels`'),
  centerSampleRadius: numberIn({ min: 0 }).describe('Center sampling: a location is a positive candidate only within radius x stride of the box centre (0 disables)'),
  centernessWeight: numberIn({ min: 0 }).describe('Weight of the centerness term'),
});

export type FcosOptions = DetectionOptions & z.output<typeof fcosOptionsSchema>;

export const FCOS_DEFAULTS: Readonly<z.output<typeof fcosOptionsSchema>> = Object.freeze({
  towerConvs: 2,
  groupNormGroups: 8,
  centerSampleRadius: 1.5,
  centernessWeight: 1,
});

export function checkFcosOptions(options: DetectionOptions, problem: (key: string, message: string) => void): void {
  const { channels, groupNormGroups } = options as FcosOptions;
  if (channels % groupNormGroups !== 0) problem('groupNormGroups', `must divide channels (${channels}), got ${groupNormGroups}`);
}

// FCOS initialises the head convs from N(0, 0.01) with zero biases.
const headInit = () => tf.initializers.randomNormal({ mean: 0, stddev: 0.01 });

function headConv(filters: number, name: string, biasInitializer: ReturnType<typeof tf.initializers.zeros> = tf.initializers.zeros()): tf.layers.Layer {
  return tf.layers.conv2d({ filters, kernelSize: 3, padding: 'same', kernelInitializer: headInit(), biasInitializer, name });
}

/** A tower's layers, created once and applied to every level (shared weights). */
function towerLayers(prefix: string, options: FcosOptions): tf.layers.Layer[] {
  const layers: tf.layers.Layer[] = [];
  for (let i = 0; i < options.towerConvs; i++) {
    layers.push(
      headConv(options.channels, `${prefix}${i}_conv`),
      new GroupNormalization({ groups: options.groupNormGroups, name: `${prefix}${i}_gn` }),
      tf.layers.reLU({ name: `${prefix}${i}_relu` }),
    );
  }
  return layers;
}

/** The FCOS head's per-level maps [B, h_i, w_i, C + 5]. */
export function buildFcosHead({ features, strides, numClasses, options: shared }: HeadModelInput): tf.SymbolicTensor[] {
  const options = shared as FcosOptions;
  const clsTower = towerLayers('head_cls', options);
  const regTower = towerLayers('head_reg', options);
  const prior = options.priorProbability;
  const clsLogits = headConv(numClasses, 'head_cls_logits', tf.initializers.constant({ value: -Math.log((1 - prior) / prior) }));
  const boxRegression = headConv(BOX_COLUMNS, 'head_box');
  const centernessLogit = headConv(1, 'head_centerness');
  return features.map((feature, i) => {
    const level = Math.round(Math.log2(strides[i]));
    const cls = clsTower.reduce((x, layer) => applyLayer(layer, x), feature);
    const reg = regTower.reduce((x, layer) => applyLayer(layer, x), feature);
    const box = applyLayer(new LevelScale({ name: `head_scale${level}` }), applyLayer(boxRegression, reg));
    return applyLayer(tf.layers.concatenate({ axis: -1, name: `head_out${level}` }), [applyLayer(clsLogits, cls), box, applyLayer(centernessLogit, reg)]);
  });
}

/** FCOS: score = sqrt(σ(class logit) · σ(centerness logit)), boxes from log-ltrb distances. */
export const FCOS_DECODER: RowDecoder = {
  scores(rows, row, numClasses, scores) {
    const ctr = sigmoid(rows[row + numClasses + 4]);
    for (let c = 0; c < numClasses; c++) scores[c] = Math.sqrt(sigmoid(rows[row + c]) * ctr);
  },
  corners(rows, row, numClasses, grid, k, out) {
    decodeBox(rows, row + numClasses, grid.x[k], grid.y[k], grid.stride[k], out, 0);
  },
};

export const fcosHead: DetectionHead = {
  name: 'fcos',
  description: 'FCOS: towers shared across levels, centerness, static assignment (center sampling, level ranges)',
  // bce leads focal at short budgets (README, Choosing the detection default), as in torchvision's FCOS.
  defaultLoss: 'bce',
  optionsSchema: fcosOptionsSchema,
  defaults: { ...FCOS_DEFAULTS },
  checkOptions: checkFcosOptions,
  extraColumns: FCOS_EXTRA_COLUMNS,
  decoder: FCOS_DECODER,
  buildHead: buildFcosHead,
  /** FCOS assigns its targets in the loader, off the training step. */
  trainingItem(grid, options) {
    const radius = (options as FcosOptions).centerSampleRadius;
    return (boxes): FcosTargets => assignTargets(grid, boxes, radius);
  },
  createLoss: ({ criterion, numClasses, options }) => new FcosLoss(criterion, numClasses, options as FcosOptions),
};
