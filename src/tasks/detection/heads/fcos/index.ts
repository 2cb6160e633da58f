/**
 * The FCOS head (Tian et al. 2019) as one DetectionHead: towers shared across levels, a centerness
 * branch, static assignment in the training loader (center sampling, level ranges), focal loss by
 * default. Saved models use the custom layer `FcosLevelScale` (registerDetectionLayers).
 */
import type { DetectionHead } from '../../head';
import { decodeBox } from '../../box-coding';
import { sigmoid, type RowDecoder } from '../../postprocess';
import { assignTargets, type FcosTargets } from '../../targets';
import { buildFcosHead, FCOS_EXTRA_COLUMNS } from './model';
import { checkFcosOptions, FCOS_DEFAULTS, fcosOptionsSchema, type FcosOptions } from './options';
import { FcosLoss } from './loss';

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
  defaultLoss: 'focal',
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
