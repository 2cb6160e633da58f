/**
 * The contract between the task-agnostic engine and a task (multi-label, single-label,
 * detection). The task owns the model's head, target encoding, loss call and evaluation; the
 * engine owns the loop, optimiser, schedule, EMA, checkpoints and logging.
 */
import type { tf } from '../tf';
import type { ImageRecord } from '../data/records';

/** A batch of images in NHWC float32 with the task's per-item targets. */
export interface Batch<Item> {
  images: Float32Array;
  shape: [number, number, number, number];
  items: Item[];
  /** The records the images came from (file paths for predictions). */
  records: readonly ImageRecord[];
}

export interface BatchSource<Item> {
  /** Number of batches one epoch yields. */
  readonly batchesPerEpoch: number;
  /** The batches of `epoch` in their deterministic order, starting at `startBatch` (for resumes). */
  batches(epoch: number, startBatch?: number): AsyncIterable<Batch<Item>>;
}

/** Scalar metrics by name (e.g. mAP, top1, AP50), plus any structured extras. */
export type Metrics = Record<string, unknown>;

export interface LossTerms {
  /** What the optimiser minimises. */
  total: tf.Scalar;
  /** Named components, logged per step (e.g. cls, box, centerness). */
  parts: Record<string, tf.Scalar>;
}

export interface TaskAdapter<Item> {
  /** `multilabel`, `singlelabel`, `detection`. */
  readonly name: string;
  readonly model: tf.LayersModel;
  /**
   * Optional, for a loss whose targets depend on the model's own predictions (YOLOX's
   * assignment): called before the taped step on a backend that reads back only asynchronously,
   * with `forward`, which runs the model on the batch exactly as the step will (training mode,
   * the step's seed) and leaves its state (batch-norm statistics) untouched. The adapter reads
   * what it needs and keeps it for `loss`; elsewhere `loss` reads the outputs in the tape itself.
   */
  prepareStep?(batch: Batch<Item>, forward: () => tf.Tensor | tf.Tensor[]): Promise<void>;
  /**
   * The training loss of one batch, called inside the gradient tape.
   * @param outputs the model's outputs for `batch.images` in training mode.
   */
  loss(outputs: tf.Tensor | tf.Tensor[], batch: Batch<Item>): LossTerms;
  /**
   * Optional per-step diagnostics from the same outputs (called in the tape; no gradient flows
   * from them), e.g. the mean predicted probability of positives and negatives (the paper's
   * probability analysis). Scalar tensors are read back with the step's loss in one read.
   */
  diagnostics?(outputs: tf.Tensor | tf.Tensor[], batch: Batch<Item>): Record<string, number | tf.Scalar>;
  /**
   * Optional: called after each applied update with that step's diagnostics; returns values to
   * log with the step (e.g. an adapted loss parameter).
   */
  afterStep?(diagnostics: Record<string, number>): Record<string, number>;
  /** Optional task state that must survive a resume (saved in the checkpoint as JSON). */
  state?(): unknown;
  restoreState?(state: unknown): void;
  /** Evaluates the model as it is now on the validation split. */
  evaluate(): Promise<Metrics>;
  /**
   * Optional: files (name → JSON value) with the details of the last `evaluate()`, which `asl-run
   * eval` writes into the run folder (detection: the detections in the COCO results format).
   */
  evaluationFiles?(): Record<string, unknown>;
}
