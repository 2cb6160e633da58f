/**
 * The networks and the training step every benchmark times: the reference CNN of the issue (the
 * network PyTorch also runs) and the default multi-label model (resnet-tiny + classifier head),
 * each trained by one Adam step on a fixed synthetic batch, exactly as the Trainer does a step
 * (image tensor made from host memory, forward in training mode, variableGrads, optimizer update).
 */
import { tf } from '../core/tf';
import { Optimizer } from '../core/engine/optimizers';
import { createBackbone, buildClassifier } from '../backbones';
import { multilabelTask } from '../tasks/multilabel';
import type { Loss } from '../losses/loss-plugin';
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

/** The default multi-label model (backbone and stem of the task's defaults) + global-pool/dense head. image [N, S, S, 3] → logits [N, numClasses]. */
export function buildMultiLabelModel(imageSize: number, numClasses = BENCH_CLASSES): tf.LayersModel {
  const { backbone: name, stemStride } = multilabelTask.defaults().model;
  const backbone = createBackbone(name, { inputShape: [imageSize, imageSize, 3], stemStride: stemStride as 1 | 2 });
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

/** Softmax cross-entropy, mean over the batch (torch's F.cross_entropy), against fixed class ids. */
export function softmaxCrossEntropy(batch: SyntheticBatch, numClasses = BENCH_CLASSES): { lossFn: LossFn; dispose(): void } {
  const oneHot = tf.oneHot(tf.tensor1d(batch.classIds, 'int32'), numClasses);
  return {
    lossFn: (logits) => tf.losses.softmaxCrossEntropy(oneHot, logits) as tf.Scalar,
    dispose: () => oneHot.dispose(),
  };
}

/** A registry loss (e.g. asl, bce) against the batch's fixed multi-hot targets. */
export function multiLabelLoss(loss: Loss, batch: SyntheticBatch, numClasses = BENCH_CLASSES): { lossFn: LossFn; dispose(): void } {
  if (loss.kind !== 'sigmoid') throw new Error(`bench: loss '${loss.name}' is a ${loss.kind} loss; the multi-label step needs a sigmoid loss`);
  const targets = tf.tensor2d(batch.multiHot, [batch.shape[0], numClasses]);
  return {
    lossFn: (logits) => loss.compute(logits, targets) as tf.Scalar,
    dispose: () => targets.dispose(),
  };
}

/**
 * One Adam step (lr 1e-3, torch defaults) of `model` on `batch`; `run(lossFn)` returns the loss
 * before the update. Every backend used here is synchronous, so reading the loss ends the step.
 */
export class TrainStep {
  private readonly trainable: tf.Variable[];
  private readonly optimizer: Optimizer;

  constructor(
    readonly model: tf.LayersModel,
    private readonly batch: SyntheticBatch,
  ) {
    this.trainable = model.trainableWeights.map((w) => w.read() as tf.Variable);
    // Under tidy: the Optimizer makes its slot variables from zerosLike tensors it never frees
    // (one-off, 2 per weight); tidy frees them, the variables keep their data.
    let optimizer: Optimizer | undefined;
    tf.tidy(() => {
      optimizer = new Optimizer(this.trainable, {
        name: 'adam', weightDecay: 0, beta1: 0.9, beta2: 0.999, eps: 1e-8, momentum: 0, nesterov: false,
      });
    });
    this.optimizer = optimizer!;
  }

  get batchSize(): number {
    return this.batch.shape[0];
  }

  run(lossFn: LossFn): number {
    return tf.tidy(() => {
      const x = tf.tensor4d(this.batch.images, this.batch.shape);
      const { value, grads } = tf.variableGrads(() => lossFn(this.model.apply(x, { training: true }) as tf.Tensor2D), this.trainable);
      this.optimizer.step(this.trainable.map((v) => grads[v.name]), BENCH_LR);
      return value.dataSync()[0];
    });
  }

  /** Frees the optimizer state and the model's weights. */
  dispose(): void {
    this.optimizer.dispose();
    this.model.dispose();
  }
}
