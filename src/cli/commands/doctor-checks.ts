/**
 * What `asl-run doctor` measures: which backends load here (and why the others do not), the
 * WebGPU adapters Dawn offers, and on each backend that loads the reference CNN's loss and
 * gradients against wasm's for the same weights and batch, and the images/s of its training
 * step. Every read from a backend is asynchronous: WebGPU in Node has no synchronous read-back.
 */
import { tf } from '../../core/tf';
import { initBackend, type BackendName } from '../../core/backend/init';
import { probeAdapters } from '../../core/backend/webgpu/dawn';
import { candidateApis, type AdapterDescription, type AdapterProbe } from '../../core/backend/webgpu/adapter';
import { buildReferenceCnn, BENCH_CLASSES, BENCH_RECIPE, type SyntheticBatch } from '../../bench/workloads';
import { adam } from '../../core/engine/optimizers';
import { disposeModel } from '../../core/engine/model-io';

export const DOCTOR_BACKENDS = ['tensorflow', 'webgpu', 'wasm', 'cpu'] as const satisfies readonly BackendName[];
export type DoctorBackend = (typeof DOCTOR_BACKENDS)[number];

export interface BackendCheck {
  backend: DoctorBackend;
  loaded: boolean;
  /** The backend line when it loaded, else why not. */
  detail: string;
  adapter?: AdapterDescription;
}

export interface WorkloadSize {
  batchSize: number;
  imageSize: number;
}

/** The reference CNN's loss and gradients on one backend. */
interface Evaluation {
  loss: number;
  /** Per trainable weight, in the model's order. */
  gradients: Float32Array[];
}

export interface ParityResult {
  backend: DoctorBackend;
  loss: number;
  /** |loss − wasm's| / |wasm's|. */
  lossRelDiff: number;
  /** Over every gradient tensor: max |g − g_wasm| / max |g_wasm| (relative to each tensor's scale, since elements near 0 have none). */
  gradientRelDiff: number;
}

export interface SpeedResult {
  backend: DoctorBackend;
  /** The first step, which on a GPU includes compiling its shaders. */
  firstStepMs: number;
  stepMs: number;
  imagesPerSecond: number;
  steps: number;
}

/** Tries each backend in turn; the last one tried stays active. */
export async function checkBackends(threads: string | undefined): Promise<BackendCheck[]> {
  const checks: BackendCheck[] = [];
  for (const backend of DOCTOR_BACKENDS) {
    try {
      const info = await initBackend(backend, { threads });
      checks.push({ backend, loaded: true, detail: info.detail, ...(info.adapter ? { adapter: info.adapter } : {}) });
    } catch (err) {
      checks.push({ backend, loaded: false, detail: (err as Error).message.replace(/^--backend \w+: /, '') });
    }
  }
  return checks;
}

/** Every API Dawn could use here, with its adapter or the reason there is none. */
export function checkAdapters(): AdapterProbe[] | string {
  return probeAdapters(candidateApis('any'));
}

/** Weights of the reference CNN made once (on wasm) and loaded on every backend, so that all compute the same function. */
export async function referenceWeights(size: WorkloadSize): Promise<Array<{ values: Float32Array; shape: number[] }>> {
  const model = buildReferenceCnn(size.imageSize);
  const weights = await Promise.all(model.getWeights().map(async (w) => ({ values: (await w.data()) as Float32Array, shape: w.shape })));
  disposeModel(model);
  return weights;
}

function modelWith(size: WorkloadSize, weights: Array<{ values: Float32Array; shape: number[] }>): tf.LayersModel {
  const model = buildReferenceCnn(size.imageSize);
  const tensors = weights.map((w) => tf.tensor(w.values, w.shape));
  model.setWeights(tensors);
  tf.dispose(tensors);
  return model;
}

/** Mean sigmoid cross-entropy against the batch's multi-hot labels (public ops only, like every loss here). */
function lossOf(model: tf.LayersModel, x: tf.Tensor4D, labels: tf.Tensor2D): tf.Scalar {
  const logits = model.apply(x, { training: true }) as tf.Tensor2D;
  return tf.losses.sigmoidCrossEntropy(labels, logits) as tf.Scalar;
}

function batchTensors(batch: SyntheticBatch): { x: tf.Tensor4D; labels: tf.Tensor2D } {
  return { x: tf.tensor4d(batch.images, batch.shape), labels: tf.tensor2d(batch.multiHot, [batch.shape[0], BENCH_CLASSES]) };
}

/** Loss and gradients of the reference CNN with `weights` on the active backend. */
export async function evaluate(size: WorkloadSize, weights: Array<{ values: Float32Array; shape: number[] }>, batch: SyntheticBatch): Promise<Evaluation> {
  const model = modelWith(size, weights);
  const trainable = model.trainableWeights.map((w) => w.read() as tf.Variable);
  const { x, labels } = batchTensors(batch);
  const { value, grads } = tf.variableGrads(() => lossOf(model, x, labels), trainable);
  const ordered = trainable.map((v) => grads[v.name]);
  const loss = (await value.data())[0];
  const gradients = await Promise.all(ordered.map(async (g) => (await g.data()) as Float32Array));
  tf.dispose([value, ...ordered, x, labels]);
  disposeModel(model);
  return { loss, gradients };
}

export function compare(backend: DoctorBackend, result: Evaluation, reference: Evaluation): ParityResult {
  const lossRelDiff = Math.abs(result.loss - reference.loss) / Math.max(Math.abs(reference.loss), Number.MIN_VALUE);
  let gradientRelDiff = 0;
  reference.gradients.forEach((ref, i) => {
    let maxDiff = 0;
    let scale = 0;
    ref.forEach((r, j) => {
      maxDiff = Math.max(maxDiff, Math.abs(result.gradients[i][j] - r));
      scale = Math.max(scale, Math.abs(r));
    });
    gradientRelDiff = Math.max(gradientRelDiff, scale > 0 ? maxDiff / scale : maxDiff);
  });
  return { backend, loss: result.loss, lossRelDiff, gradientRelDiff };
}

/**
 * Times the reference CNN's Adam step on the active backend: one step (shader compilation on a
 * GPU), then steps until `budgetMs` has passed (at least one, at most 20). Each step ends by
 * reading its loss, as the trainer does, so queued GPU work is counted.
 */
export async function timeSteps(size: WorkloadSize, weights: Array<{ values: Float32Array; shape: number[] }>, batch: SyntheticBatch, budgetMs: number): Promise<Omit<SpeedResult, 'backend'>> {
  const model = modelWith(size, weights);
  const trainable = model.trainableWeights.map((w) => w.read() as tf.Variable);
  const optimizer = adam.create(trainable, BENCH_RECIPE.optimizer);
  const { x, labels } = batchTensors(batch);
  const step = async () => {
    const loss = tf.tidy(() => {
      const { value, grads } = tf.variableGrads(() => lossOf(model, x, labels), trainable);
      optimizer.step(trainable.map((v) => grads[v.name]), BENCH_RECIPE.lr);
      return value;
    });
    await loss.data();
    loss.dispose();
  };
  let start = performance.now();
  await step();
  const firstStepMs = performance.now() - start;
  let steps = 0;
  start = performance.now();
  while (steps < 20 && (steps === 0 || performance.now() - start < budgetMs)) {
    await step();
    steps++;
  }
  const stepMs = (performance.now() - start) / steps;
  optimizer.dispose();
  tf.dispose([x, labels]);
  disposeModel(model);
  return { firstStepMs, stepMs, imagesPerSecond: (size.batchSize * 1000) / stepMs, steps };
}
