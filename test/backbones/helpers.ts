/** Shared test helpers for the backbone tests. */
import { tf } from '../../src/core/tf';

/** Deterministic pseudo-random values in [offset - scale, offset + scale] (a small LCG; no Math.random). */
export function seededValues(count: number, seed: number, scale = 1, offset = 0): number[] {
  let state = (seed * 2654435761) >>> 0;
  return Array.from({ length: count }, () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return offset + scale * (2 * (state / 2 ** 32) - 1);
  });
}

/** Element-wise |a - b| <= tol · max(1, |b|), with the first offending index in the message. */
export function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tol: number): void {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    const err = Math.abs(actual[i] - expected[i]);
    if (!(err <= tol * Math.max(1, Math.abs(expected[i])))) {
      throw new Error(`index ${i}: got ${actual[i]}, expected ${expected[i]} (tolerance ${tol})`);
    }
  }
}

/** Saves a model to memory and loads it back, as a browser would from model.json + weights. */
export async function roundTrip(model: tf.LayersModel): Promise<tf.LayersModel> {
  let saved: tf.io.ModelArtifacts | undefined;
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      saved = artifacts;
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
  if (!saved) throw new Error('roundTrip: save handler was not called');
  // Through JSON, as a file would be: only what is really serialised survives.
  const topology = JSON.parse(JSON.stringify(saved.modelTopology));
  return tf.loadLayersModel(tf.io.fromMemory({ ...saved, modelTopology: topology }));
}

/**
 * Re-initialises every kernel of `model` with seeded He-normal values (tfjs-layers initialisers are
 * unseeded), so that tests depending on the loss landscape are deterministic.
 */
export function reseedKernels(model: tf.LayersModel, seed: number): void {
  model.weights.forEach((w, i) => {
    if (!/kernel$/.test(w.originalName)) return;
    // Depthwise kernels [kh, kw, C, multiplier] see kh·kw inputs; others see all but the last dim.
    const fanIn = /depthwise_kernel$/.test(w.originalName) ? w.shape[0]! * w.shape[1]! : w.shape.slice(0, -1).reduce((a, b) => a! * b!, 1)!;
    w.write(tf.tidy(() => tf.randomNormal(w.shape as number[], 0, Math.sqrt(2 / fanIn), 'float32', seed + i)));
  });
}

/** Feature map [H][W][C] of one sample. */
export type Map3 = number[][][];

/** Reshapes a flat HWC array into a Map3. */
export function toMap(flat: ArrayLike<number>, h: number, w: number, c: number): Map3 {
  return Array.from({ length: h }, (_, y) => Array.from({ length: w }, (_, x) => Array.from({ length: c }, (_, k) => flat[(y * w + x) * c + k])));
}

/**
 * Independent 2-D convolution with TensorFlow's `same` padding (out = ceil(in / stride), the odd
 * padding pixel at the bottom/right). kernel is flat [kh, kw, Cin, Cout]; bias [Cout] or none.
 */
export function convOracle(input: Map3, kernel: ArrayLike<number>, k: number, cout: number, stride: number, bias?: ArrayLike<number>): Map3 {
  const [h, w, cin] = [input.length, input[0].length, input[0][0].length];
  const [oh, ow] = [Math.ceil(h / stride), Math.ceil(w / stride)];
  const padTop = Math.floor(Math.max((oh - 1) * stride + k - h, 0) / 2);
  const padLeft = Math.floor(Math.max((ow - 1) * stride + k - w, 0) / 2);
  return Array.from({ length: oh }, (_, oy) =>
    Array.from({ length: ow }, (_, ox) =>
      Array.from({ length: cout }, (_, co) => {
        let sum = bias ? bias[co] : 0;
        for (let ky = 0; ky < k; ky++) {
          for (let kx = 0; kx < k; kx++) {
            const [y, x] = [oy * stride + ky - padTop, ox * stride + kx - padLeft];
            if (y < 0 || y >= h || x < 0 || x >= w) continue;
            for (let ci = 0; ci < cin; ci++) sum += input[y][x][ci] * kernel[((ky * k + kx) * cin + ci) * cout + co];
          }
        }
        return sum;
      }),
    ),
  );
}

/** Depthwise `same` convolution oracle: kernel flat [k, k, C, 1], one filter per channel. */
export function depthwiseOracle(input: Map3, kernel: ArrayLike<number>, k: number, stride: number): Map3 {
  const c = input[0][0].length;
  const perChannel = Array.from({ length: c }, (_, ch) =>
    convOracle(
      input.map((row) => row.map((px) => [px[ch]])),
      Array.from({ length: k * k }, (_, i) => kernel[i * c + ch]),
      k,
      1,
      stride,
    ),
  );
  return perChannel[0].map((row, y) => row.map((_, x) => perChannel.map((m) => m[y][x][0])));
}

/** Element-wise map over a Map3. */
export function mapValues(m: Map3, f: (v: number, c: number) => number): Map3 {
  return m.map((row) => row.map((px) => px.map(f)));
}

/** Element-wise sum of two Map3 of equal shape. */
export function addMaps(a: Map3, b: Map3): Map3 {
  return a.map((row, y) => row.map((px, x) => px.map((v, c) => v + b[y][x][c])));
}

/**
 * Gives a layer seeded weights of its own shapes and returns them flat (in the layer's weight order).
 */
export function seedLayer(model: tf.LayersModel, name: string, seed: number, scale = 0.5): number[][] {
  const layer = model.getLayer(name);
  const values = layer.weights.map((w, i) => seededValues(w.shape.reduce((a, b) => a! * b!, 1)!, seed + 31 * i, scale));
  tf.tidy(() => layer.setWeights(values.map((v, i) => tf.tensor(v, layer.weights[i].shape as number[]))));
  return values;
}

/** Seeds a batch-norm layer: [gamma, beta, movingMean, movingVariance] with a positive variance. */
export function seedBn(model: tf.LayersModel, name: string, seed: number): number[][] {
  const [gamma, beta, mean, variance] = seedLayer(model, name, seed);
  const params = [gamma, beta, mean, variance.map((v) => Math.abs(v) + 0.5)];
  tf.tidy(() => model.getLayer(name).setWeights(params.map((v) => tf.tensor1d(v))));
  return params;
}

/** Batch norm in inference mode (moving statistics), epsilon 1e-5 as the backbones use. */
export function bnOracle(x: Map3, [gamma, beta, mean, variance]: number[][]): Map3 {
  return mapValues(x, (v, c) => gamma[c] * ((v - mean[c]) / Math.sqrt(variance[c] + 1e-5)) + beta[c]);
}
