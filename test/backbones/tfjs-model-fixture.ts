/**
 * TF.js layers models laid out as tensorflowjs_converter writes a Keras model (model.json + weight
 * shards, no SHA256SUMS), and a small Keras-application-like body for the tfjs: backbone's tests.
 */
import * as fs from 'fs';
import * as path from 'path';
import { tf } from '../../src/core/tf';

/**
 * Writes `model` into `dir` as model.json + `shards` weight files (the converter splits at 4 MB;
 * here the weight bytes are split into `shards` parts so that a missing one can be tested).
 */
export async function saveConverterStyle(model: tf.LayersModel, dir: string, shards = 1): Promise<void> {
  fs.mkdirSync(dir, { recursive: true });
  await model.save(tf.io.withSaveHandler(async (artifacts) => {
    const bytes = Buffer.from(artifacts.weightData as ArrayBuffer);
    const size = Math.ceil(bytes.length / shards);
    const paths = Array.from({ length: shards }, (_, i) => `group1-shard${i + 1}of${shards}.bin`);
    paths.forEach((name, i) => fs.writeFileSync(path.join(dir, name), bytes.subarray(i * size, (i + 1) * size)));
    const json = { format: 'layers-model', generatedBy: 'keras v2.15.0', convertedBy: 'TensorFlow.js Converter v4.22.0', modelTopology: artifacts.modelTopology, weightsManifest: [{ paths, weights: artifacts.weightSpecs }] };
    fs.writeFileSync(path.join(dir, 'model.json'), JSON.stringify(json));
    return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
  }));
}

const apply = (layer: tf.layers.Layer, x: tf.SymbolicTensor | tf.SymbolicTensor[]) => layer.apply(x) as tf.SymbolicTensor;

/**
 * A functional model named like a Keras application: `block_<i>_conv` (3x3, stride 2) → `_bn` →
 * `_relu` (ReLU6) for i = 1…4 (strides 2, 4, 8, 16; 8, 16, 24, 32 channels), a residual add at
 * stride 16, then a pooled dense top no tap needs. Its input is [null, `size`, `size`, `channels`]:
 * size null adapts to any image size, like Keras' input_shape=(None, None, 3).
 */
export function kerasLikeBody(seed: number, size: number | null = null, channels = 3): tf.LayersModel {
  const input = tf.input({ batchShape: [null, size, size, channels], name: 'input_1' });
  let x = input;
  for (let i = 1; i <= 4; i++) {
    x = apply(tf.layers.conv2d({ filters: 8 * i, kernelSize: 3, strides: 2, padding: 'same', useBias: false, kernelInitializer: tf.initializers.glorotUniform({ seed: seed + i }), name: `block_${i}_conv` }), x);
    x = apply(tf.layers.batchNormalization({ momentum: 0.999, epsilon: 1e-3, name: `block_${i}_bn` }), x);
    x = apply(tf.layers.reLU({ maxValue: 6, name: `block_${i}_relu` }), x);
  }
  const branch = apply(tf.layers.conv2d({ filters: 32, kernelSize: 1, padding: 'same', kernelInitializer: tf.initializers.glorotUniform({ seed }), name: 'block_4_project' }), x);
  x = apply(tf.layers.add({ name: 'block_4_add' }), [x, branch]);
  const pooled = apply(tf.layers.globalAveragePooling2d({ name: 'top_pool' }), x);
  const logits = apply(tf.layers.dense({ units: 7, name: 'top_dense' }), pooled);
  const model = tf.model({ inputs: input, outputs: logits, name: 'keras_like' });
  // Every weight (batch-norm statistics included) distinct from any initialiser's, so that "loaded" is visible.
  model.weights.forEach((w, i) => tf.tidy(() => {
    w.write(tf.randomUniform(w.shape as number[], 0.5, 1.5, 'float32', seed * 1000 + i));
  }));
  return model;
}
