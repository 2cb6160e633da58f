/**
 * WebAssembly text of the Adam-update unit of our SIMD module (see kernels-wat.ts): one pass
 * over a parameter, its gradient and its two moments, doing in float32 exactly the operations
 * (same order, each result rounded) of the composed update in engine/adam-update.ts, so the two
 * agree bit for bit:
 *   p ← p·decay (if flagged);  g ← g + p·l2 (if flagged)
 *   m' = m·β1 + g·(1 − β1);  v' = v·β2 + g²·(1 − β2)
 *   p' = p − m' / (√v' / c2 + ε) · stepSize
 *
 * Unit u covers elements [u·chunk, min(count, (u+1)·chunk)).
 * Params (i32 words, then float32 bit patterns): p, g, m, v, pOut, mOut, vOut, count, chunk, flags
 * (1: decoupled decay, 2: L2 penalty); decay, l2, β1, 1 − β1, β2, 1 − β2, c2, ε, stepSize.
 */

import { add, get, param, set, vectorThenScalar } from './wat';

export const ADAM_UPDATE_PARAMS = 19;
export const ADAM_FLAG_DECAY = 1;
export const ADAM_FLAG_L2 = 2;

/** The float32 scalars, in params order from word 10. */
const SCALARS = ['decay', 'l2', 'b1', 'ob1', 'b2', 'ob2', 'c2', 'eps', 'step'] as const;
type Scalar = (typeof SCALARS)[number];

/** One element (`f32`) or four (`f32x4`) of the update, at byte offset `$e`. */
function update(lanes: 'f32' | 'f32x4'): string {
  const vector = lanes === 'f32x4';
  const [load, store] = vector ? ['v128.load', 'v128.store'] : ['f32.load', 'f32.store'];
  const suffix = vector ? 'V' : 'S';
  const local = (name: string) => get(name + suffix);
  const scalar = (name: Scalar) => get(name + suffix);
  const op = (name: string, ...args: string[]) => `(${lanes}.${name} ${args.join(' ')})`;
  const at = (pointer: string) => add(get(pointer), get('e'));
  const setLocal = (name: string, value: string) => set(name + suffix, value);
  const flagged = (flag: number, body: string) => `(if (i32.and ${get('flags')} (i32.const ${flag})) (then ${body}))`;
  return [
    setLocal('p', `(${load} ${at('p')})`),
    flagged(ADAM_FLAG_DECAY, setLocal('p', op('mul', local('p'), scalar('decay')))),
    setLocal('g', `(${load} ${at('g')})`),
    flagged(ADAM_FLAG_L2, setLocal('g', op('add', local('g'), op('mul', local('p'), scalar('l2'))))),
    setLocal('m', op('add', op('mul', `(${load} ${at('m')})`, scalar('b1')), op('mul', local('g'), scalar('ob1')))),
    setLocal('v', op('add', op('mul', `(${load} ${at('v')})`, scalar('b2')), op('mul', op('mul', local('g'), local('g')), scalar('ob2')))),
    `(${store} ${at('mOut')} ${local('m')})`,
    `(${store} ${at('vOut')} ${local('v')})`,
    `(${store} ${at('pOut')} ${op('sub', local('p'), op('mul', op('div', local('m'), op('add', op('div', op('sqrt', local('v')), scalar('c2')), scalar('eps'))), scalar('step')))})`,
  ].join('\n      ');
}

export function adamUpdateUnit(): string {
  const pointers = ['p', 'g', 'm', 'v', 'pOut', 'mOut', 'vOut'];
  const values = ['p', 'g', 'm', 'v'];
  const declare = (names: readonly string[], suffix: string, type: string) => names.map((n) => `(local $${n}${suffix} ${type})`).join(' ');
  return `(func $adam_update_unit (param $u i32) (param $params i32)
    ${pointers.map((n) => `(local $${n} i32)`).join(' ')} (local $flags i32) (local $e i32) (local $end i32) (local $chunkBytes i32)
    ${declare(SCALARS, 'S', 'f32')} ${declare(SCALARS, 'V', 'v128')} ${declare(values, 'S', 'f32')} ${declare(values, 'V', 'v128')}
    ${pointers.map((n, i) => set(n, param(i))).join(' ')}
    ${set('flags', param(9))}
    ${SCALARS.map((n, i) => `${set(`${n}S`, `(f32.load offset=${4 * (10 + i)} ${get('params')})`)} ${set(`${n}V`, `(f32x4.splat ${get(`${n}S`)})`)}`).join('\n    ')}
    ${set('chunkBytes', `(i32.mul ${param(8)} (i32.const 4))`)}
    ${set('e', `(i32.mul ${get('u')} ${get('chunkBytes')})`)}
    ${set('end', `(i32.mul ${param(7)} (i32.const 4))`)}
    (if (i32.gt_u ${get('end')} ${add(get('e'), get('chunkBytes'))})
      (then ${set('end', add(get('e'), get('chunkBytes')))}))
    ${vectorThenScalar('adam', get('end'), update('f32x4'), update('f32'))})`;
}
