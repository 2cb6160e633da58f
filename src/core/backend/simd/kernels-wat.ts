/**
 * WebAssembly text of our SIMD kernels: a register-blocked GEMM and the im2col / col2im copies
 * that turn convolutions and their gradients into GEMMs, the ReLU gradient
 * (relu-gradient-wat.ts), the Adam update (adam-update-wat.ts), a bias add (bias-add-wat.ts), a
 * broadcast copy (repeat-rows-wat.ts), column sums (sum-rows-wat.ts) and the filter's packing into
 * GEMM panels (pack-panels-wat.ts). The module imports tfjs's own memory, owns no memory of its own (no
 * data segments, no stack) and takes every buffer as a pointer, so it reads and writes tensors
 * in place.
 *
 * Work is cut into units (`run_unit(kind, unit, params)`), each writing outputs no other unit
 * writes and always summing in the same order, so results do not depend on how many threads run
 * the units. Strides are in bytes.
 */

import { ADAM_UPDATE_PARAMS, adamUpdateUnit } from './adam-update-wat';
import { BIAS_ADD_PARAMS, biasAddUnit } from './bias-add-wat';
import { REPEAT_ROWS_PARAMS, repeatRowsUnit } from './repeat-rows-wat';
import { SUM_ROWS_PARAMS, sumRowsUnit } from './sum-rows-wat';
import { PACK_PANELS_PARAMS, packPanelsUnit } from './pack-panels-wat';
import { RELU_GRADIENT_PARAMS, reluGradientUnit } from './relu-gradient-wat';
import { add, get, locals, mul, num, param, set, vectorThenScalar } from './wat';

/** Rows of C one microkernel call computes; `GEMM_COLS` = 8 columns, two 4-lane vectors. */
export const GEMM_ROWS = 4;
export const GEMM_COLS = 8;

/** The `kind` argument of run_unit; the params layout of each is documented beside its unit. */
export enum UnitKind {
  Gemm = 0,
  Im2col = 1,
  Col2im = 2,
  ReluGradient = 3,
  AdamUpdate = 4,
  BiasAdd = 5,
  RepeatRows = 6,
  SumRows = 7,
  PackPanels = 8,
  Im2colGemm = 9,
  GemmCol2im = 10,
  Im2colFilterGradient = 11,
}

/** Number of i32 params each kind reads (the JS side fills exactly these). */
export const PARAM_COUNT: Record<UnitKind, number> = {
  [UnitKind.Gemm]: 14,
  [UnitKind.Im2col]: 16,
  [UnitKind.Col2im]: 16,
  [UnitKind.ReluGradient]: RELU_GRADIENT_PARAMS,
  [UnitKind.AdamUpdate]: ADAM_UPDATE_PARAMS,
  [UnitKind.BiasAdd]: BIAS_ADD_PARAMS,
  [UnitKind.RepeatRows]: REPEAT_ROWS_PARAMS,
  [UnitKind.SumRows]: SUM_ROWS_PARAMS,
  [UnitKind.PackPanels]: PACK_PANELS_PARAMS,
  [UnitKind.Im2colGemm]: 30,
  [UnitKind.GemmCol2im]: 30,
  [UnitKind.Im2colFilterGradient]: 26,
};

/**
 * c[i, 0:8] (+)= a[i, :] · b[:, 0:8] for `rows` rows: accumulators in registers, `a` read as
 * broadcast scalars, `b` as two vectors per k. `madd` multiplies-adds in one instruction where the
 * engine supports relaxed SIMD (FMA on x86-64 and arm64), else mul then add.
 */
