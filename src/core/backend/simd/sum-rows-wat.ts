/**
 * WebAssembly text of the sum-rows unit of our SIMD module (see kernels-wat.ts): column sums of
 * blocks of rows, the reduction over a run of adjacent axes (x as [outer, rows, cols]) —
 * bias gradients, batch-norm statistics, global average pooling. A chunk of rows is summed in
 * order into its output row, which is then divided by `divisor` (1: none); a long reduction is
 * two passes, chunks then the chunks' partial sums, so every sum runs in a fixed order whatever
 * the thread count, with less rounding than one long running sum.
 *
 * Unit u covers chunk u % chunks of block u / chunks (chunks = ⌈rows / rowsPerChunk⌉):
 * dst[u, :] = Σ src[block, row, :] over the chunk's rows.
 * Params: src, dst, rows, cols, rowsPerChunk, divisor (a float32 bit pattern).
 */

import { add, get, mul, param, set, vectorThenScalar } from './wat';

export const SUM_ROWS_PARAMS = 6;

export function sumRowsUnit(): string {
  const at = (pointer: string) => add(get(pointer), get('e'));
  // The first row is copied, the others added, in order.
  const accumulate = (lanes: 'f32x4' | 'f32', load: string, store: string) =>
    `(${store} ${at('dst')} (if (result ${lanes === 'f32x4' ? 'v128' : 'f32'}) ${get('first')}
      (then (${load} ${at('row')}))
      (else (${lanes}.add (${load} ${at('dst')}) (${load} ${at('row')})))))`;
  const divide = (lanes: 'f32x4' | 'f32', load: string, store: string) =>
    `(${store} ${at('dst')} (${lanes}.div (${load} ${at('dst')}) ${lanes === 'f32x4' ? get('divisorV') : get('divisor')}))`;
  return `(func $sum_rows_unit (param $u i32) (param $params i32)
    (local $chunks i32) (local $row i32) (local $last i32) (local $rowBytes i32) (local $dst i32) (local $e i32) (local $first i32)
    (local $divisor f32) (local $divisorV v128)
    ${set('chunks', `(i32.div_u ${add(param(2), `(i32.sub ${param(4)} (i32.const 1))`)} ${param(4)})`)}
    ${set('rowBytes', mul(param(3), '(i32.const 4)'))}
    ${set('dst', add(param(1), mul(get('u'), get('rowBytes'))))}
    ;; rows [chunk·rowsPerChunk, …) of block u / chunks, as byte pointers into src
    ${set('last', `(i32.mul (i32.rem_u ${get('u')} ${get('chunks')}) ${param(4)})`)}
    ${set('row', add(param(0), mul(add(mul(`(i32.div_u ${get('u')} ${get('chunks')})`, param(2)), get('last')), get('rowBytes'))))}
    ${set('last', `(i32.sub ${param(2)} ${get('last')})`)}
    (if (i32.gt_u ${get('last')} ${param(4)}) (then ${set('last', param(4))}))
    ${set('last', add(get('row'), mul(get('last'), get('rowBytes'))))}
    ${set('first', '(i32.const 1)')}
    (block $rows_end (loop $rows (br_if $rows_end (i32.ge_u ${get('row')} ${get('last')}))
      ${set('e', '(i32.const 0)')}
      ${vectorThenScalar('sum', get('rowBytes'), accumulate('f32x4', 'v128.load', 'v128.store'), accumulate('f32', 'f32.load', 'f32.store'))}
      ${set('first', '(i32.const 0)')}
      ${set('row', add(get('row'), get('rowBytes')))} (br $rows)))
    ${set('divisor', `(f32.load offset=20 ${get('params')})`)}
    (if (f32.ne ${get('divisor')} (f32.const 1)) (then
      ${set('divisorV', `(f32x4.splat ${get('divisor')})`)}
      ${set('e', '(i32.const 0)')}
      ${vectorThenScalar('divide', get('rowBytes'), divide('f32x4', 'v128.load', 'v128.store'), divide('f32', 'f32.load', 'f32.store'))})))`;
}
