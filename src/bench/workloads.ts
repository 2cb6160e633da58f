/**
 * The networks and the training step every benchmark times: the reference CNN of the issue (the
 * network PyTorch also runs) and the default multi-label model (resnet-tiny + classifier head),
 * each trained by one Adam step on a fixed synthetic batch; and the training step itself, as the
 * Trainer does it (image tensor made from host memory, forward in training mode, variableGrads,
 * gradient norm and clipping, optimizer update, EMA), which the detection figure also uses.
 */
import { tf } from '../core/tf';
import type { OptimizerConfig, OptimizerEntry, TrainingOptimizer } from '../core/engine/optimizers';
import type { Registry } from '../core/registry/registry';
import { WeightEma } from '../core/engine/ema';
import { disposeModel } from '../core/engine/model-io';
import type { TrainConfig } from '../core/engine/trainer';
import { buildClassifier } from '../backbones';
import type { Container } from 'inversify';
import { createContainer, TOKENS } from '../core/container';
import type { BackboneRegistry } from '../backbones/registry';
import type { TaskRegistry } from '../core/registry/task-registry';
import type { Loss } from '../losses/loss-plugin';
import { requireLossKind } from '../tasks/common/loss-kind';
import { Rng } from '../core/random';

/** Classes of both benchmark networks (the ten digits of mnist-multilabel). */
export const BENCH_CLASSES = 10;
export const BENCH_LR = 1e-3;

/**
 * 3 convs 3x3 stride 2 (32/64/128 channels, ReLU, `same` padding) → global average pool → dense.
 * image [N, S, S, 3] → logits [N, numClasses]. PyTorch's twin is in torch-reference.ts.
 */
export function buildReferenceCnn(imageSize: number, numClasses = BENCH_CLASSES): tf.LayersModel {
  const input = tf.input({ shape: [imageSize, imageSize, 3] });
  let x = input;
  for (const filters of [32, 64, 128]) {
    x = tf.layers.conv2d({ filters, kernelSize: 3, strides: 2, padding: 'same', activation: 'relu' }).apply(x) as tf.SymbolicTensor;
  }
  x = tf.layers.globalAveragePooling2d({}).apply(x) as tf.SymbolicTensor;
  const logits = tf.layers.dense({ units: numClasses }).apply(x) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: logits, name: 'reference-cnn' });
}

let container: Container | undefined;

/** The built-in components the bench's own steps resolve (one container for the process). */
function benchContainer(): Container {
  return (container ??= createContainer());
}

/** The default multi-label model (backbone and stem of the task's defaults) + global-pool/dense head. image [N, S, S, 3] → logits [N, numClasses]. */
export function buildMultiLabelModel(imageSize: number, numClasses = BENCH_CLASSES): tf.LayersModel {
  const container = benchContainer();
  const { backbone: name, stemStride } = container.get<TaskRegistry>(TOKENS.TaskRegistry).get('multilabel').defaults().model;
  const backbone = container.get<BackboneRegistry>(TOKENS.BackboneRegistry).create(name, { inputShape: [imageSize, imageSize, 3], stemStride: stemStride as 1 | 2 });
  return buildClassifier(backbone, numClasses);
}

/** A fixed batch in host memory: images [B, S, S, 3] in N(0, 1), one class id per image, and multi-hot labels. */
export interface SyntheticBatch {
  images: Float32Array;
  shape: [number, number, number, 3];
  classIds: Int32Array;
  multiHot: Float32Array;
}

export function syntheticBatch(batchSize: number, imageSize: number, seed = 0, numClasses = BENCH_CLASSES): SyntheticBatch {
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new Error(`bench: batch size must be a positive integer, got ${batchSize}`);
  if (!Number.isInteger(imageSize) || imageSize < 8) throw new Error(`bench: image size must be an integer >= 8, got ${imageSize}`);
  const rng = new Rng(seed);
  const images = Float32Array.from({ length: batchSize * imageSize * imageSize * 3 }, () => rng.normal());
  const classIds = Int32Array.from({ length: batchSize }, () => rng.int(numClasses));
  const multiHot = new Float32Array(batchSize * numClasses);
  // Like mnist-multilabel: 1-4 digits per image.
  classIds.forEach((first, row) => {
    multiHot[row * numClasses + first] = 1;
    for (let extra = rng.int(4); extra > 0; extra--) multiHot[row * numClasses + rng.int(numClasses)] = 1;
  });
  return { images, shape: [batchSize, imageSize, imageSize, 3], classIds, multiHot };
}

/** logits [B, C] → scalar loss. */
export type LossFn = (logits: tf.Tensor2D) => tf.Scalar;

/**
 * A registry softmax loss against the batch's fixed class ids — `ce` is torch's
 * F.cross_entropy (mean over the batch), what PyTorch's reference step uses.
 */
export function singleLabelLoss(loss: Loss, batch: SyntheticBatch): { lossFn: LossFn; dispose(): void } {
  requireLossKind(loss, 'softmax', 'bench: loss', 'the reference step');
  const classIds = tf.tensor1d(batch.classIds, 'int32');
  return {
    lossFn: (logits) => loss.compute(logits, classIds) as tf.Scalar,
    dispose: () => classIds.dispose(),
  };
}

/** A registry loss (e.g. asl, bce) against the batch's fixed multi-hot targets. */
export function multiLabelLoss(loss: Loss, batch: SyntheticBatch, numClasses = BENCH_CLASSES): { lossFn: LossFn; dispose(): void } {
  requireLossKind(loss, 'sigmoid', 'bench: loss', 'the multi-label step');
  const targets = tf.tensor2d(batch.multiHot, [batch.shape[0], numClasses]);
  return {
    lossFn: (logits) => loss.compute(logits, targets) as tf.Scalar,
    dispose: () => targets.dispose(),
  };
}

