/**
 * A one-input op with a hand-written gradient, on top of `tf.customGrad`. The forward pass hands
 * the tensors its gradient needs over by name; the engine keeps them (only while a gradient tape
 * is recording) until the backward pass, which reads them back by the same names.
 *
 * Fusing a loss this way replaces the dozens of small kernels that autodiff would record with the
 * few of a closed-form gradient; at loss sizes per-kernel dispatch dominates on wasm.
 */
import { tf } from '../core/tf';

/** Tensors saved for the backward pass; `undefined` entries are skipped. */
export type SavedTensors = Record<string, tf.Tensor | undefined>;

export interface FusedForward<S extends SavedTensors> {
  value: tf.Tensor;
  saved: S;
}

/**
 * @param forward computes the value from the input and names what the gradient needs.
 * @param backward returns d(output)/d(input) · dy, shaped like the input.
 * @returns the op; its gradient flows to the one input only.
 */
export function fusedOp<S extends SavedTensors>(
  forward: (x: tf.Tensor) => FusedForward<S>,
  backward: (dy: tf.Tensor, saved: S) => tf.Tensor,
): (x: tf.Tensor) => tf.Tensor {
  const op = tf.customGrad((x, save) => {
    const { value, saved } = forward(x as tf.Tensor);
    const names = Object.keys(saved).filter((name) => saved[name] !== undefined);
    (save as tf.GradSaveFunc)(names.map((name) => saved[name] as tf.Tensor));
    return {
      value,
      gradFunc: (dy: tf.Tensor, kept: tf.Tensor[]) => backward(dy, Object.fromEntries(names.map((name, i) => [name, kept[i]])) as S),
    };
  });
  return (x) => op(x);
}
