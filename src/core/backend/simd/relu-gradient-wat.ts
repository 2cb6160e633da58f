/**
 * WebAssembly text of the ReLU-gradient unit of our SIMD module (see kernels-wat.ts):
 * out = dy where x > 0, else 0 — as PyTorch's threshold_backward, so a masked position is 0
 * even where dy is not finite — and NaN where x is NaN (tfjs's step(NaN) is NaN).
 *
 * Unit u covers elements [u·chunk, min(count, (u+1)·chunk)).
 * Params: dy, x, out (float32 data), count, chunk.
 */

import { add, get, param, vectorThenScalar } from './wat';

export const RELU_GRADIENT_PARAMS = 5;

const at = (base: string) => add(get(base), get('e'));

export function reluGradientUnit(): string {
  // Vectors: (dy & (x > 0)) | (x & (x ≠ x)); scalars: the same with branches.
  const vector = `(v128.or
      (v128.and (v128.load ${at('dy')}) (f32x4.gt (local.tee $xv (v128.load ${at('x')})) (v128.const i32x4 0 0 0 0)))
      (v128.and (local.get $xv) (f32x4.ne (local.get $xv) (local.get $xv))))`;
  const scalar = `(if (result f32) (f32.ne (local.tee $xs (f32.load ${at('x')})) (local.get $xs))
      (then (local.get $xs))
      (else (select (f32.load ${at('dy')}) (f32.const 0) (f32.gt (local.get $xs) (f32.const 0)))))`;
  return `(func $relu_gradient_unit (param $u i32) (param $params i32)
    (local $dy i32) (local $x i32) (local $out i32) (local $e i32) (local $end i32) (local $chunkBytes i32) (local $xs f32) (local $xv v128)
    (local.set $dy ${param(0)}) (local.set $x ${param(1)}) (local.set $out ${param(2)})
    (local.set $chunkBytes (i32.mul ${param(4)} (i32.const 4)))
    (local.set $e (i32.mul (local.get $u) (local.get $chunkBytes)))
    (local.set $end (i32.mul ${param(3)} (i32.const 4)))
    (if (i32.gt_u (local.get $end) (i32.add (local.get $e) (local.get $chunkBytes)))
      (then (local.set $end (i32.add (local.get $e) (local.get $chunkBytes)))))
    ${vectorThenScalar('gradient', get('end'), `(v128.store ${at('out')} ${vector})`, `(f32.store ${at('out')} ${scalar})`)})`;
}
