/**
 * The tfjs: backbone in process: a converter-style layers model becomes the backbone with its own
 * weights, feature maps at the taps with their strides; the model's top is dropped and freed; a
 * model input of another size or channel count, or an unusable tap, is refused in one line that
 * names the file, leaving no tensor behind.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { tf } from '../../src/core/tf';
import { initBackend } from '../../src/core/backend/init';
import { BackboneRegistry } from '../../src/backbones/registry';
import { resnetTiny } from '../../src/backbones/entries';
import { tfjsBackbones } from '../../src/backbones/tfjs-backbone';
import { buildClassifier } from '../../src/backbones/classifier';
import { backboneWeightNames } from '../../src/backbones/backbone-layers';
import { disposeModel, loadLayersModel, saveLayersModel } from '../../src/core/engine/model-io';
import { kerasLikeBody, saveConverterStyle } from './tfjs-model-fixture';
import { weightsOf } from '../core/engine/saved-weights';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'tfjs-backbone-'));
const adaptive = path.join(root, 'adaptive');
const fixed = path.join(root, 'fixed64');
const gray = path.join(root, 'gray');
const sequential = path.join(root, 'sequential');
const valid = path.join(root, 'valid');
const keras3 = path.join(root, 'keras3');
const registry = new BackboneRegistry([resnetTiny], [tfjsBackbones]);
const TAPS = ['block_2_relu', 'block_3_relu', 'block_4_add'];

const create = (dir: string, size: number, taps: string[] = TAPS) => registry.create(`tfjs:${dir}`, { inputShape: [size, size, 3], taps });

/** The error message of `fn`, after checking that it throws one line and leaves the tensor count as it was. */
function refusal(fn: () => unknown): string {
  const before = tf.memory().numTensors;
  let message = '';
  try {
    fn();
  } catch (err) {
    message = (err as Error).message;
  }
  expect(tf.memory().numTensors).toBe(before);
  expect(message).not.toBe('');
  expect(message).not.toContain('\n');
  return message;
}

beforeAll(async () => {
  await initBackend('cpu');
  const models: [tf.LayersModel, string, number][] = [[kerasLikeBody(1), adaptive, 2], [kerasLikeBody(2, 64), fixed, 1], [kerasLikeBody(3, null, 1), gray, 1]];
  // A layer the file marks frozen: the run, not the file, decides what trains.
  models[0][0].getLayer('block_1_conv').trainable = false;
  const seq = tf.sequential({ name: 'seq' });
  seq.add(tf.layers.conv2d({ inputShape: [null, null, 3], filters: 8, kernelSize: 3, strides: 2, padding: 'same', name: 'seq_conv1' }));
  seq.add(tf.layers.conv2d({ filters: 16, kernelSize: 3, strides: 2, padding: 'same', activation: 'relu', name: 'seq_conv2' }));
  models.push([seq, sequential, 1]);
  // 'valid' padding, as Keras' stride-2 blocks have: a map exact only where the image size divides by the stride.
  const floored = tf.sequential({ name: 'floored' });
  floored.add(tf.layers.conv2d({ inputShape: [null, null, 3], filters: 4, kernelSize: 3, strides: 2, padding: 'valid', name: 'valid_conv' }));
  models.push([floored, valid, 1]);
  for (const [model, dir, shards] of models) {
    await saveConverterStyle(model, dir, shards);
    disposeModel(model);
  }
  // Keras 3 tags each layer with its module (keras.layers); tfjs-layers cannot read that format.
  fs.cpSync(adaptive, keras3, { recursive: true });
  const json = JSON.parse(fs.readFileSync(path.join(keras3, 'model.json'), 'utf8'));
  for (const layer of json.modelTopology.config.layers) layer.module = 'keras.layers';
  fs.writeFileSync(path.join(keras3, 'model.json'), JSON.stringify(json));
});

afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

