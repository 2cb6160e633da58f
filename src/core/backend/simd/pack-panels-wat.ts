/**
 * WebAssembly text of the pack-panels unit of our SIMD module (see kernels-wat.ts): a filter
 * W[taps, co] copied into the GEMM's packed B panels, [⌈columns/8⌉][depth][8] with zeros past the
 * last column — as B = W (depth = taps, columns = co) or, transposed, B = Wᵀ (depth = co,
 * columns = taps). Runs on every forward convolution and input gradient, where packing in
 * JavaScript cost about 1 ms of the reference CNN's step.
 *
 * Unit u packs 8-column block u. Params: w, out, taps, co, transposed (0 or 1).
 */

import { add, get, mul, param, set } from './wat';

export const PACK_PANELS_PARAMS = 5;

export function packPanelsUnit(): string {
  const stride = (name: string, bytes: string) => set(name, mul(bytes, '(i32.const 4)'));
  return `(func $pack_panels_unit (param $u i32) (param $params i32)
    (local $depth i32) (local $columns i32) (local $k i32) (local $j i32) (local $col i32) (local $out i32)
    (local $kStride i32) (local $colStride i32) (local $value f32)
    ;; w[k, col] at k·kStride + col·colStride bytes: W (kStride = 4·co, colStride = 4) or Wᵀ (4, 4·co)
    (if ${param(4)}
      (then ${set('depth', param(3))} ${set('columns', param(2))} ${stride('kStride', '(i32.const 1)')} ${stride('colStride', param(3))})
      (else ${set('depth', param(2))} ${set('columns', param(3))} ${stride('kStride', param(3))} ${stride('colStride', '(i32.const 1)')}))
    ${set('out', add(param(1), mul(mul(get('u'), get('depth')), '(i32.const 32)')))}
    ${set('k', '(i32.const 0)')}
    (block $k_end (loop $k_loop (br_if $k_end (i32.ge_u ${get('k')} ${get('depth')}))
      ${set('j', '(i32.const 0)')}
      (block $j_end (loop $j_loop (br_if $j_end (i32.ge_u ${get('j')} (i32.const 8)))
        ${set('col', add(mul(get('u'), '(i32.const 8)'), get('j')))}
        ${set('value', '(f32.const 0)')}
        (if (i32.lt_u ${get('col')} ${get('columns')})
          (then ${set('value', `(f32.load ${add(param(0), add(mul(get('k'), get('kStride')), mul(get('col'), get('colStride'))))})`)}))
        (f32.store ${add(get('out'), mul(get('j'), '(i32.const 4)'))} ${get('value')})
        ${set('j', add(get('j'), '(i32.const 1)'))} (br $j_loop)))
      ${set('out', add(get('out'), '(i32.const 32)'))}
      ${set('k', add(get('k'), '(i32.const 1)'))} (br $k_loop))))`;
}
