/**
 * The tensorflow-backend computations of test/backend-parity, run in a process of their own: TensorFlow
 * reads its environment (asl-run's setNativeDefaults) when its library loads, and a jest worker's
 * process.env is a copy that never reaches the library. Runs the built package (dist/), as the CLI does.
 *
 * Its per-task step (exported, with the comparisons) is also what test/backend-webgpu runs on webgpu.
 *
 * node native-steps.js conv|conv-after-webgpu|steps CACHE_DIR → one JSON line on stdout:
 *   conv:  [{ case, difference }] — conv2d output and both gradients on tensorflow against cpu
 *   conv-after-webgpu: the same, in a process that ran webgpu first
 *   steps: [{ task, taskOptions, loss: { wasm, tensorflow }, gradDifference, updateDifference, leaked }],
 *          the differences relative to the wasm step's scale (worstGlobalRelative, worstRelative)
 */
const dist = (module) => require(`../../dist/${module}`);
const { tf } = dist('core/tf');
const { initBackend, readsSynchronously } = dist('core/backend/init');
const { createContainer, TOKENS } = dist('core/container');
const { Optimizer } = dist('core/engine/optimizers');

/** Worst |a − b| over max |b|, per pair of arrays (each array against its own scale). */
function worstRelative(a, b) {
  return Math.max(...a.map((x, i) => maxAbsDifference([x], [b[i]]) / Math.max(1e-12, maxAbs([b[i]]))));
}

/**
 * Worst |a − b| over the largest |b| of all arrays: gradients against the step's gradient scale. A
 * weight whose gradient is zero in exact arithmetic (a bias before a batch norm) carries only
 * rounding noise, which its own scale would magnify into any ratio.
 */
function worstGlobalRelative(a, b) {
  return maxAbsDifference(a, b) / Math.max(1e-12, maxAbs(b));
}

function maxAbsDifference(a, b) {
  let diff = 0;
  a.forEach((x, i) => x.forEach((v, j) => (diff = Math.max(diff, Math.abs(v - b[i][j])))));
  return diff;
}

function maxAbs(arrays) {
  let m = 0;
  arrays.forEach((x) => x.forEach((v) => (m = Math.max(m, Math.abs(v)))));
  return m;
}

const ramp = (size, phase) => Float32Array.from({ length: size }, (_, i) => Math.sin(i * 0.37 + phase));

/** The second case is the stride-2 convolution of resnet-tiny's third stage, where TensorFlow 2.21's oneDNN input gradient is wrong. */
const CONV_CASES = [
  [[2, 9, 9, 3], [3, 3, 3, 4], 2, 'same'],
  [[4, 16, 16, 48], [3, 3, 48, 96], 2, 'same'],
  [[4, 16, 16, 48], [1, 1, 48, 96], 2, 'same'],
  [[4, 15, 15, 8], [3, 3, 8, 16], 2, 'valid'],
  [[4, 16, 16, 24], [3, 3, 24, 24], 1, 'same'],
];

async function conv(backend, [xShape, fShape, stride, pad]) {
  await initBackend(backend);
  return tf.tidy(() => {
    const x = tf.tensor4d(ramp(tf.util.sizeFromShape(xShape), 0), xShape);
    const f = tf.tensor4d(ramp(tf.util.sizeFromShape(fShape), 1), fShape);
    const [dx, df] = tf.grads((a, b) => tf.sum(tf.square(tf.conv2d(a, b, stride, pad))))([x, f]);
    return [tf.conv2d(x, f, stride, pad), dx, df].map((t) => t.dataSync());
  });
}

const TASKS = [
  ['multilabel', undefined],
  ['singlelabel', undefined],
  ['detection', undefined],
  ['detection', { head: 'yolox' }],
];
const ADAM = { name: 'adam', weightDecay: 0, beta1: 0.9, beta2: 0.999, eps: 1e-8, momentum: 0, nesterov: false };

/**
 * On `backend`: prepares `task` on the fewest generated images its built-in set allows, sets the model's
 * weights to `weights` (when given), computes the loss and gradients of one batch, then one Adam step
 * with `adamGrads` (default the step's own). Reports tensors left behind.
 */