function microkernel(rows: number, madd: boolean, aColumns: boolean): string {
  const acc = (r: number, v: number) => `c${r}_${v}`;
  const label = `$k${rows}${aColumns ? 'c' : 'r'}`;
  const body: string[] = [];
  const cRow = (r: number) => add(get('cp'), mul(num(r), get('ldc')));
  for (let r = 0; r < rows; r++) {
    if (!aColumns || r === 0) body.push(set(`p${r}`, add(get('ap'), mul(num(r), get('ars')))));
    for (let v = 0; v < 2; v++) {
      body.push(set(acc(r, v), `(if (result v128) ${get('accumulate')} (then (v128.load offset=${16 * v} ${cRow(r)})) (else (v128.const i32x4 0 0 0 0)))`));
    }
  }
  body.push(set('bp', get('bq')), set('k', get('K')));
  const step: string[] = [set('b0', `(v128.load ${get('bp')})`), set('b1', `(v128.load offset=16 ${get('bp')})`)];
  for (let r = 0; r < rows; r++) {
    // Columns of A (ars = 4): the rows' values sit side by side, one pointer serves them all.
    if (aColumns) step.push(set('av', `(v128.load32_splat offset=${4 * r} ${get('p0')})`));
    else step.push(set('av', `(v128.load32_splat ${get(`p${r}`)})`), set(`p${r}`, add(get(`p${r}`), get('aks'))));
    for (let v = 0; v < 2; v++) {
      const product = madd
        ? `(f32x4.relaxed_madd ${get('av')} ${get(`b${v}`)} ${get(acc(r, v))})`
        : `(f32x4.add (f32x4.mul ${get('av')} ${get(`b${v}`)}) ${get(acc(r, v))})`;
      step.push(set(acc(r, v), product));
    }
  }
  if (aColumns) step.push(set('p0', add(get('p0'), get('aks'))));
  step.push(set('bp', add(get('bp'), get('bks'))));
  body.push(`(loop ${label} ${step.join(' ')} (br_if ${label} (local.tee $k (i32.sub ${get('k')} ${num(1)}))))`);
  for (let r = 0; r < rows; r++) {
    for (let v = 0; v < 2; v++) body.push(`(v128.store offset=${16 * v} ${cRow(r)} ${get(acc(r, v))})`);
  }
  return body.join('\n');
}

/** Rows [i, M) in steps of `rows`, each over all column blocks. */
function rowLoop(rows: number, madd: boolean): string {
  return `(block $rows${rows}_end (loop $rows${rows}
    (br_if $rows${rows}_end (i32.gt_u ${add(get('i'), num(rows))} ${get('M')}))
    ${set('j', num(0))}
    (block $cols${rows}_end (loop $cols${rows}
      (br_if $cols${rows}_end (i32.ge_u ${get('j')} ${get('N')}))
      ${set('ap', add(get('a'), mul(get('i'), get('ars'))))}
      ${set('bq', add(get('b'), mul(`(i32.shr_u ${get('j')} ${num(3)})`, get('bjs'))))}
      ${set('cp', add(add(get('c'), mul(get('i'), get('ldc'))), mul(get('j'), num(4))))}
      (if (i32.eq ${get('ars')} ${num(4)}) (then ${microkernel(rows, madd, true)}) (else ${microkernel(rows, madd, false)}))
      ${set('j', add(get('j'), num(GEMM_COLS)))}
      (br $cols${rows})))
    ${set('i', add(get('i'), num(rows)))}
    (br $rows${rows})))`;
}

/**
 * gemm(a, ars, aks, b, bks, bjs, c, ldc, M, N, K, accumulate): C[M, N] = A[M, K] · B[K, N], plus
 * C's old values when `accumulate`. A[i, k] at a + i·ars + k·aks (any layout); B's 8-column block
 * jb at b + jb·bjs + k·bks, its 8 values contiguous (row-major B: bks = 4N, bjs = 32; packed
 * panels: bks = 32, bjs = 32K, each block one contiguous stream); C[i, j] at c + i·ldc + 4j
 * (N a multiple of 8, K ≥ 1).
 */
function gemm(madd: boolean): string {
  const v128s = ['av', 'b0', 'b1'];
  for (let r = 0; r < GEMM_ROWS; r++) v128s.push(`c${r}_0`, `c${r}_1`);
  const ptrs = ['i', 'j', 'k', 'ap', 'bp', 'bq', 'cp', ...Array.from({ length: GEMM_ROWS }, (_, r) => `p${r}`)];
  return `(func $gemm (param $a i32) (param $ars i32) (param $aks i32) (param $b i32) (param $bks i32) (param $bjs i32)
    (param $c i32) (param $ldc i32) (param $M i32) (param $N i32) (param $K i32) (param $accumulate i32)
    ${locals(ptrs, 'i32')} ${locals(v128s, 'v128')}
    ${set('i', num(0))}
    ${rowLoop(GEMM_ROWS, madd)}
    ${rowLoop(1, madd)})`;
}

/**
 * gemm_chunked(a, ars, aks, b, bks, bjs, c, ldc, M, N, K, kChunk, accumulate): gemm with K summed
 * in chunks of `kChunk` (so the chunk's slices of A and B stay in cache), in order.
 */
