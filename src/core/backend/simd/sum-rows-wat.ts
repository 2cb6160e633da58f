/**
 * WebAssembly text of the sum-rows unit of our SIMD module (see kernels-wat.ts): column sums of
 * blocks of rows, the reduction over a run of adjacent axes (x as [outer, rows, cols]) —
 * bias gradients, batch-norm statistics, global average pooling. Each column of a chunk of rows
 * is summed in order from zero, in registers (16 columns at a time, then 4, then 1), and divided
 * by `divisor` (1: none); a long reduction is two passes, chunks then the chunks' partial sums,
 * so every sum runs in a fixed order whatever the thread count, with less rounding than one long
 * running sum.
 *
 * Unit u covers chunk u % chunks of block u / chunks (chunks = ⌈rows / rowsPerChunk⌉):
 * dst[u, :] = Σ src[block, row, :] over the chunk's rows.
 * Params: src, dst, rows, cols, rowsPerChunk, divisor (a float32 bit pattern).
 */

import { add, get, mul, param, set } from './wat';

export const SUM_ROWS_PARAMS = 6;

/** One pass over the chunk's rows for the columns at byte offset `$e`, `lanes` vectors (0: one float) wide. */
function columnBlock(lanes: 0 | 1 | 4): string {
  const label = `block${lanes}`;
  const width = lanes === 0 ? 4 : 16 * lanes;
  const accumulators = lanes === 0 ? ['s'] : Array.from({ length: lanes }, (_, i) => `a${i}`);
  const [load, store, zero, addOp, div, divisor] =
    lanes === 0
      ? ['f32.load', 'f32.store', '(f32.const 0)', 'f32.add', 'f32.div', get('divisor')]
      : ['v128.load', 'v128.store', '(v128.const i32x4 0 0 0 0)', 'f32x4.add', 'f32x4.div', get('divisorV')];
  const offset = (i: number) => (i === 0 ? '' : `offset=${(width / accumulators.length) * i} `);
  const scaled = (name: string) => `(if (result ${lanes === 0 ? 'f32' : 'v128'}) ${get('divide')} (then (${div} ${get(name)} ${divisor})) (else ${get(name)}))`;
  return `(block $${label}_end (loop $${label} (br_if $${label}_end (i32.gt_u ${add(get('e'), `(i32.const ${width})`)} ${get('rowBytes')}))
      ${accumulators.map((a) => set(a, zero)).join(' ')}
      ${set('p', add(get('first'), get('e')))}
      (block $${label}_rows_end (loop $${label}_rows (br_if $${label}_rows_end (i32.ge_u ${get('p')} ${get('end')}))
        ${accumulators.map((a, i) => set(a, `(${addOp} ${get(a)} (${load} ${offset(i)}${get('p')}))`)).join(' ')}
        ${set('p', add(get('p'), get('rowBytes')))} (br $${label}_rows)))
      ${accumulators.map((a, i) => `(${store} ${offset(i)}${add(get('dst'), get('e'))} ${scaled(a)})`).join(' ')}
      ${set('e', add(get('e'), `(i32.const ${width})`))} (br $${label})))`;
}

export function sumRowsUnit(): string {
  return `(func $sum_rows_unit (param $u i32) (param $params i32)
    (local $chunks i32) (local $first i32) (local $end i32) (local $count i32) (local $rowBytes i32) (local $dst i32) (local $e i32) (local $p i32)
    (local $divide i32) (local $divisor f32) (local $divisorV v128) (local $s f32) (local $a0 v128) (local $a1 v128) (local $a2 v128) (local $a3 v128)
    ${set('chunks', `(i32.div_u ${add(param(2), `(i32.sub ${param(4)} (i32.const 1))`)} ${param(4)})`)}
    ${set('rowBytes', mul(param(3), '(i32.const 4)'))}
    ${set('dst', add(param(1), mul(get('u'), get('rowBytes'))))}
    ;; the chunk's rows [first, end) of block u / chunks, as byte pointers into src
    ${set('count', `(i32.mul (i32.rem_u ${get('u')} ${get('chunks')}) ${param(4)})`)}
    ${set('first', add(param(0), mul(add(mul(`(i32.div_u ${get('u')} ${get('chunks')})`, param(2)), get('count')), get('rowBytes'))))}
    ${set('count', `(i32.sub ${param(2)} ${get('count')})`)}
    (if (i32.gt_u ${get('count')} ${param(4)}) (then ${set('count', param(4))}))
    ${set('end', add(get('first'), mul(get('count'), get('rowBytes'))))}
    ${set('divisor', `(f32.load offset=20 ${get('params')})`)}
    ${set('divisorV', `(f32x4.splat ${get('divisor')})`)}
    ${set('divide', `(f32.ne ${get('divisor')} (f32.const 1))`)}
    ${set('e', '(i32.const 0)')}
    ${columnBlock(4)}
    ${columnBlock(1)}
    ${columnBlock(0)})`;
}
