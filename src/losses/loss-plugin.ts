/**
 * The loss plugin contract. A plugin describes one loss family; `create(params)` returns a
 * ready-to-use `Loss`. Built-ins and user plugins implement exactly this.
 */
import type * as tfTypes from '@tensorflow/tfjs';

/**
 * `sigmoid`: logits [N, C] with multi-hot float targets [N, C] (multi-label, detection
 * classification/objectness). `softmax`: logits [N, C] with integer class ids [N].
 */
export type LossKind = 'sigmoid' | 'softmax';
export type Reduction = 'sum' | 'mean' | 'none';
export type LossParamValue = number | boolean | string;
export type LossParams = Record<string, LossParamValue>;

export interface LossComputeOptions {
  /**
   * Per-element weights multiplied into the elementwise loss before reduction: shape [N, C] or
   * broadcastable to it for `sigmoid` losses, [N] for `softmax` losses.
   */
  weights?: tfTypes.Tensor;
  /** The reduced loss is divided by this (e.g. the number of positive locations in detection). */
  normalizer?: number | tfTypes.Scalar;
  /** Overrides the loss's own reduction. `none` returns the elementwise (sigmoid) or per-sample (softmax) tensor. */
  reduction?: Reduction;
}

export interface Loss {
  readonly name: string;
  readonly kind: LossKind;
  readonly params: Readonly<LossParams>;
  /**
   * @param logits  [N, C] raw scores.
   * @param targets sigmoid: [N, C] multi-hot (0/1 floats, soft targets allowed); softmax: [N] int32 class ids.
   * @returns a scalar unless the reduction is `none`.
   */
  compute(logits: tfTypes.Tensor, targets: tfTypes.Tensor, options?: LossComputeOptions): tfTypes.Tensor;
}

export interface LossPlugin<P extends LossParams = LossParams> {
  readonly name: string;
  readonly kind: LossKind;
  readonly description?: string;
  /**
   * The same loss in the other kind (sigmoid ↔ softmax), e.g. `bce` ↔ `ce`: `compare --losses`
   * trains a task of the other kind with it. Declaring it on either side of the pair is enough.
   */
  readonly counterpart?: string;
  /** Default parameters; also documents every parameter the loss accepts. */
  readonly defaults: Readonly<P>;
  /**
   * Merges `params` over `defaults` and checks them; throws an Error naming the bad parameter
   * (e.g. `asl: gammaNeg: expected a number >= 0, got -1`).
   */
  validate(params: Partial<LossParams>): P;
  create(params: P): Loss;
}
