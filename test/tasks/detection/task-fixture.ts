/**
 * The detection task over the built-in heads, wired as the composition root wires it but with the
 * losses a test chooses, and the built-in heads themselves, for tests that use them directly.
 */
import { Registry } from '../../../src/core/registry/registry';
import type { LossRegistry } from '../../../src/core/registry/loss-registry';
import { createDetectionTask } from '../../../src/tasks/detection';
import type { DetectionHead } from '../../../src/tasks/detection/head';
import { fcosHead } from '../../../src/tasks/detection/heads/fcos';
import { createYoloxHead } from '../../../src/tasks/detection/heads/yolox';
import { centerPriorAssigner, simOtaAssigner, type AssignerEntry } from '../../../src/tasks/detection/heads/yolox';
import { components } from '../../components';

const root = components();
export const { backbones, datasets } = root;

export const yoloxHead = createYoloxHead(new Registry<AssignerEntry>('assigner', 'taskOptions.assigner', [simOtaAssigner, centerPriorAssigner]));

export function builtinHeads(): Registry<DetectionHead> {
  return new Registry<DetectionHead>('detection head', 'taskOptions.head', [fcosHead, yoloxHead]);
}

/** The detection task over `heads` (default: the built-ins), its losses from `losses`. */
export function detectionTaskWith(losses: LossRegistry, heads = builtinHeads()) {
  return createDetectionTask({ losses, backbones, datasets, heads });
}