function gemmChunked(): string {
  const chunkArgs = `${add(get('a'), mul(get('k0'), get('aks')))} ${get('ars')} ${get('aks')}
        ${add(get('b'), mul(get('k0'), get('bks')))} ${get('bks')} ${get('bjs')} ${get('c')} ${get('ldc')}
        ${get('M')} ${get('N')} ${get('kc')} (i32.or ${get('accumulate')} (i32.ne ${get('k0')} ${num(0)}))`;
  return `(func $gemm_chunked (param $a i32) (param $ars i32) (param $aks i32) (param $b i32) (param $bks i32) (param $bjs i32)
    (param $c i32) (param $ldc i32) (param $M i32) (param $N i32) (param $K i32) (param $kChunk i32) (param $accumulate i32)
    (local $k0 i32) (local $kc i32)
    (block $done (loop $chunks
      (br_if $done (i32.ge_u ${get('k0')} ${get('K')}))
      ${set('kc', `(i32.sub ${get('K')} ${get('k0')})`)}
      (if (i32.gt_u ${get('kc')} ${get('kChunk')}) (then ${set('kc', get('kChunk'))}))
      (call $gemm ${chunkArgs})
      ${set('k0', add(get('k0'), get('kc')))}
      (br $chunks))))`;
}

/**
 * Gemm unit: rows [u·rowsPerUnit, …) of one GEMM, K in chunks (gemm_chunked). Params: a, ars,
 * aks, b, bks, bjs, c, ldc, M, N, K, rowsPerUnit, kChunk, accumulate (whether the first chunk
 * adds to C too).
 */
function gemmUnit(): string {
  return `(func $gemm_unit (param $u i32) (param $params i32)
    (local $r0 i32) (local $rows i32)
    ${set('r0', mul(get('u'), param(11)))}
    ${set('rows', `(i32.sub ${param(8)} ${get('r0')})`)}
    (if (i32.gt_u ${get('rows')} ${param(11)}) (then ${set('rows', param(11))}))
    (call $gemm_chunked
      ${add(param(0), mul(get('r0'), param(1)))} ${param(1)} ${param(2)} ${param(3)} ${param(4)} ${param(5)}
      ${add(param(6), mul(get('r0'), param(7)))} ${param(7)} ${get('rows')} ${param(9)} ${param(10)} ${param(12)} ${param(13)}))`;
}

/**
 * The loops both im2col and col2im run for image u: every output position (oh, ow) and filter tap
 * (kh, kw) with its input pixel inside the image, `visit(bytes)` given the column pointer `$q`, the
 * input pointer `$px` and a run of `bytes`: one pixel (`$pixel` bytes), or a whole filter row of
 * fw pixels (`$run` bytes) where those are adjacent in x (dw = 1) and all inside the image — the
 * common case, and a few-channel stem's only chance of vector-length runs. `outside` runs for
 * taps that fall in the padding.
 * Params: x, col, H, W, C, OH, OW, fh, fw, sh, sw, pt, pl, ldcol (bytes per column row), dh, dw.
 */
