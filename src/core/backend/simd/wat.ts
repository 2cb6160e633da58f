/**
 * Small builders for the WebAssembly text of our SIMD module (kernels-wat.ts and the unit files
 * beside it): locals, i32 arithmetic, unit params, and the vector-then-scalar loop every pass
 * over a run of floats uses.
 */

export const get = (name: string) => `(local.get $${name})`;
export const set = (name: string, value: string) => `(local.set $${name} ${value})`;
export const add = (a: string, b: string) => `(i32.add ${a} ${b})`;
export const mul = (a: string, b: string) => `(i32.mul ${a} ${b})`;
export const num = (n: number) => `(i32.const ${n})`;
export const locals = (names: string[], type: string) => names.map((n) => `(local $${n} ${type})`).join(' ');
/** The i-th i32 of a unit's params block (local `$params`). */
export const param = (i: number) => `(i32.load offset=${4 * i} ${get('params')})`;

/**
 * Byte offsets `$e` from its current value up to `end`: `vector` for each whole 16 bytes, then
 * `scalar` for each remaining 4. Labels are prefixed with `label` so several loops can share a
 * function.
 */
export function vectorThenScalar(label: string, end: string, vector: string, scalar: string): string {
  return `(block $${label}_vec_end (loop $${label}_vec (br_if $${label}_vec_end (i32.gt_u ${add(get('e'), num(16))} ${end}))
      ${vector}
      ${set('e', add(get('e'), num(16)))} (br $${label}_vec)))
    (block $${label}_tail_end (loop $${label}_tail (br_if $${label}_tail_end (i32.ge_u ${get('e')} ${end}))
      ${scalar}
      ${set('e', add(get('e'), num(4)))} (br $${label}_tail)))`;
}
