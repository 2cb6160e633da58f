/** The detection task and its built-in heads as the composition root wires them, for tests that use them directly. */
import { Registry } from '../../../src/core/registry/registry';
import type { LossRegistry } from '../../../src/core/registry/loss-registry';
import { createBackbone } from '../../../src/backbones/registry';
import { createDetectionTask } from '../../../src/tasks/detection';
import type { DetectionHead } from '../../../src/tasks/detection/head';
import { fcosHead } from '../../../src/tasks/detection/fcos';
import { createYoloxHead } from '../../../src/tasks/detection/yolox';
import { centerPriorAssigner, type AssignerEntry } from '../../../src/tasks/detection/yolox/assigner';
import { simOtaAssigner } from '../../../src/tasks/detection/yolox/simota';

export const backbones = { create: createBackbone };

export function builtinAssigners(): Registry<AssignerEntry> {
  return new Registry<AssignerEntry>('assigner', 'taskOptions.assigner', [simOtaAssigner, centerPriorAssigner]);
}

export const yoloxHead = createYoloxHead(builtinAssigners());

export function builtinHeads(): Registry<DetectionHead> {
  return new Registry<DetectionHead>('detection head', '--head', [fcosHead, yoloxHead]);
}

/** The detection task over the built-in heads, its losses from `losses`. */
export function detectionTaskWith(losses: LossRegistry, heads = builtinHeads()) {
  return createDetectionTask({ losses, backbones, heads });
}