async function step(backend, task, taskOptions, cacheDir, weights, adamGrads) {
  await initBackend(backend);
  const container = createContainer();
  const tasks = container.get(TOKENS.TaskRegistry);
  const defaults = tasks.get(task).defaults(taskOptions);
  const count = task === 'singlelabel' ? 100 : 4;
  const config = {
    ...defaults,
    taskOptions: { ...defaults.taskOptions, ...taskOptions },
    data: { ...defaults.data, builtinOptions: { ...defaults.data.builtinOptions, trainCount: count, valCount: count, cacheDir } },
    train: { ...defaults.train, batchSize: 4 },
  };
  const prepared = await tasks.get(task).prepare(config, { losses: container.get(TOKENS.LossRegistry), log: () => undefined });
  let batch;
  for await (const b of prepared.train.batches(0)) {
    batch = b;
    break;
  }
  const { model } = prepared.adapter;
  if (weights) model.setWeights(model.weights.map((w, i) => tf.tensor(weights[i], w.shape)));
  const initial = await readAll(model.getWeights());
  const before = tf.memory().numTensors;
  const trainable = model.trainableWeights.map((w) => w.read());
  // As the trainer does where the backend reads only asynchronously: the task reads the predictions
  // before the tape (the extra forward's batch-norm statistics touch nothing compared here).
  if (prepared.adapter.prepareStep && !readsSynchronously()) {
    await prepared.adapter.prepareStep(batch, () => tf.tidy(() => model.apply(tf.tensor4d(batch.images, batch.shape), { training: true })));
  }
  const { value, grads: g } = tf.tidy(() => {
    const x = tf.tensor4d(batch.images, batch.shape);
    const result = tf.variableGrads(() => prepared.adapter.loss(model.apply(x, { training: true }), batch).total, trainable);
    return { value: result.value, grads: trainable.map((v) => result.grads[v.name] ?? tf.zerosLike(v)) };
  });
  const [loss] = await value.data();
  const grads = await readAll(g);
  tf.dispose([value, ...g]);
  const optimizer = new Optimizer(trainable, ADAM);
  const given = (adamGrads ?? grads).map((values, i) => tf.tensor(values, trainable[i].shape));
  optimizer.step(given, 1e-3);
  tf.dispose(given);
  const updated = await readAll(trainable);
  optimizer.dispose();
  const leaked = tf.memory().numTensors - before;
  model.dispose();
  return { initial, loss, grads, updated, leaked };
}

/** The values of `tensors`, read asynchronously (the one read WebGPU has in Node). */
function readAll(tensors) {
  return Promise.all(tensors.map((t) => t.data()));
}

/** One step of `task` on wasm, then on `backend` from wasm's weights and batch (its update from wasm's gradients), compared. */
async function compareStep(backend, task, taskOptions, cacheDir) {
  const wasm = await step('wasm', task, taskOptions, cacheDir);
  const other = await step(backend, task, taskOptions, cacheDir, wasm.initial, wasm.grads);
  return {
    task, taskOptions,
    loss: { wasm: wasm.loss, [backend]: other.loss },
    gradDifference: worstGlobalRelative(other.grads, wasm.grads),
    updateDifference: worstRelative(other.updated, wasm.updated),
    leaked: { wasm: wasm.leaked, [backend]: other.leaked },
  };
}

async function main() {
  const [what, cacheDir] = process.argv.slice(2);
  const results = [];
  if (what === 'conv' || what === 'conv-after-webgpu') {
    // Dawn on llvmpipe brings Mesa's LLVM into the process before TensorFlow's own (see own-symbols.ts).
    if (what === 'conv-after-webgpu') {
      await initBackend('webgpu');
      await tf.tidy(() => tf.conv2d(tf.ones([1, 4, 4, 1]), tf.ones([3, 3, 1, 1]), 1, 'same')).data();
    }
    for (const c of CONV_CASES) {
      const reference = await conv('cpu', c);
      const native = await conv('tensorflow', c);
      results.push({ case: c, difference: worstRelative(native, reference) });
    }
  } else {
    for (const [task, taskOptions] of TASKS) results.push(await compareStep('tensorflow', task, taskOptions, cacheDir));
  }
  process.stdout.write(`${JSON.stringify(results)}\n`);
}

module.exports = { TASKS, compareStep };

if (require.main === module) {
  main().catch((err) => {
    process.stderr.write(`${err.stack}\n`);
    process.exit(1);
  });
}
