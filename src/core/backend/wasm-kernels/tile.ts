/**
 * Tile for wasm as a broadcast multiply. The stock wasm Tile is a naive element loop; tfjs-core's
 * batch-norm gradient tiles every per-channel term to the activation's shape, so in a small CNN's
 * training step Tile took more time than all the convolutions together.
 *
 * x [d0, …, dn-1] with reps [r0, …, rn-1] → reshape x to [1, d0, 1, d1, …], multiply by ones
 * [r0, d0, r1, d1, …] (XNNPACK broadcasting), reshape to [r0·d0, r1·d1, …] — with axes merged
 * where possible (see broadcastPlan).
 */
import { tf } from '../../tf';
import { composedKernel, withStockFallback } from './composed-kernel';

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

/**
 * Float32 and int32 go through the broadcast when its rank fits XNNPACK; other dtypes (bool,
 * string) and higher ranks keep the stock kernel, captured before it is replaced.
 */
export function tileKernel(stock: tf.KernelConfig | undefined): tf.KernelConfig {
  const composed = composedKernel<TileAttrs>('Tile', ({ x }, { reps }) => tileByBroadcast(x, reps));
  return withStockFallback(stock, composed, ({ inputs, attrs }) => {
    const x = inputs.x as tf.TensorInfo;
    const fits = broadcastPlan(x.shape, (attrs as unknown as TileAttrs).reps).broadcast.length <= MAX_BROADCAST_RANK;
    return (x.dtype === 'float32' || x.dtype === 'int32') && fits;
  });
}
