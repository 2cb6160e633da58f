/**
 * YOLOX's own options (besides the shared ones of ../options.ts), their defaults, and the shared
 * defaults YOLOX changes: its inference thresholds and IoU-loss weight (5). Its default
 * classification loss (bce) is the head's `defaultLoss`. The assigner is the center prior, not
 * YOLOX's SimOTA: on the short CPU schedule SimOTA's matches, taken from a barely trained model's
 * predictions, trained worse (measured, 2000 images x 2 epochs: AP50 0.066 with SimOTA, 0.108
 * with the center prior).
 */
import type { JsonObject } from '../../../../core/config';
import { integerIn, nonEmptyText, numberIn, oneOf, openObject, z } from '../../../../core/schema';
import type { DetectionOptions } from '../../options';

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

/** YOLOX's own defaults and the shared ones it changes. */
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