function patchLoops(name: string, prologue: string, visit: (bytes: string) => string, outside: string): string {
  const ptrs = ['x', 'col', 'oh', 'ow', 'kh', 'kw', 'ih', 'iw', 'iw0', 'q', 'px', 'pixel', 'run', 'e'];
  const wholeRow = `(i32.and (i32.eq ${param(15)} ${num(1)}) (i32.and (i32.ge_s ${get('iw0')} ${num(0)}) (i32.le_s ${add(get('iw0'), param(8))} ${param(3)})))`;
  return `(func $${name} (param $u i32) (param $params i32) ${locals(ptrs, 'i32')}
    ${set('pixel', mul(param(4), num(4)))}
    ${set('run', mul(param(8), get('pixel')))}
    ${set('x', add(param(0), mul(mul(get('u'), mul(param(2), param(3))), get('pixel'))))}
    ${set('col', add(param(1), mul(mul(get('u'), mul(param(5), param(6))), param(13))))}
    ${prologue}
    ${set('oh', num(0))}
    (block $oh_end (loop $oh_loop (br_if $oh_end (i32.ge_u ${get('oh')} ${param(5)}))
      ${set('ow', num(0))}
      (block $ow_end (loop $ow_loop (br_if $ow_end (i32.ge_u ${get('ow')} ${param(6)}))
        ${set('q', add(get('col'), mul(add(mul(get('oh'), param(6)), get('ow')), param(13))))}
        ${set('iw0', `(i32.sub ${mul(get('ow'), param(10))} ${param(12)})`)}
        ${set('kh', num(0))}
        (block $kh_end (loop $kh_loop (br_if $kh_end (i32.ge_u ${get('kh')} ${param(7)}))
          ${set('ih', `(i32.sub ${add(mul(get('oh'), param(9)), mul(get('kh'), param(14)))} ${param(11)})`)}
          (if (i32.and (i32.lt_u ${get('ih')} ${param(2)}) ${wholeRow})
            (then
              ${set('px', add(get('x'), mul(add(mul(get('ih'), param(3)), get('iw0')), get('pixel'))))} ${visit(get('run'))}
              ${set('q', add(get('q'), get('run')))})
            (else
              ${set('kw', num(0))}
              (block $kw_end (loop $kw_loop (br_if $kw_end (i32.ge_u ${get('kw')} ${param(8)}))
                ${set('iw', add(get('iw0'), mul(get('kw'), param(15))))}
                (if (i32.and (i32.lt_u ${get('ih')} ${param(2)}) (i32.lt_u ${get('iw')} ${param(3)}))
                  (then ${set('px', add(get('x'), mul(add(mul(get('ih'), param(3)), get('iw')), get('pixel'))))} ${visit(get('pixel'))})
                  (else ${outside}))
                ${set('q', add(get('q'), get('pixel')))}
                ${set('kw', add(get('kw'), num(1)))} (br $kw_loop)))))
          ${set('kh', add(get('kh'), num(1)))} (br $kh_loop)))
        ${set('ow', add(get('ow'), num(1)))} (br $ow_loop)))
      ${set('oh', add(get('oh'), num(1)))} (br $oh_loop)))
  )`;
}

/**
 * Copies `bytes` from `from` to `$q` (or zeros when `from` is undefined): vectors, then floats —
 * memory.copy/fill cost a call each, which dominates for a few channels. `label` must be unique
 * per use in a function.
 */
function copyRun(label: string, from: string | undefined, bytes: string): string {
  const vector = from === undefined ? '(v128.const i32x4 0 0 0 0)' : `(v128.load ${add(from, get('e'))})`;
  const scalar = from === undefined ? '(f32.const 0)' : `(f32.load ${add(from, get('e'))})`;
  return `${set('e', num(0))} ${vectorThenScalar(label, bytes, `(v128.store ${add(get('q'), get('e'))} ${vector})`, `(f32.store ${add(get('q'), get('e'))} ${scalar})`)}`;
}

/** A unique label per visit: the whole-row and the single-pixel visits share a function. */
const labelFor = (base: string, bytes: string) => `${base}_${bytes === get('run') ? 'row' : 'pixel'}`;

/** im2col of image u: row (oh, ow) of col holds the fh·fw·C input values that output reads, zeros for padding. */
function im2colUnit(): string {
  return patchLoops('im2col_unit', '', (bytes) => copyRun(labelFor('copy', bytes), get('px'), bytes), copyRun('zero', undefined, get('pixel')));
}

/** col2im of image u: x (zeroed first) gets every column value added back at the pixel it came from. */
function col2imUnit(): string {
  const sum = (type: 'v128' | 'f32') => {
    const load = (base: string) => `(${type}.load ${add(get(base), get('e'))})`;
    return `(${type}.store ${add(get('px'), get('e'))} (${type === 'v128' ? 'f32x4' : 'f32'}.add ${load('px')} ${load('q')}))`;
  };
  const addRun = (bytes: string) => `${set('e', num(0))} ${vectorThenScalar(labelFor('add', bytes), bytes, sum('v128'), sum('f32'))}`;
  const zeroImage = `(memory.fill ${get('x')} ${num(0)} ${mul(mul(param(2), param(3)), get('pixel'))})`;
  return patchLoops('col2im_unit', zeroImage, addRun, '');
}

/**
 * Image-at-a-time convolution units: an image's im2col (or col2im) next to its GEMM, so its
 * columns are still in cache when the other half reads them (the batch-wide passes write the
 * whole column buffer, tens of MB, before reading it back).
 *
 * im2col_gemm, forward: params 0-15 im2col's, 16-29 gemm_unit's with rowsPerUnit = Ho·Wo.
 * gemm_col2im, input gradient: params 0-13 gemm_unit's with rowsPerUnit = Ho·Wo, 14-29 col2im's.
 * im2col_filter_gradient: params 0-15 im2col's, then dy, dy row bytes, partials, partial bytes,
 * taps, padded Co, Ho·Wo, kChunk, images, units: unit u takes images [u·images/units,
 * (u+1)·images/units) in order and sums their col_iᵀ · dy_i into partial u (dW[taps, Co]); the
 * caller sums the partials in unit order. The split depends on `units` alone, not on the threads.
 */
