import { spawn, type ChildProcess } from 'child_process';
import { loadSimdKernels, type SimdKernels } from '../../../../src/core/backend/simd/simd-kernels';
import { UnitKind } from '../../../../src/core/backend/simd/kernels-wat';
import { pseudoRandom } from '../wasm-kernels/cpu-oracle';

/** A shared memory with a bump allocator, standing in for tfjs's. */
function testHost() {
  const memory = new WebAssembly.Memory({ initial: 256, maximum: 65536, shared: true });
  let top = 64;
  const malloc = (bytes: number) => {
    const at = top;
    top += Math.ceil(bytes / 64) * 64;
    if (top > memory.buffer.byteLength) memory.grow(Math.ceil((top - memory.buffer.byteLength) / 65536));
    return at;
  };
  const put = (values: Float32Array) => {
    const at = malloc(values.length * 4);
    new Float32Array(memory.buffer, at, values.length).set(values);
    return at;
  };
  const read = (at: number, length: number) => new Float32Array(memory.buffer, at, length).slice();
  return { memory, malloc, put, read };
}

const host = testHost();
const pools: SimdKernels[] = [];
let single: SimdKernels;
let double: SimdKernels;
beforeAll(async () => {
  single = await loadSimdKernels({ memory: host.memory, shared: true, malloc: host.malloc }, 1);
  double = await loadSimdKernels({ memory: host.memory, shared: true, malloc: host.malloc }, 2);
  pools.push(single, double);
});
afterAll(() => pools.forEach((pool) => pool.dispose()));

interface GemmCase {
  M: number;
  N: number;
  K: number;
  /** A stored as columns (A[i, k] at k·M + i), as the filter gradient reads im2col's output. */
  aColumns: boolean;
  /** B in packed panels ([N/8][K][8]) instead of row-major. */
  bPacked?: boolean;
  rowsPerUnit: number;
  kChunk: number;
  accumulate: boolean;
}

const GEMM_CASES: GemmCase[] = [
  { M: 13, N: 16, K: 37, aColumns: false, rowsPerUnit: 4, kChunk: 37, accumulate: false },
  { M: 1, N: 8, K: 1, aColumns: false, rowsPerUnit: 4, kChunk: 1, accumulate: false },
  { M: 27, N: 32, K: 300, aColumns: true, rowsPerUnit: 16, kChunk: 64, accumulate: false },
  { M: 30, N: 24, K: 129, aColumns: true, rowsPerUnit: 8, kChunk: 50, accumulate: true },
  { M: 70, N: 8, K: 5, aColumns: false, rowsPerUnit: 64, kChunk: 2, accumulate: true },
  { M: 66, N: 24, K: 19, aColumns: false, bPacked: true, rowsPerUnit: 16, kChunk: 19, accumulate: false },
  { M: 9, N: 16, K: 40, aColumns: true, bPacked: true, rowsPerUnit: 4, kChunk: 16, accumulate: true },
];

