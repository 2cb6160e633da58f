/**
 * WebAssembly text of the bias-add unit of our SIMD module (see kernels-wat.ts):
 * out[r, c] = x[r, c] + bias[c] for rows of `channels` floats — a convolution's or dense layer's
 * bias, added in one pass per row.
 *
 * Unit u covers rows [u·rowsPerUnit, min(rows, (u+1)·rowsPerUnit)).
 * Params: x, bias, out (float32 data), rows, channels, rowsPerUnit.
 */

import { add, get, mul, param, set, vectorThenScalar } from './wat';

export const BIAS_ADD_PARAMS = 6;

export function biasAddUnit(): string {
  const sum = (load: string, op: string) => `(${op} (${load} ${add(get('x'), get('e'))}) (${load} ${add(get('bias'), get('e'))}))`;
  return `(func $bias_add_unit (param $u i32) (param $params i32)
    (local $x i32) (local $bias i32) (local $out i32) (local $row i32) (local $last i32) (local $rowBytes i32) (local $e i32)
    ${set('bias', param(1))}
    ${set('rowBytes', mul(param(4), '(i32.const 4)'))}
    ${set('row', mul(get('u'), param(5)))}
    ${set('last', add(get('row'), param(5)))}
    (if (i32.gt_u ${get('last')} ${param(3)}) (then ${set('last', param(3))}))
    ${set('x', add(param(0), mul(get('row'), get('rowBytes'))))}
    ${set('out', add(param(2), mul(get('row'), get('rowBytes'))))}
    (block $rows_end (loop $rows (br_if $rows_end (i32.ge_u ${get('row')} ${get('last')}))
      ${set('e', '(i32.const 0)')}
      ${vectorThenScalar(
        'bias',
        get('rowBytes'),
        `(v128.store ${add(get('out'), get('e'))} ${sum('v128.load', 'f32x4.add')})`,
        `(f32.store ${add(get('out'), get('e'))} ${sum('f32.load', 'f32.add')})`,
      )}
      ${set('x', add(get('x'), get('rowBytes')))} ${set('out', add(get('out'), get('rowBytes')))}
      ${set('row', add(get('row'), '(i32.const 1)'))} (br $rows))))`;
}
