/**
 * WebAssembly text of the repeat-rows unit of our SIMD module (see kernels-wat.ts): a broadcast
 * copy out[o, r, :] = src[o, :] for `outer` blocks of `rows` rows of `cols` 4-byte values —
 * Tile's and a reduction gradient's broadcast, without multiplying by a tensor of ones.
 *
 * Unit u covers output rows t = o·rows + r in [u·rowsPerUnit, min(outer·rows, (u+1)·rowsPerUnit)).
 * Params: src, out, outer, rows, cols, rowsPerUnit.
 */

import { add, get, mul, param, set, vectorThenScalar } from './wat';

export const REPEAT_ROWS_PARAMS = 6;

export function repeatRowsUnit(): string {
  const copy = (load: string, store: string) => `(${store} ${add(get('out'), get('e'))} (${load} ${add(get('src'), get('e'))}))`;
  return `(func $repeat_rows_unit (param $u i32) (param $params i32)
    (local $src i32) (local $out i32) (local $t i32) (local $last i32) (local $rowBytes i32) (local $e i32)
    ${set('rowBytes', mul(param(4), '(i32.const 4)'))}
    ${set('t', mul(get('u'), param(5)))}
    ${set('last', add(get('t'), param(5)))}
    (if (i32.gt_u ${get('last')} ${mul(param(2), param(3))}) (then ${set('last', mul(param(2), param(3)))}))
    ${set('out', add(param(1), mul(get('t'), get('rowBytes'))))}
    (block $rows_end (loop $rows (br_if $rows_end (i32.ge_u ${get('t')} ${get('last')}))
      ${set('src', add(param(0), mul(`(i32.div_u ${get('t')} ${param(3)})`, get('rowBytes'))))}
      ${set('e', '(i32.const 0)')}
      ${vectorThenScalar('repeat', get('rowBytes'), copy('v128.load', 'v128.store'), copy('f32.load', 'f32.store'))}
      ${set('out', add(get('out'), get('rowBytes')))}
      ${set('t', add(get('t'), '(i32.const 1)'))} (br $rows))))`;
}