describe('SIMD GEMM', () => {
  it.each(GEMM_CASES.map((c) => [JSON.stringify(c), c] as const))('matches a float64 oracle and is bit-identical on 1 and 2 threads: %s', (_name, c) => {
    const a = pseudoRandom(c.M * c.K, 1);
    const b = pseudoRandom(c.K * c.N, 2);
    const c0 = pseudoRandom(c.M * c.N, 3);
    const at = host.put(a);
    const packed = new Float32Array(b.length);
    for (let k = 0; k < c.K; k++) for (let j = 0; j < c.N; j++) packed[Math.floor(j / 8) * c.K * 8 + k * 8 + (j % 8)] = b[k * c.N + j];
    const bt = host.put(c.bPacked ? packed : b);
    const [bks, bjs] = c.bPacked ? [32, c.K * 32] : [c.N * 4, 32];
    const aOf = (i: number, k: number) => (c.aColumns ? a[k * c.M + i] : a[i * c.K + k]);
    const [ars, aks] = c.aColumns ? [4, c.M * 4] : [c.K * 4, 4];
    const results = [single, double].map((pool) => {
      const ct = host.put(c0);
      pool.run(UnitKind.Gemm, Math.ceil(c.M / c.rowsPerUnit), [at, ars, aks, bt, bks, bjs, ct, c.N * 4, c.M, c.N, c.K, c.rowsPerUnit, c.kChunk, c.accumulate ? 1 : 0]);
      return host.read(ct, c.M * c.N);
    });
    expect(Buffer.from(results[1].buffer).equals(Buffer.from(results[0].buffer))).toBe(true);
    let worst = 0;
    for (let i = 0; i < c.M; i++) {
      for (let j = 0; j < c.N; j++) {
        let sum = c.accumulate ? c0[i * c.N + j] : 0;
        for (let k = 0; k < c.K; k++) sum += aOf(i, k) * b[k * c.N + j];
        worst = Math.max(worst, Math.abs(results[0][i * c.N + j] - sum));
      }
    }
    expect(worst).toBeLessThan(1e-5 * Math.sqrt(c.K) + 1e-6);
  });

  it('rejects a params list of the wrong length', () => {
    expect(() => single.run(UnitKind.Gemm, 1, [0, 0])).toThrow('SIMD kernels: unit kind 0 takes 14 params, got 2');
  });

  it('reports a unit that traps, on whichever thread, and stays usable', () => {
    const beyond = host.memory.buffer.byteLength + 65536 * 64; // outside the memory
    // 40 units of one row each: the caller and the worker both take some, and all of them trap.
    expect(() => double.run(UnitKind.Gemm, 40, [beyond, 32, 4, beyond, 32, 32, beyond, 32, 40, 8, 8, 1, 8, 0])).toThrow(/memory access out of bounds/);
    const a = host.put(Float32Array.from({ length: 8 }, (_, i) => i));
    const b = host.put(new Float32Array(64).fill(1));
    const c = host.put(new Float32Array(8));
    double.run(UnitKind.Gemm, 1, [a, 32, 4, b, 32, 32, c, 32, 1, 8, 8, 1, 8, 0]);
    expect(Array.from(host.read(c, 8))).toEqual(new Array(8).fill(28));
  });

  it('needs shared memory for more than one thread', async () => {
    const memory = new WebAssembly.Memory({ initial: 1 });
    await expect(loadSimdKernels({ memory, shared: false, malloc: () => 0 }, 2)).rejects.toThrow('SIMD kernels: 2 threads need shared wasm memory');
  });
});

interface PatchCase {
  N: number;
  H: number;
  W: number;
  C: number;
  fh: number;
  fw: number;
  stride: [number, number];
  pad: [number, number];
  dilation: [number, number];
}

const PATCH_CASES: PatchCase[] = [
  { N: 2, H: 7, W: 6, C: 3, fh: 3, fw: 3, stride: [2, 2], pad: [1, 1], dilation: [1, 1] },
  { N: 1, H: 9, W: 8, C: 8, fh: 3, fw: 2, stride: [1, 3], pad: [2, 0], dilation: [2, 1] },
  { N: 3, H: 5, W: 5, C: 5, fh: 1, fw: 1, stride: [2, 1], pad: [0, 0], dilation: [1, 1] },
  // Dilated along W: every tap on its own, no whole filter rows.
  { N: 2, H: 6, W: 9, C: 4, fh: 2, fw: 3, stride: [1, 1], pad: [1, 2], dilation: [1, 2] },
];

/** For every (image, oh, ow, kh, kw): the input pixel index it reads, or -1 in the padding. */
function patchSources(p: PatchCase, OH: number, OW: number): number[] {
  const sources: number[] = [];
  for (let n = 0; n < p.N; n++)
    for (let oh = 0; oh < OH; oh++)
      for (let ow = 0; ow < OW; ow++)
        for (let kh = 0; kh < p.fh; kh++)
          for (let kw = 0; kw < p.fw; kw++) {
            const ih = oh * p.stride[0] + kh * p.dilation[0] - p.pad[0];
            const iw = ow * p.stride[1] + kw * p.dilation[1] - p.pad[1];
            sources.push(ih >= 0 && ih < p.H && iw >= 0 && iw < p.W ? (n * p.H + ih) * p.W + iw : -1);
          }
  return sources;
}

