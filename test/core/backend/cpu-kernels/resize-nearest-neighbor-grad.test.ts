import { tf } from '../../../../src/core/tf';
import { initBackend } from '../../../../src/core/backend/init';
import { resizeNearestNeighborGradCpuKernel } from '../../../../src/core/backend/cpu-kernels/resize-nearest-neighbor-grad';
import { buildDetector } from '../../../../src/tasks/detection/model';
import { headOptions } from '../../../../src/tasks/detection/options';
import { fcosHead } from '../../../../src/tasks/detection/heads/fcos';
import { disposeModel } from '../../../../src/core/engine/model-io';
import { pseudoRandom, randomTensor, relativeError, runOn } from '../wasm-kernels/cpu-oracle';
import { components } from '../../../components';

interface ResizeCase {
  x: [number, number, number, number];
  size: [number, number];
  alignCorners: boolean;
  halfPixelCenters: boolean;
}

const SHAPES: Pick<ResizeCase, 'x' | 'size'>[] = [
  { x: [2, 4, 4, 3], size: [8, 8] }, // the FPN's 2× up-sampling
  { x: [3, 3, 5, 2], size: [7, 11] }, // non-integer up-scaling
  { x: [2, 7, 6, 2], size: [3, 4] }, // down-scaling: some input pixels get nothing
  { x: [4, 1, 5, 1], size: [4, 2] }, // a size-1 axis
];
const FLAGS = [
  { alignCorners: false, halfPixelCenters: false },
  { alignCorners: true, halfPixelCenters: false },
  { alignCorners: false, halfPixelCenters: true },
];
const CASES: ResizeCase[] = SHAPES.flatMap((shape) => FLAGS.map((flags) => ({ ...shape, ...flags })));
const named = (cases: ResizeCase[]) =>
  cases.map((c) => [`x ${c.x} → ${c.size}, alignCorners ${c.alignCorners}, halfPixelCenters ${c.halfPixelCenters}`, c] as const);

const dyShape = (c: ResizeCase) => [c.x[0], c.size[0], c.size[1], c.x[3]];

/** d/dx Σ resize(x) · dy, through tf.grad: the path the FPN's up-sampling takes. */
function resizeGradient(c: ResizeCase): tf.Tensor {
  const dy = randomTensor(dyShape(c), 7);
  return tf.grad((x: tf.Tensor) => tf.sum(tf.mul(tf.image.resizeNearestNeighbor(x as tf.Tensor4D, c.size, c.alignCorners, c.halfPixelCenters), dy)))(randomTensor(c.x, 3));
}

/**
 * The analytic gradient: each input pixel receives the sum of dy over its preimage. The preimage is
 * read off the forward op itself, run on an image whose every value is its own flat index.
 */
function preimageGradient(c: ResizeCase): Float32Array {
  const count = c.x.reduce((a, b) => a * b, 1);
  const source = tf.tidy(() => tf.image.resizeNearestNeighbor(tf.reshape(tf.range(0, count), c.x) as tf.Tensor4D, c.size, c.alignCorners, c.halfPixelCenters).dataSync());
  const dy = pseudoRandom(dyShape(c).reduce((a, b) => a * b, 1), 7);
  const dx = new Float32Array(count);
  source.forEach((index, k) => (dx[index] += dy[k]));
  return dx;
}

describe('cpu ResizeNearestNeighborGrad', () => {
  beforeAll(() => initBackend('cpu'));

  it('is the registered cpu kernel after initBackend("cpu")', () => {
    expect(tf.getKernel(tf.ResizeNearestNeighborGrad, 'cpu')?.kernelFunc).toBe(resizeNearestNeighborGradCpuKernel.kernelFunc);
  });

  it.each(named(CASES))('equals the sum of dy over each pixel’s preimage: %s', async (_name, c) => {
    const [actual] = await runOn('cpu', () => resizeGradient(c));
    const expected = preimageGradient(c);
    expect(actual.shape).toEqual(c.x);
    // Sums of the same few float32 values in the same order: exact.
    expect(Array.from(actual.values)).toEqual(Array.from(expected));
  });

  it('follows TensorFlow’s source-pixel rule for 3 → 2 columns in every mode, at batch index 1 too', async () => {
    // TF: source = min(alignCorners ? round(s(x)) : floor(s(x)), 2); s(x) = x·1.5, (x + ½)·1.5 with
    // half-pixel centres, x·2 with aligned corners. Columns 0, 1 → sources {0, 1}, {0, 2}, {0, 2}.
    const dy = tf.tensor4d([1, 2, 10, 20], [2, 1, 2, 1]);
    const expected = { legacy: [1, 2, 0, 10, 20, 0], alignCorners: [1, 0, 2, 10, 0, 20], halfPixelCenters: [1, 0, 2, 10, 0, 20] };
    const gradient = (alignCorners: boolean, halfPixelCenters: boolean) =>
      tf.tidy(() => Array.from(tf.grad((x: tf.Tensor) => tf.sum(tf.mul(tf.image.resizeNearestNeighbor(x as tf.Tensor4D, [1, 2], alignCorners, halfPixelCenters), dy)))(tf.zeros([2, 1, 3, 1])).dataSync()));
    expect(gradient(false, false)).toEqual(expected.legacy);
    expect(gradient(true, false)).toEqual(expected.alignCorners);
    expect(gradient(false, true)).toEqual(expected.halfPixelCenters);
    dy.dispose();
  });

  // tfjs's wasm kernel ignores halfPixelCenters as well, and with alignCorners it divides by zero
  // on an input axis of size 1 (the preimage test covers both), so it is a reference only elsewhere.
  const wasmCases = CASES.filter((c) => !c.halfPixelCenters && !(c.alignCorners && (c.x[1] === 1 || c.x[2] === 1)));
  it.each(named(wasmCases))('matches the wasm backend: %s', async (_name, c) => {
    const expected = await runOn('wasm', () => resizeGradient(c));
    const actual = await runOn('cpu', () => resizeGradient(c));
    expect(relativeError(actual, expected)).toBe(0);
  });
});

describe('detection model gradients at batch 2 (FCOS: FPN with nearest up-sampling)', () => {
  it('agree between cpu and wasm for every weight', async () => {
    await initBackend('cpu');
    const { tasks, backbones } = components();
    const config = tasks.get('detection').defaults({ head: 'fcos' });
    config.model.imageSize = 32;
    const model = buildDetector(fcosHead, backbones, config, 3, headOptions(fcosHead, config.taskOptions));
    const weights = model.trainableWeights.map((w) => w.read() as tf.Variable);
    // A fixed random projection of the outputs, so every output row and column gets its own dy.
    const gradients = () => {
      const x = randomTensor([2, 32, 32, 3], 11);
      const { grads } = tf.variableGrads(() => {
        const out = model.apply(x, { training: true }) as tf.Tensor;
        return tf.sum(tf.mul(out, randomTensor(out.shape, 12))) as tf.Scalar;
      }, weights);
      return weights.map((w) => grads[w.name]);
    };
    const onWasm = await runOn('wasm', gradients);
    const onCpu = await runOn('cpu', gradients);
    // Float32 sums in different orders differ by ~1e-6 of the largest gradient; the stock cpu
    // kernel leaves about half of the weights (the FPN and everything below it) off by ~100%.
    const worst = Math.max(...onCpu.map((g, k) => relativeError([g], [onWasm[k]])));
    expect(worst).toBeLessThan(1e-4);
    disposeModel(model);
  });
});