function fusedConvolutionUnits(): string {
  const second = (words: number) => add(get('params'), num(4 * words));
  const p = (i: number) => param(16 + i);
  const firstImage = (u: string) => `(i32.div_u ${mul(u, p(8))} ${p(9)})`;
  return `(func $im2col_gemm_unit (param $u i32) (param $params i32)
      (call $im2col_unit ${get('u')} ${get('params')})
      (call $gemm_unit ${get('u')} ${second(16)}))
    (func $gemm_col2im_unit (param $u i32) (param $params i32)
      (call $gemm_unit ${get('u')} ${get('params')})
      (call $col2im_unit ${get('u')} ${second(14)}))
    (func $im2col_filter_gradient_unit (param $u i32) (param $params i32) (local $image i32) (local $end i32)
      ${set('image', firstImage(get('u')))}
      ${set('end', firstImage(add(get('u'), num(1))))}
      (block $images_end (loop $images (br_if $images_end (i32.ge_u ${get('image')} ${get('end')}))
        (call $im2col_unit ${get('image')} ${get('params')})
        (call $gemm_chunked
          ${add(param(1), mul(mul(get('image'), p(6)), param(13)))} ${num(4)} ${param(13)}
          ${add(p(0), mul(mul(get('image'), p(6)), p(1)))} ${p(1)} ${num(32)}
          ${add(p(2), mul(get('u'), p(3)))} ${mul(p(5), num(4))}
          ${p(4)} ${p(5)} ${p(6)} ${p(7)} (i32.ne ${get('image')} ${firstImage(get('u'))}))
        ${set('image', add(get('image'), num(1)))} (br $images))))`;
}

/**
 * The whole module. `shared` must match tfjs's memory (shared in its threaded build); `madd`
 * selects relaxed-SIMD multiply-add.
 */
export function kernelsWat({ shared, madd }: { shared: boolean; madd: boolean }): string {
  const memory = shared ? '(memory (import "env" "memory") 1 65536 shared)' : '(memory (import "env" "memory") 1)';
  return `(module ${memory}
    ${gemm(madd)}
    ${gemmChunked()}
    ${gemmUnit()}
    ${im2colUnit()}
    ${col2imUnit()}
    ${reluGradientUnit()}
    ${adamUpdateUnit()}
    ${biasAddUnit()}
    ${repeatRowsUnit()}
    ${sumRowsUnit()}
    ${packPanelsUnit()}
    ${fusedConvolutionUnits()}
    ${dispatch()}
  )`;
}

/** Each UnitKind's function (a Record, so a new kind without one does not compile). */
const UNIT_FUNCTIONS: Record<UnitKind, string> = {
  [UnitKind.Gemm]: 'gemm_unit',
  [UnitKind.Im2col]: 'im2col_unit',
  [UnitKind.Col2im]: 'col2im_unit',
  [UnitKind.ReluGradient]: 'relu_gradient_unit',
  [UnitKind.AdamUpdate]: 'adam_update_unit',
  [UnitKind.BiasAdd]: 'bias_add_unit',
  [UnitKind.RepeatRows]: 'repeat_rows_unit',
  [UnitKind.SumRows]: 'sum_rows_unit',
  [UnitKind.PackPanels]: 'pack_panels_unit',
  [UnitKind.Im2colGemm]: 'im2col_gemm_unit',
  [UnitKind.GemmCol2im]: 'gemm_col2im_unit',
  [UnitKind.Im2colFilterGradient]: 'im2col_filter_gradient_unit',
};

/** run_unit(kind, u, params): a br_table over nested blocks, one per kind, innermost first. */
function dispatch(): string {
  const functions = Object.entries(UNIT_FUNCTIONS).sort(([a], [b]) => Number(a) - Number(b)).map(([, name]) => name);
  const labels = functions.map((_, kind) => `$kind${kind}`);
  const open = [...labels].reverse().map((label) => `(block ${label}`).join(' ');
  const calls = functions.map((name) => `(call $${name} (local.get $u) (local.get $params)) (return))`).join('\n      ');
  return `(func (export "run_unit") (param $kind i32) (param $u i32) (param $params i32)
      (block $none ${open}
        (br_table ${labels.join(' ')} $none (local.get $kind)))
      ${calls}
      unreachable)`;
}