describe('SIMD im2col / col2im', () => {
  it.each(PATCH_CASES.map((p) => [JSON.stringify(p), p] as const))('copy and add back exactly as an index oracle: %s', (_name, p) => {
    const OH = Math.floor((p.H + 2 * p.pad[0] - (p.fh - 1) * p.dilation[0] - 1) / p.stride[0]) + 1;
    const OW = Math.floor((p.W + 2 * p.pad[1] - (p.fw - 1) * p.dilation[1] - 1) / p.stride[1]) + 1;
    const taps = p.fh * p.fw * p.C;
    const rowFloats = taps + 5; // a padded row stride, as the input gradient uses
    const geometry = (image: number, columns: number) => [image, columns, p.H, p.W, p.C, OH, OW, p.fh, p.fw, p.stride[0], p.stride[1], p.pad[0], p.pad[1], rowFloats * 4, p.dilation[0], p.dilation[1]];
    const sources = patchSources(p, OH, OW);

    const x = pseudoRandom(p.N * p.H * p.W * p.C, 4);
    const xAt = host.put(x);
    const colAt = host.put(new Float32Array(p.N * OH * OW * rowFloats).fill(7));
    double.run(UnitKind.Im2col, p.N, geometry(xAt, colAt));
    const col = host.read(colAt, p.N * OH * OW * rowFloats);
    sources.forEach((pixel, s) => {
      const row = Math.floor(s / (p.fh * p.fw));
      const tap = s % (p.fh * p.fw);
      for (let ch = 0; ch < p.C; ch++) expect(col[row * rowFloats + tap * p.C + ch]).toBe(pixel < 0 ? 0 : x[pixel * p.C + ch]);
    });

    const dcol = pseudoRandom(p.N * OH * OW * rowFloats, 5);
    const dcolAt = host.put(dcol);
    const dxAt = host.put(new Float32Array(x.length).fill(9));
    double.run(UnitKind.Col2im, p.N, geometry(dxAt, dcolAt));
    const expected = new Float32Array(x.length);
    sources.forEach((pixel, s) => {
      if (pixel < 0) return;
      const row = Math.floor(s / (p.fh * p.fw));
      const tap = s % (p.fh * p.fw);
      for (let ch = 0; ch < p.C; ch++) expected[pixel * p.C + ch] += dcol[row * rowFloats + tap * p.C + ch];
    });
    expect(host.read(dxAt, x.length)).toEqual(expected);
  });
});

describe('SIMD ReLU gradient', () => {
  it('passes dy where x > 0, zero elsewhere even for a non-finite dy, NaN where x is NaN', () => {
    const count = 4 * 5 + 3; // vectors and a scalar tail, over three units of 8
    const x = pseudoRandom(count, 6);
    const dy = pseudoRandom(count, 7);
    [0, 9, 22].forEach((i) => (x[i] = NaN));
    [1, 10, 21].forEach((i) => ((x[i] = -0.5), (dy[i] = i === 10 ? Infinity : NaN)));
    x[2] = 0;
    const out = host.put(new Float32Array(count));
    double.run(UnitKind.ReluGradient, Math.ceil(count / 8), [host.put(dy), host.put(x), out, count, 8]);
    const expected = Array.from(x, (v, i) => (Number.isNaN(v) ? NaN : v > 0 ? dy[i] : 0));
    expect(Array.from(host.read(out, count))).toEqual(expected);
  });
});

describe('SIMD bias add', () => {
  it('adds the bias to every row, in units of whole rows, vectors and a scalar tail', () => {
    const [rows, channels, rowsPerUnit] = [7, 6, 2];
    const x = pseudoRandom(rows * channels, 8);
    const bias = pseudoRandom(channels, 9);
    const out = host.put(new Float32Array(rows * channels));
    double.run(UnitKind.BiasAdd, Math.ceil(rows / rowsPerUnit), [host.put(x), host.put(bias), out, rows, channels, rowsPerUnit]);
    expect(host.read(out, rows * channels)).toEqual(x.map((v, i) => Math.fround(v + bias[i % channels])));
  });
});

