/**
 * A detection head: everything that differs between detectors on the shared backbone + FPN, in
 * one module. The detection task (index.ts) resolves the head named by `taskOptions.head` from the
 * head registry and asks it for its defaults, its options, its layers on the pyramid, its output
 * layout and decoding, the loader's per-image training item and the loss terms; it never branches
 * on a head's name. Built-ins: heads/fcos/ and heads/yolox/; a `--plugin` file registers more
 * through `api.detectionHeads.register(head)` (checked by head-contract.ts).
 *
 * The package exports this module as `detection` (`const { detection } = require('asl-run')`):
 * with the types, a head's author gets zod with the option helpers whose errors read like
 * asl-run's own, and the pieces the built-in heads are made of (the center-prior assignment and
 * its packed targets, box coding, GIoU). examples/plugins/custom-detection-head.js is a complete head.
 *
 * Output layout: the model's output is [B, L, C + extraColumns], L = the locations of the grid
 * (locations.ts) in its order; per location the C class logits come first, then the head's
 * `extraColumns` columns, which only its decoder and loss read.
 */
import type { tf } from '../../core/tf';
import type { JsonObject } from '../../core/config';
import type { Named } from '../../core/registry/registry';
import type { LossTerms } from '../../core/engine/task';
import type { LossRegistry } from '../../core/registry/loss-registry';
import type { Loss } from '../../losses/loss-plugin';
import type { z } from '../../core/schema';
import type { LocationGrid } from './locations';
import type { BoxesToAssign } from './targets';
import type { RowDecoder } from './postprocess';
import type { DetectionOptions } from './options';

/** What a head builds its layers on. */
export interface HeadModelInput {
  /** The FPN maps [B, h_i, w_i, channels], one per level of `strides`. */
  features: tf.SymbolicTensor[];
  strides: number[];
  numClasses: number;
  /** The run's detection options: the shared ones and this head's own. */
  options: DetectionOptions;
}

/** What a head's loss is created with, once per run. */
export interface HeadLossContext {
  grid: LocationGrid;
  numClasses: number;
  options: DetectionOptions;
  /** The run's classification loss (`--loss`), already checked to be a sigmoid loss. */
  criterion: Loss;
  /** The loss registry, for heads with more losses than the classification one (YOLOX's objectness). */
  losses: LossRegistry;
}

/** A head's training loss of the model output, on the loader's items of a batch. */
export interface HeadLoss {
  /**
   * Optional: read what `loss` needs of the predictions, before the tape, on a backend that reads
   * back only asynchronously (see TaskAdapter.prepareStep); `loss` then uses it for these items.
   * @param outputs [B, L, C + extraColumns] of the model on the batch, as the taped step will compute them
   */
  prepare?(outputs: tf.Tensor3D, items: readonly unknown[]): Promise<void>;
  /**
   * Called inside the gradient tape.
   * @param outputs [B, L, C + extraColumns]
   * @param items the head's training items (trainingItem's), one per image
   */
  loss(outputs: tf.Tensor3D, items: readonly unknown[]): LossTerms;
  /** Optional per-step diagnostics (outside the tape), e.g. positives per image. */
  diagnostics?(outputs: tf.Tensor3D, items: readonly unknown[]): Record<string, number>;
}

export interface DetectionHead extends Named {
  readonly description: string;
  /** The classification loss (`--loss`) a run of this head defaults to, e.g. FCOS focal, YOLOX bce. */
  readonly defaultLoss: string;
  /**
   * This head's own options: keys besides the shared ones (options.ts), each with its range and
   * description; the task checks `{ shared ∪ own }` strictly, so keys of other heads are unknown here.
   */
  readonly optionsSchema: z.ZodObject;
  /** Defaults of every own option, plus the shared defaults this head changes (e.g. YOLOX's thresholds). */
  readonly defaults: JsonObject;
  /** Optional relations between options that one key's range cannot say (FCOS: groupNormGroups divides channels). */
  checkOptions?(options: DetectionOptions, problem: (key: string, message: string) => void): void;
  /** Columns per location after the C class logits (FCOS: 4 box + 1 centerness). */
  readonly extraColumns: number;
  /** How a row becomes class scores and a box, for evaluation and `predict`. */
  readonly decoder: RowDecoder;
  /**
   * The head's layers on the pyramid, created inside the run's seeded scope: one map
   * [B, h_i, w_i, C + extraColumns] per level, in the order of `input.features`. Layer names
   * must be unique within the model (they are how a saved model's weights are found).
   */
  buildHead(input: HeadModelInput): tf.SymbolicTensor[];
  /**
   * The training loader's per-image function: from the boxes that survived the augmentation
   * (network pixels) to what the loss reads for that image (FCOS: its assigned targets; YOLOX: the boxes).
   */
  trainingItem(grid: LocationGrid, options: DetectionOptions): (boxes: BoxesToAssign) => unknown;
  /** The loss terms of a run; may throw a one-line error naming a bad option (e.g. an unknown assigner). */
  createLoss(context: HeadLossContext): HeadLoss;
}

// What a head author needs besides the types above.
export type { DetectionOptions } from './options';
export type { RowDecoder } from './postprocess';
export type { LocationGrid, LevelRange } from './locations';
export type { BoxesToAssign, FcosTargets } from './targets';
export type { PackedTargets } from './heads/fcos/loss';
export type { Assigner, AssignerInput } from './heads/yolox/assigner';
export type { AssignerEntry } from './heads/yolox';

export { z, integerIn, numberIn, oneOf } from '../../core/schema';
export { sharedOptionsShape, SHARED_DEFAULTS } from './options';
/** FCOS's static rule (inside the box, center sampling, level ranges) → per-location labels, ltrb targets and centerness. */
export { assignTargets, IGNORED, NEGATIVE } from './targets';
/** A batch of assignTargets' targets as flat arrays over its B·L locations. */
export { packTargets } from './heads/fcos/loss';
export { decodeBox, encodeBox, MAX_LOG_DISTANCE } from './box-coding';
export { giouLoss } from './giou';
export { sigmoid } from './postprocess';
export { checkDetectionHead } from './head-contract';