/** Images in host memory, NHWC: what the Trainer turns into the step's input tensor. */
export interface HostImages {
  images: Float32Array;
  shape: [number, number, number, number];
}

/** How a step updates the weights. */
export interface StepRecipe {
  optimizer: OptimizerConfig;
  lr: number;
  /** Read the global gradient norm every step, as the Trainer does (it logs it and stops on a non-finite one). */
  gradNorm: boolean;
  /** Clip the global gradient norm to this; 0 disables (needs the norm, so it is read whenever > 0). */
  gradClipNorm: number;
  /** An EMA of every weight updated after each step, as the Trainer with EMA on; absent: none. */
  ema?: { decay: number; warmup: boolean };
}

/** The benchmarks' own recipe: Adam lr 1e-3 with torch's defaults, nothing else (the PyTorch reference's step). */
export const BENCH_RECIPE: StepRecipe = {
  optimizer: { name: 'adam', weightDecay: 0, beta1: 0.9, beta2: 0.999, eps: 1e-8, momentum: 0, nesterov: false },
  lr: BENCH_LR,
  gradNorm: false,
  gradClipNorm: 0,
};

/** A run config's training recipe at its peak learning rate (no schedule: one lr is as costly as another). */
export function recipeOf(train: TrainConfig): StepRecipe {
  return {
    optimizer: train.optimizer, lr: train.lr, gradNorm: true, gradClipNorm: train.gradClipNorm,
    ...(train.ema.enabled ? { ema: { decay: train.ema.decay, warmup: train.ema.warmup } } : {}),
  };
}

/**
 * One update of `model` on fixed host images, as the Trainer does a step: input tensor from host
 * memory, forward in training mode and the loss under variableGrads, gradient norm and clipping,
 * optimizer update, EMA. `run(lossFn)` resolves to the loss before the update. Values come back
 * with `await data()` (WebGPU in Node has no synchronous read-back), the loss last, so that its
 * read waits for the update's work too and ends the step.
 * @typeParam Outputs what the model's apply returns (a Tensor2D of logits for the classifiers).
 */
export class TrainStep<Outputs extends tf.Tensor | tf.Tensor[] = tf.Tensor2D> {
  private readonly trainable: tf.Variable[];
  private readonly weights: tf.Variable[];
  private readonly optimizer: TrainingOptimizer;
  private readonly ema?: WeightEma;

  constructor(
    readonly model: tf.LayersModel,
    private readonly batch: HostImages,
    private readonly recipe: StepRecipe = BENCH_RECIPE,
  ) {
    this.trainable = model.trainableWeights.map((w) => w.read() as tf.Variable);
    this.weights = model.weights.map((w) => w.read() as tf.Variable);
    this.optimizer = benchContainer().get<Registry<OptimizerEntry>>(TOKENS.OptimizerRegistry).get(recipe.optimizer.name).create(this.trainable, recipe.optimizer);
    if (recipe.ema) this.ema = new WeightEma(this.weights, recipe.ema.decay, recipe.ema.warmup);
  }

  get batchSize(): number {
    return this.batch.shape[0];
  }

  async run(lossFn: (outputs: Outputs) => tf.Scalar): Promise<number> {
    const clip = this.recipe.gradClipNorm;
    const step = tf.tidy(() => {
      const x = tf.tensor4d(this.batch.images, this.batch.shape);
      const { value, grads } = tf.variableGrads(() => lossFn(this.model.apply(x, { training: true }) as Outputs), this.trainable);
      const ordered = this.trainable.map((v) => grads[v.name] ?? tf.zerosLike(v));
      const norm = this.recipe.gradNorm || clip > 0 ? tf.sqrt(tf.addN(ordered.map((g) => tf.sum(tf.square(g))))) : undefined;
      return { value, ordered, ...(norm ? { norm } : {}) };
    });
    try {
      const norm = step.norm ? (await step.norm.data())[0] : 0;
      tf.tidy(() => {
        this.optimizer.step(clip > 0 && norm > clip ? step.ordered.map((g) => g.mul(clip / (norm + 1e-6))) : step.ordered, this.recipe.lr);
        this.ema?.update();
      });
      return (await step.value.data())[0];
    } finally {
      tf.dispose(step);
    }
  }

  /** Frees the optimizer state, the EMA and the model's weights. */
  dispose(): void {
    this.optimizer.dispose();
    this.ema?.dispose();
    disposeModel(this.model);
  }
}

/** A workload that failed on the active backend, with the first line of its error. */
export interface WorkloadFailure {
  workload: string;
  reason: string;
}

/**
 * Runs each workload in turn; one that throws is logged as `<figure>: <name> failed: …` and
 * recorded, not fatal, so the others still run (webgpu refuses some).
 */
export async function runEachWorkload<W extends { name: string }, R>(
  figure: string, workloads: readonly W[], run: (workload: W) => Promise<R>, log: (line: string) => void,
): Promise<{ workloads: R[]; failed: WorkloadFailure[] }> {
  const result: { workloads: R[]; failed: WorkloadFailure[] } = { workloads: [], failed: [] };
  for (const w of workloads) {
    try {
      result.workloads.push(await run(w));
    } catch (err) {
      const reason = (err instanceof Error ? err.message : String(err)).split('\n')[0];
      log(`${figure}: ${w.name} failed: ${reason}`);
      result.failed.push({ workload: w.name, reason });
    }
  }
  return result;
}