describe('SIMD Adam update', () => {
  it('updates p, m and v in float32 as the composed formula does, over units of a chunk', () => {
    const [count, chunk] = [4 * 5 + 3, 8];
    const [p, g, m] = [10, 11, 12].map((seed) => pseudoRandom(count, seed));
    const v = pseudoRandom(count, 13).map(Math.abs);
    const s = { decay: 0.999, l2: 0, b1: 0.9, b2: 0.999, c2: Math.sqrt(1 - 0.999 ** 2), eps: 1e-8, step: 0.01 / (1 - 0.9 ** 2) };
    const bits = (x: number) => new Int32Array(Float32Array.of(x).buffer)[0];
    const scalars = [s.decay, s.l2, s.b1, 1 - s.b1, s.b2, 1 - s.b2, s.c2, s.eps, s.step];
    const outs = [0, 1, 2].map(() => host.put(new Float32Array(count)));
    const inputs = [p, g, m, v].map((values) => host.put(values));
    double.run(UnitKind.AdamUpdate, Math.ceil(count / chunk), [...inputs, ...outs, count, chunk, 1, ...scalars.map(bits)]);
    // The same operations, each rounded to float32 (flag 1: decoupled decay only).
    const f = Math.fround;
    const [decay, , b1, ob1, b2, ob2, c2, eps, step] = scalars.map(f);
    const expected = [new Float32Array(count), new Float32Array(count), new Float32Array(count)];
    for (let i = 0; i < count; i++) {
      const q = f(p[i] * decay);
      const m1 = f(f(m[i] * b1) + f(g[i] * ob1));
      const v1 = f(f(v[i] * b2) + f(f(g[i] * g[i]) * ob2));
      expected[0][i] = f(q - f(f(m1 / f(f(f(Math.sqrt(v1)) / c2) + eps)) * step));
      [expected[1][i], expected[2][i]] = [m1, v1];
    }
    outs.forEach((at, k) => expect(host.read(at, count)).toEqual(expected[k]));
  });
});

describe('SIMD sum rows', () => {
  it('sums each chunk of rows in order, divides, and is bit-identical on 1 and 2 threads', () => {
    const [blocks, rows, cols, chunk] = [3, 10, 7, 4]; // 3 chunks per block, the last short; a scalar tail
    const chunks = Math.ceil(rows / chunk);
    const src = pseudoRandom(blocks * rows * cols, 14);
    const bits = (x: number) => new Int32Array(Float32Array.of(x).buffer)[0];
    const results = [single, double].map((pool) => {
      const dst = host.put(new Float32Array(blocks * chunks * cols).fill(9));
      pool.run(UnitKind.SumRows, blocks * chunks, [host.put(src), dst, rows, cols, chunk, bits(2)]);
      return host.read(dst, blocks * chunks * cols);
    });
    expect(results[1]).toEqual(results[0]);
    const expected = new Float32Array(blocks * chunks * cols);
    for (let b = 0; b < blocks; b++)
      for (let c = 0; c < chunks; c++)
        for (let j = 0; j < cols; j++) {
          let sum = 0;
          for (let r = c * chunk; r < Math.min(rows, (c + 1) * chunk); r++) sum = Math.fround(sum + src[(b * rows + r) * cols + j]);
          expected[(b * chunks + c) * cols + j] = Math.fround(sum / 2);
        }
    expect(results[0]).toEqual(expected);
  });
});

describe('SIMD pack panels', () => {
  it.each([[false], [true]])('packs W (transposed: %s) into zero-padded 8-column panels', (transposed) => {
    const [taps, co] = [5, 11];
    const w = pseudoRandom(taps * co, 15);
    const [depth, columns] = transposed ? [co, taps] : [taps, co];
    const blocks = Math.ceil(columns / 8);
    const out = host.put(new Float32Array(blocks * depth * 8).fill(9));
    double.run(UnitKind.PackPanels, blocks, [host.put(w), out, taps, co, transposed ? 1 : 0]);
    const expected = new Float32Array(blocks * depth * 8);
    for (let b = 0; b < blocks; b++)
      for (let k = 0; k < depth; k++)
        for (let j = 0; j < 8; j++) {
          const col = b * 8 + j;
          if (col < columns) expected[(b * depth + k) * 8 + j] = transposed ? w[col * co + k] : w[k * co + col];
        }
    expect(host.read(out, blocks * depth * 8)).toEqual(expected);
  });
});

