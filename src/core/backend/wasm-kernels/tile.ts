/**
 * Tile for wasm as a row copy on our SIMD kernels or a broadcast multiply. The stock wasm Tile is
 * a naive element loop; tfjs-core's batch-norm gradient tiles every per-channel term to the
 * activation's shape, so in a small CNN's training step Tile took more time than all the
 * convolutions together. The multiply needs a tensor of ones, filled in JavaScript each time.
 *
 * x [d0, …, dn-1] with reps [r0, …, rn-1] → reshape x to [1, d0, 1, d1, …], multiply by ones
 * [r0, d0, r1, d1, …] (XNNPACK broadcasting), reshape to [r0·d0, r1·d1, …] — with axes merged
 * where possible (see broadcastPlan).
 */
import { tf } from '../../tf';
import { UnitKind } from '../simd/kernels-wat';
import { simdKernelsFor } from '../simd/simd-kernels';
import { composedKernel, withStockFallback } from './composed-kernel';
import { offsetOf, type WasmBackendMemory } from './conv2d-gemm';

interface TileAttrs {
  reps: number[];
}

/** Highest rank for which XNNPACK's broadcasting multiply runs (it rejects larger ones). */
const MAX_BROADCAST_RANK = 6;

/**
 * The [input, broadcast] shapes of the broadcast multiply: every repeated axis gets a broadcast
 * axis in front of it; neighbouring data axes, and neighbouring broadcast axes, are merged so the
 * rank stays low (batch-norm's [1,1,1,C] tiled by [N,H,W,1] becomes [1,C] → [N·H·W, C]).
 */
export function broadcastPlan(shape: number[], reps: number[]): { input: number[]; broadcast: number[] } {
  const axes: { input: number; broadcast: number }[] = [];
  const push = (input: number, broadcast: number) => {
    const last = axes[axes.length - 1];
    const sameKind = last && (last.input === last.broadcast) === (input === broadcast);
    if (sameKind) {
      last.input *= input;
      last.broadcast *= broadcast;
    } else {
      axes.push({ input, broadcast });
    }
  };
  shape.forEach((d, i) => {
    if (reps[i] > 1) push(1, reps[i]);
    if (d !== 1 || reps[i] === 1) push(d, d);
  });
  return { input: axes.map((a) => a.input), broadcast: axes.map((a) => a.broadcast) };
}

export function tileByBroadcast(x: tf.Tensor, reps: number[]): tf.Tensor {
  if (reps.length !== x.rank) throw new Error(`Tile: reps has ${reps.length} entries for a rank-${x.rank} tensor`);
  const { input, broadcast } = broadcastPlan(x.shape, reps);
  const out = x.shape.map((d, i) => d * reps[i]);
  return tf.mul(tf.reshape(x, input), tf.ones(broadcast, x.dtype)).reshape(out);
}

/** Shortest row worth copying as rows (two vectors); shorter ones go through the multiply. */
const MIN_ROW = 8;

/**
 * The broadcast as repeated whole rows of at least MIN_ROW values — [cols], [1, cols] or
 * [outer, 1, cols] broadcast to [outer, rows, cols] — which our SIMD kernels copy directly;
 * undefined for other plans.
 */
export function repeatRowsPlan({ input, broadcast }: { input: number[]; broadcast: number[] }): { outer: number; rows: number; cols: number } | undefined {
  const n = input.length;
  const cols = input[n - 1];
  const isData = (axis: number) => input[axis] === broadcast[axis];
  if (cols < MIN_ROW || !isData(n - 1)) return undefined;
  if (n === 1) return { outer: 1, rows: 1, cols };
  if (n === 2 && !isData(0)) return { outer: 1, rows: broadcast[0], cols };
  if (n === 3 && isData(0) && !isData(1)) return { outer: input[0], rows: broadcast[1], cols };
  return undefined;
}

/** Output values per unit of work, in whole rows. */
const CHUNK = 1 << 15;

function simdRepeatRows(backend: WasmBackendMemory, x: tf.TensorInfo, outShape: number[], plan: { outer: number; rows: number; cols: number }): tf.TensorInfo {
  const out = backend.makeOutput(outShape, x.dtype);
  const rowsPerUnit = Math.max(1, Math.floor(CHUNK / plan.cols));
  simdKernelsFor(backend)!.run(UnitKind.RepeatRows, Math.ceil((plan.outer * plan.rows) / rowsPerUnit), [
    offsetOf(backend, x), offsetOf(backend, out), plan.outer, plan.rows, plan.cols, rowsPerUnit,
  ]);
  return out;
}

/**
 * Float32 and int32 go through our SIMD row copy where the plan repeats whole rows and our
 * kernels are loaded, else through the broadcast multiply when its rank fits XNNPACK; other dtypes
 * (bool, string), empty outputs and higher ranks keep the stock kernel, captured before it is
 * replaced.
 */
export function tileKernel(stock: tf.KernelConfig | undefined): tf.KernelConfig {
  const composed = composedKernel<TileAttrs>('Tile', ({ x }, { reps }) => tileByBroadcast(x, reps));
  return withStockFallback(
    'Tile',
    stock,
    ({ inputs, attrs }) => {
      const x = inputs.x as tf.TensorInfo;
      const { reps } = attrs as unknown as TileAttrs;
      const empty = x.shape.some((d, i) => d * reps[i] === 0);
      const plan = broadcastPlan(x.shape, reps);
      return (x.dtype === 'float32' || x.dtype === 'int32') && !empty && plan.broadcast.length <= MAX_BROADCAST_RANK ? plan : undefined;
    },
    (args, plan) => {
      const rows = simdKernelsFor(args.backend) && repeatRowsPlan(plan);
      if (!rows) return composed.kernelFunc(args);
      const x = args.inputs.x as tf.TensorInfo;
      const { reps } = args.attrs as unknown as TileAttrs;
      return simdRepeatRows(args.backend as unknown as WasmBackendMemory, x, x.shape.map((d, i) => d * reps[i]), rows);
    },
  );
}
