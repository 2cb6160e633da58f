/**
 * The YOLOX head (Ge et al. 2021) as one DetectionHead: decoupled heads per level, objectness, the
 * foreground chosen inside the loss by an assigner from the injected assigner registry
 * (`taskOptions.assigner`), bce classification loss by default. A saved model needs no custom
 * layer (SiLU is tfjs-layers' `swish`).
 */
import type { Registry } from '../../../../core/registry/registry';
import type { DetectionHead } from '../../head';
import type { BoxesToAssign } from '../../targets';
import type { AssignerEntry } from './assigners';
import { YOLOX_DECODER } from './decode';
import { buildYoloxHead, YOLOX_EXTRA_COLUMNS } from './head';
import { createObjectnessLoss, YoloxLoss } from './loss';
import { YOLOX_DEFAULTS, yoloxOptionsSchema, type YoloxOptions } from './options';

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
      const assigner = assigners.get(yolox.assigner).create(yolox);
      return new YoloxLoss(criterion, objCriterion, assigner, numClasses, grid, yolox);
    },
  };
}