describe('SIMD worker pool', () => {
  /** One ReLU-gradient dispatch of `units` units of 256 elements; its params and the exact expected values. */
  function reluJob(units: number, seed: number) {
    const [count, chunk] = [units * 256, 256];
    const x = pseudoRandom(count, seed);
    const dy = pseudoRandom(count, seed + 1);
    const params = [host.put(dy), host.put(x), host.put(new Float32Array(count)), count, chunk];
    return { params, count, expected: x.map((v, i) => (v > 0 ? dy[i] : 0)) };
  }

  it('finishes every dispatch, with exact results, while busy processes oversubscribe the cores', async () => {
    const pool = await loadSimdKernels({ memory: host.memory, shared: true, malloc: host.malloc }, 3);
    pools.push(pool);
    const jobs = Array.from({ length: 4 }, (_, i) => reluJob(64, 100 + 2 * i));
    // Five busy-looping processes on a machine of a few cores: pool threads are descheduled for
    // whole time slices in the middle of dispatches.
    const busy: ChildProcess[] = Array.from({ length: 5 }, () => spawn(process.execPath, ['-e', 'const end = Date.now() + 6000; while (Date.now() < end);'], { stdio: 'ignore' }));
    try {
      await new Promise((resolve) => setTimeout(resolve, 300));
      const end = Date.now() + 2000;
      let [dispatches, wrong] = [0, 0];
      while (Date.now() < end) {
        const job = jobs[dispatches++ % jobs.length];
        const out = new Float32Array(host.memory.buffer, job.params[2], job.count).fill(NaN);
        pool.run(UnitKind.ReluGradient, 64, job.params);
        if (!Buffer.from(out.buffer, out.byteOffset, out.byteLength).equals(Buffer.from(job.expected.buffer))) wrong++;
      }
      expect(wrong).toBe(0);
      expect(dispatches).toBeGreaterThan(50);
    } finally {
      busy.forEach((child) => child.kill());
    }
  });

  it('a wake-up without a new dispatch runs nothing: the control block stays as the last dispatch left it', async () => {
    let block = 0;
    const pool = await loadSimdKernels({ memory: host.memory, shared: true, malloc: (bytes) => (block = host.malloc(bytes)) }, 3);
    pools.push(pool);
    const job = reluJob(16, 400);
    pool.run(UnitKind.ReluGradient, 16, job.params);
    // Generation, kind, units, next unit, pending workers: a stray notify on the generation word
    // (another user of the shared memory) that a worker took for a dispatch would count it done
    // twice — inside a dispatch's set-up, the caller then waits forever.
    const ctl = new Int32Array(host.memory.buffer, block, 5);
    const before = Array.from(ctl);
    expect(before[4]).toBe(0);
    for (let i = 0; i < 20; i++) {
      Atomics.notify(ctl, 0);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    expect(Array.from(ctl)).toEqual(before);
    const out = new Float32Array(host.memory.buffer, job.params[2], job.count).fill(NaN);
    pool.run(UnitKind.ReluGradient, 16, job.params);
    expect(Array.from(out)).toEqual(Array.from(job.expected));
  });

  it('fails the dispatch during which a worker thread dies, in one line, and refuses the ones after', async () => {
    const pool = await loadSimdKernels({ memory: host.memory, shared: true, malloc: host.malloc }, 3);
    pools.push(pool);
    // Dispatches of milliseconds each (64 units of 32768 zeros), back to back: the death falls
    // inside one, not between two.
    const count = 64 * 32768;
    const job = { params: [host.malloc(4 * count), host.malloc(4 * count), host.malloc(4 * count), count, 32768] };
    pool.run(UnitKind.ReluGradient, 64, job.params);
    // The supervisor ends worker 2 while this thread is blocked in back-to-back dispatches.
    pool.terminateWorker(1, 50);
    const end = Date.now() + 10_000;
    let failure: Error | undefined;
    while (!failure && Date.now() < end) {
      try {
        pool.run(UnitKind.ReluGradient, 64, job.params);
      } catch (err) {
        failure = err as Error;
      }
    }
    expect(failure?.message).toMatch(/^SIMD kernels: worker thread 2 of 2 exited \(code 1\) during unit kind 3; restart the process \(or use --threads 1\)$/);
    expect(() => pool.run(UnitKind.ReluGradient, 1, job.params)).toThrow(/^SIMD kernels: unusable since worker thread 2 of 2 exited \(code 1\);/);
  });

  it('refuses to dispatch after a worker thread died between dispatches', async () => {
    const pool = await loadSimdKernels({ memory: host.memory, shared: true, malloc: host.malloc }, 2);
    pools.push(pool);
    const job = reluJob(8, 300);
    pool.run(UnitKind.ReluGradient, 8, job.params);
    pool.terminateWorker(0, 0);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(() => pool.run(UnitKind.ReluGradient, 8, job.params)).toThrow('SIMD kernels: unusable since worker thread 1 of 1 exited (code 1); restart the process (or use --threads 1)');
  });
});
