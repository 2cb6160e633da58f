/**
 * The YOLOX head (Ge et al. 2021) as one DetectionHead: decoupled heads per level (head.ts),
 * objectness, the foreground chosen inside the loss (loss.ts) by an assigner from the injected
 * assigner registry (`taskOptions.assigner`; the built-in entries are below), bce classification
 * loss by default. A saved model needs no custom layer (SiLU is tfjs-layers' `swish`).
 *
 * Defaults: besides its own options, YOLOX changes the shared inference thresholds and the IoU-loss
 * weight (5). The assigner is the center prior, not YOLOX's SimOTA: on the short CPU schedule
 * SimOTA's matches, taken from a barely trained model's predictions, trained worse (measured, 2000
 * images x 2 epochs: AP50 0.066 with SimOTA, 0.108 with the center prior).
 */
import type { JsonObject } from '../../../../core/config';
import { integerIn, nonEmptyText, numberIn, oneOf, openObject, z } from '../../../../core/schema';
import type { Named, Registry } from '../../../../core/registry/registry';
import type { DetectionHead } from '../../head';
import type { DetectionOptions } from '../../options';
import type { BoxesToAssign } from '../../targets';
import { CenterPriorAssigner, pluginAssigner, type Assigner } from './assigner';
import { SimOtaAssigner } from './simota';
import { YOLOX_DECODER } from './decode';
import { buildYoloxHead, YOLOX_EXTRA_COLUMNS } from './head';
import { createObjectnessLoss, YoloxLoss } from './loss';

export const yoloxOptionsSchema = z.strictObject({
  towerConvs: integerIn({ min: 0 }).describe('conv3x3 + BN + SiLU blocks per branch (YOLOX: 2)'),
  centerSampleRadius: numberIn({ min: 0 }).describe("Radius (strides) of the `center-prior` assigner's centre region (> 0)"),
  assigner: nonEmptyText('an assigner name').describe(
    'How foreground locations are chosen, from the assigner registry. `simota` (YOLOX): from the predictions, dynamic k per box at the lowest cls + 3·IoU cost; `center-prior`: FCOS\'s static rule (inside the box and within centerSampleRadius strides of its centre, levelBounds by size)',
  ),
  clsTarget: oneOf(['iou', 'hard']).describe(
    "The classification target of a foreground location. `iou` (YOLOX): one-hot × the IoU of the location's predicted box with its box, a soft target; `hard`: one-hot, the target ASL and focal loss are designed for. Background locations never enter the classification loss",
  ),
  objLoss: nonEmptyText('a loss name (see `asl-run losses`)').describe('Loss of the objectness logit (target 1 on foreground, 0 on every other location), a sigmoid loss from the registry'),
  objLossParams: openObject().describe('Parameters of `objLoss` ({} = its defaults)'),
  objWeight: numberIn({ min: 0 }).describe('Weight of the objectness term (clsWeight and boxWeight weight the others)'),
});

export type YoloxOptions = DetectionOptions & Omit<z.output<typeof yoloxOptionsSchema>, 'objLossParams'> & { objLossParams: JsonObject };

/** YOLOX's own defaults and the shared ones it changes (its default classification loss is the head's `defaultLoss`). */
export const YOLOX_DEFAULTS: Readonly<JsonObject> = Object.freeze({
  towerConvs: 2,
  centerSampleRadius: 1.5,
  assigner: 'center-prior',
  clsTarget: 'iou',
  objLoss: 'bce',
  objLossParams: {},
  objWeight: 1,
  boxWeight: 5,
  scoreThreshold: 0.01,
  nmsThreshold: 0.65,
});

/** An assigner of the registry: `taskOptions.assigner` names it. */
export interface AssignerEntry extends Named {
  readonly description: string;
  /** The assigner of a run with these options; may throw a one-line error naming a bad option. */
  create(options: YoloxOptions): Assigner;
}

export const simOtaAssigner: AssignerEntry = {
  name: 'simota',
  description: "YOLOX's SimOTA: from the predictions, dynamic k per box at the lowest cls + 3·IoU cost",
  create: () => new SimOtaAssigner(),
};

export const centerPriorAssigner: AssignerEntry = {
  name: 'center-prior',
  description: "FCOS's static rule: inside the box, within centerSampleRadius strides of its centre, levelBounds by size",
  create: (options) => new CenterPriorAssigner(options.centerSampleRadius),
};

/** @param assigners the assigners `taskOptions.assigner` may name (built-ins: simota, center-prior). */
export function createYoloxHead(assigners: Registry<AssignerEntry>): DetectionHead {
  return {
    name: 'yolox',
    description: 'YOLOX: decoupled per-level heads, objectness, assignment in the loss (simota from the predictions, or the center prior)',
    defaultLoss: 'bce',
    optionsSchema: yoloxOptionsSchema,
    defaults: { ...YOLOX_DEFAULTS },
    checkOptions(options, problem) {
      const { assigner } = options as YoloxOptions;
      if (!assigners.has(assigner)) problem('assigner', `unknown assigner '${assigner}' (known: ${assigners.names().join(', ')})`);
    },
    extraColumns: YOLOX_EXTRA_COLUMNS,
    decoder: YOLOX_DECODER,
    buildHead: buildYoloxHead,
    /** The loader passes the boxes on: the assignment runs in the loss, where the predictions are. */
    trainingItem: () => (boxes): BoxesToAssign => boxes,
    createLoss({ criterion, losses, numClasses, grid, options }) {
      const yolox = options as YoloxOptions;
      const objCriterion = createObjectnessLoss(losses, yolox);
      const { component, source } = assigners.entry(yolox.assigner);
      const assigner = source === 'built-in' ? component.create(yolox) : pluginAssigner(component, source, yolox);
      return new YoloxLoss(criterion, objCriterion, assigner, numClasses, grid, yolox);
    },
  };
}