describe('tfjs: backbone', () => {
  it('takes the feature maps at the taps with their strides and the file\'s weights; the top is dropped and freed', async () => {
    const before = tf.memory().numTensors;
    const backbone = create(adaptive, 64);
    expect(backbone.name).toBe(`tfjs:${adaptive}`);
    expect(backbone.strides).toEqual([4, 8, 16]);
    expect(backbone.channels).toEqual([16, 24, 32]);
    expect(backbone.features.map((f) => f.shape)).toEqual([[null, 16, 16, 16], [null, 8, 8, 24], [null, 4, 4, 32]]);
    const model = buildClassifier(backbone, 5);
    // Only the classifier's weights are held: the file's top (top_dense) was freed.
    expect(tf.memory().numTensors - before).toBe(model.weights.length);
    const saved = weightsOf(adaptive);
    const kept = [...saved.keys()].filter((n) => n.startsWith('block_'));
    expect(kept).toHaveLength(4 * 5 + 2);
    expect([...backboneWeightNames(model)].sort()).toEqual(kept.sort());
    for (const name of kept) expect(model.weights.find((w) => w.originalName === name)!.read().dataSync()).toEqual(saved.get(name));
    expect(model.layers.map((l) => l.name)).not.toContain('top_dense');
    expect(model.getLayer('block_1_conv').trainableWeights).toHaveLength(1);

    // The run's saved model holds everything: it reloads without the file and predicts the same.
    const out = path.join(root, 'saved');
    await saveLayersModel(model, out);
    const reloaded = await loadLayersModel(out, () => undefined);
    const x = tf.randomUniform([2, 64, 64, 3], 0, 1, 'float32', 7);
    const diff = tf.tidy(() => tf.sub(model.predict(x) as tf.Tensor, reloaded.predict(x) as tf.Tensor).abs().max().dataSync()[0]);
    expect(diff).toBe(0);
    x.dispose();
    disposeModel(reloaded);
    disposeModel(model);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('adapts a model with free spatial dimensions to the image size, and takes a Sequential model', () => {
    const before = tf.memory().numTensors;
    const small = create(adaptive, 32);
    expect(small.features.map((f) => f.shape)).toEqual([[null, 8, 8, 16], [null, 4, 4, 24], [null, 2, 2, 32]]);
    const seq = create(sequential, 48, ['seq_conv1', 'seq_conv2']);
    expect(seq.strides).toEqual([2, 4]);
    expect(seq.channels).toEqual([8, 16]);
    for (const b of [small, seq]) disposeModel(tf.model({ inputs: b.inputs, outputs: b.features }));
    expect(tf.memory().numTensors).toBe(before);
  });

  it('builds a model of a fixed input size at that size only', () => {
    const backbone = create(fixed, 64);
    disposeModel(tf.model({ inputs: backbone.inputs, outputs: backbone.features }));
    expect(refusal(() => create(fixed, 32))).toBe(
      `${fixed}/model.json: the model's input is [null, 64, 64, 3], this run feeds [null, 32, 32, 3] (--image-size 32; images are RGB, gray replicated); `
        + 'convert the model with input_shape=(None, None, 3) or set --image-size to its size',
    );
  });

  it.each([
    ['no taps', adaptive, [], /^--backbone tfjs:\S+adaptive: needs --taps, .*; e\.g\. --taps block_2_relu,block_3_relu,block_4_add \(the deepest layer at each stride\)$/],
    ['an unknown tap', adaptive, ['block_2_rlu'], /^--taps: \S+adaptive\/model\.json has no layer 'block_2_rlu'; e\.g\. --taps block_2_relu,/],
    ['a tap that is no feature map', adaptive, ['top_pool'], /^--taps: layer 'top_pool' of \S+\/model\.json outputs \[null, 32\], not a 4-D feature map \[N, H, W, C\]$/],
    ['taps out of order', adaptive, ['block_3_relu', 'block_2_relu'], /^--taps block_3_relu,block_2_relu: on \S+ at --image-size 64, strides must be increasing powers of two, got \[8, 4\]$/],
    ['a map a row short of its stride', valid, ['valid_conv'], /^--taps valid_conv: on \S+ at --image-size 64, features\[0\] has shape \[null, 31, 31, 4\], expected \[null, 32, 32, 4\] for stride 2 .*; an --image-size divisible by the deepest tap's stride keeps every map exact$/],
    ['a Keras 3 model file', keras3, TAPS, /^\S+keras3\/model\.json: written in Keras 3's model format, which TF\.js cannot read; convert from Keras 2 \(/],
    ['a one-channel model', gray, ['block_2_relu'], /^\S+gray\/model\.json: the model's input is \[null, null, null, 1\], this run feeds \[null, 64, 64, 3\]/],
  ])('refuses %s in one line, naming the file or option', (_what, dir, taps, message) => {
    expect(refusal(() => create(dir, 64, taps))).toMatch(message);
  });

  it('refuses --taps with a registered backbone, and --width or stem stride 1 with a model file', () => {
    expect(refusal(() => registry.create('resnet-tiny', { inputShape: [64, 64, 3], taps: ['a'] }))).toBe(
      "--taps: applies to a backbone read from a model file (--backbone tfjs:…), not to 'resnet-tiny'",
    );
    expect(refusal(() => registry.create(`tfjs:${adaptive}`, { inputShape: [64, 64, 3], taps: TAPS, widthMultiplier: 0.5 }))).toMatch(/^--width 0\.5: applies to the built-in backbones/);
    expect(refusal(() => registry.create(`tfjs:${adaptive}`, { inputShape: [64, 64, 3], taps: TAPS, stemStride: 1 }))).toMatch(/^model\.stemStride 1: applies to the built-in backbones/);
  });
});
