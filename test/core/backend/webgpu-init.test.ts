/**
 * The webgpu backend on a real Dawn adapter (in CI a software one: Dawn's OpenGL ES backend on
 * Mesa llvmpipe, or Mesa ≥ 25 lavapipe): it initialises, names its adapter, computes a convolution
 * and its gradients as the cpu backend does, and refuses synchronous reads with one line. Where no
 * adapter exists it is skipped with one SKIPPED line, or fails with ASL_RUN_REQUIRE_WEBGPU=1
 * (test/backend-webgpu/webgpu-available.ts).
 * The wasm backend is initialised first, so that asl-run's process-wide gradient overrides (ReLU,
 * Sum, Mean) are in place, as they are when `doctor` or a test moves between backends.
 */
import { tf } from '../../../src/core/tf';
import { initBackend, type BackendInfo } from '../../../src/core/backend/init';
import { formatAdapter } from '../../../src/core/backend/webgpu/adapter';
import { Rng } from '../../../src/core/random';
import { describeWebgpu, itReportsTheAdapter, WEBGPU_ADAPTER } from '../../backend-webgpu/webgpu-available';

itReportsTheAdapter('the webgpu backend');

const normal = (rng: Rng, n: number) => Float32Array.from({ length: n }, () => rng.normal());

/** conv2d (stride 2, same padding) → ReLU → squares' spatial mean → sum: value and gradients for input and filter. */
function convStep(x: Float32Array, w: Float32Array): { value: tf.Scalar; grads: tf.Tensor[] } {
  return tf.tidy(() => {
    const input = tf.tensor4d(x, [2, 9, 9, 3]);
    const filter = tf.tensor4d(w, [3, 3, 3, 4]);
    const f = (a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mean(tf.square(tf.relu(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, 2, 'same'))), [1, 2]));
    const { value, grads } = tf.valueAndGrads(f)([input, filter]);
    return { value: value as tf.Scalar, grads };
  });
}

async function read(step: { value: tf.Scalar; grads: tf.Tensor[] }): Promise<Float32Array[]> {
  const values = await Promise.all([step.value, ...step.grads].map(async (t) => (await t.data()) as Float32Array));
  tf.dispose([step.value, ...step.grads]);
  return values;
}

describeWebgpu('the webgpu backend on a real adapter', () => {
  let info: BackendInfo;

  beforeAll(async () => {
    await initBackend('wasm');
    info = await initBackend('webgpu');
  });

  it('is active and names the adapter the probe found', () => {
    expect(tf.getBackend()).toBe('webgpu');
    expect(info.adapter).toEqual(WEBGPU_ADAPTER);
    expect(info.detail).toContain(formatAdapter(info.adapter!));
  });

  it('computes a convolution, ReLU, mean and sum and their gradients as the cpu backend does, with the wasm overrides registered', async () => {
    const rng = new Rng(15);
    const x = normal(rng, 2 * 9 * 9 * 3);
    const w = normal(rng, 3 * 3 * 3 * 4);
    const before = tf.memory().numTensors;
    const onGpu = await read(convStep(x, w));
    expect(tf.memory().numTensors).toBe(before);
    await initBackend('cpu');
    const onCpu = await read(convStep(x, w));
    await initBackend('webgpu');
    onCpu.forEach((reference, i) => {
      const scale = Math.max(...reference.map(Math.abs));
      const worst = Math.max(...reference.map((r, j) => Math.abs(onGpu[i][j] - r)));
      // float32 sums of up to 27 products in a different order: a few ulps of the largest value.
      expect(worst).toBeLessThanOrEqual(1e-5 * scale);
    });
  });

  it.each([2, 7, 8, 9, 40, 100])('adds %i tensors exactly (AddN past the storage-buffer limit is summed in groups)', async (n) => {
    const before = tf.memory().numTensors;
    const sum = tf.tidy(() => tf.addN(Array.from({ length: n }, (_, i) => tf.fill([3], i + 1))));
    const values = await sum.data();
    sum.dispose();
    expect([...values]).toEqual([0, 1, 2].map(() => (n * (n + 1)) / 2));
    expect(tf.memory().numTensors).toBe(before);
  });

  it('refuses a synchronous read of GPU memory with one line that names the remedy', () => {
    const t = tf.tidy(() => tf.square(tf.tensor1d([1, 2, 3])));
    expect(() => t.dataSync()).toThrow('webgpu backend: dataSync()/arraySync() cannot read GPU memory in Node (WebGPU reads back only asynchronously); this step must use await data()');
    t.dispose();
  });
});
