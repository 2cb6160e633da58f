/**
 * --init-from in process: a run's model and a converter-style TF.js layers model map onto a new
 * model by weight name and shape, and every source that would load silently in part is refused in one line.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { tf } from '../../../src/core/tf';
import { initBackend } from '../../../src/core/backend/init';
import { baseRunConfig, type RunConfig } from '../../../src/core/run-config';
import { BackboneRegistry } from '../../../src/backbones/registry';
import { resnetSmall, resnetTiny } from '../../../src/backbones/entries';
import { backboneWeightNames } from '../../../src/backbones/backbone-layers';
import { buildClassificationModel } from '../../../src/tasks/common/classification-model';
import { disposeModel, saveLayersModel } from '../../../src/core/engine/model-io';
import { initFrom } from '../../../src/core/engine/init-from';
import { saveConverterStyle } from '../../backbones/tfjs-model-fixture';

const backbones = new BackboneRegistry([resnetTiny, resnetSmall]);
const root = fs.mkdtempSync(path.join(os.tmpdir(), 'init-from-'));
const run = path.join(root, 'run');

function classifier(seed: number, classes: number, backbone = 'resnet-tiny'): tf.LayersModel {
  const config: RunConfig = baseRunConfig();
  config.train.seed = seed;
  config.model.backbone = backbone;
  return buildClassificationModel(config, classes, backbones);
}

const values = (model: tf.LayersModel, name: string) => model.weights.find((w) => w.originalName === name)!.read().dataSync();

/** A small Keras-style model: its first conv and batch norm are named like the ResNet stem, the rest is its own. */
function kerasStyle(stemFilters: number, stemName = 'stem'): tf.LayersModel {
  const input = tf.input({ shape: [64, 64, 3] });
  let x = tf.layers.conv2d({ filters: stemFilters, kernelSize: 3, padding: 'same', useBias: false, name: `${stemName}_conv` }).apply(input) as tf.SymbolicTensor;
  x = tf.layers.batchNormalization({ name: `${stemName}_bn` }).apply(x) as tf.SymbolicTensor;
  x = tf.layers.globalAveragePooling2d({ name: 'keras_pool' }).apply(x) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: tf.layers.dense({ units: 5, name: 'keras_logits' }).apply(x) as tf.SymbolicTensor });
}

describe('--init-from', () => {
  let source: tf.LayersModel;
  const lines: string[] = [];
  const log = (line: string) => lines.push(line);

  beforeAll(async () => {
    await initBackend('cpu');
    source = classifier(1, 10);
    await saveLayersModel(source, path.join(run, 'model'), { task: 'singlelabel' });
  });
  afterAll(() => {
    disposeModel(source);
    fs.rmSync(root, { recursive: true, force: true });
  });
  beforeEach(() => (lines.length = 0));

  it('marks the backbone sub-graph: stem and stages, not the classifier', () => {
    const names = backboneWeightNames(source);
    expect(names.has('stem_conv/kernel')).toBe(true);
    expect(names.has('stem_bn/moving_mean')).toBe(true);
    expect([...names].some((n) => n.startsWith('stage3'))).toBe(true);
    const head = source.weights.map((w) => w.originalName).filter((n) => !names.has(n));
    expect(head).toEqual(['head_logits/kernel', 'head_logits/bias']);
  });

  it('loads a run into a model with other classes: the backbone exactly, the classifier left fresh, one line', () => {
    const target = classifier(2, 3);
    const freshLogits = values(target, 'head_logits/kernel');
    expect(values(target, 'stem_conv/kernel')).not.toEqual(values(source, 'stem_conv/kernel'));
    const before = tf.memory().numTensors;
    const report = initFrom(target, { initFrom: run, initFromPartial: false }, log);
    expect(tf.memory().numTensors).toBe(before);
    for (const name of backboneWeightNames(target)) expect(values(target, name)).toEqual(values(source, name));
    expect(values(target, 'head_logits/kernel')).toEqual(freshLogits);
    expect(report.mismatched.map(([n]) => n)).toEqual(['head_logits/kernel', 'head_logits/bias']);
    expect(report.missing).toEqual([]);
    expect(report.loaded).toHaveLength(target.weights.length - 2);
    expect(lines).toHaveLength(1);
    const n = report.loaded.length;
    expect(lines[0]).toBe(
      `asl-run: --init-from ${run}: loaded ${n} of ${n + 2} weight tensors (backbone ${n} of ${n}); 2 initialised fresh: 2 shape mismatch (e.g. head_logits/kernel); 0 source tensors unused`,
    );
    disposeModel(target);
  });

  describe('from a TF.js layers model (converter layout)', () => {
    const keras = path.join(root, 'keras');
    let k: tf.LayersModel;
    beforeAll(async () => {
      const target = classifier(2, 3);
      k = kerasStyle(target.getLayer('stem_conv').getWeights()[0].shape[3] as number);
      disposeModel(target);
      await saveConverterStyle(k, keras);
    });
    afterAll(() => disposeModel(k));

    it('refuses a backbone that would load in part, naming --init-from-partial', () => {
      const target = classifier(2, 3);
      const stem = values(target, 'stem_conv/kernel');
      expect(() => initFrom(target, { initFrom: keras, initFromPartial: false }, log)).toThrow(
        /^--init-from .*keras: \d+ of the backbone's \d+ weight tensors do not load \(first: '[^']+', not in the source\); .*add --init-from-partial to load the rest$/,
      );
      expect(values(target, 'stem_conv/kernel')).toEqual(stem);
      expect(lines).toEqual([]);
      disposeModel(target);
    });

    it.each([['folder', ''], ['model.json', 'model.json']])('loads the matching stem with --init-from-partial (path to the %s)', (_, file) => {
      const target = classifier(2, 3);
      const report = initFrom(target, { initFrom: path.join(keras, file), initFromPartial: true }, log);
      expect(report.loaded.sort()).toEqual(['stem_bn/beta', 'stem_bn/gamma', 'stem_bn/moving_mean', 'stem_bn/moving_variance', 'stem_conv/kernel']);
      for (const name of report.loaded) expect(values(target, name)).toEqual(values(k, name));
      expect(report.unused).toBe(2); // keras_logits kernel and bias
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(/: loaded 5 of \d+ weight tensors \(backbone 5 of \d+\); \d+ initialised fresh: \d+ not in the source \(e\.g\. [^)]+\); 2 source tensors unused$/);
      disposeModel(target);
    });
  });

  describe('refuses, in one line, leaving the model as built', () => {
    const cases: [string, () => Promise<string> | string, RegExp][] = [
      ['a missing path', () => path.join(root, 'nowhere'), /^--init-from .*nowhere: no such file or folder$/],
      ['a folder without a model', () => {
        fs.mkdirSync(path.join(root, 'empty'), { recursive: true });
        return path.join(root, 'empty');
      }, /^--init-from .*empty: neither a run folder \(no model\/model\.json\) nor a TF\.js layers model folder \(no model\.json\)$/],
      ['a file that is not model.json', () => {
        fs.writeFileSync(path.join(root, 'weights.h5'), 'x');
        return path.join(root, 'weights.h5');
      }, /^--init-from .*weights\.h5: expected a run folder, a TF\.js layers model folder or its model\.json$/],
      ['a model with no matching name', async () => {
        const other = kerasStyle(8, 'other');
        await saveConverterStyle(other, path.join(root, 'other'));
        disposeModel(other);
        return path.join(root, 'other');
      }, /^--init-from .*other: no weight of the model matches the source by name and shape \(the model's 'stem_conv\/kernel' is not among its 7 tensors\); nothing to load$/],
      ['a run of another backbone (every shape differs)', async () => {
        const small = classifier(1, 10, 'resnet-small');
        await saveLayersModel(small, path.join(root, 'small-run', 'model'));
        disposeModel(small);
        return path.join(root, 'small-run');
      }, /^--init-from .*small-run: no weight of the model matches the source by name and shape \('stem_conv\/kernel': \[3, 3, 3, 32\] float32 in the source, \[3, 3, 3, 16\] float32 in the model\); nothing to load$/],
      ['a truncated shard', async () => {
        const cut = path.join(root, 'cut');
        fs.cpSync(path.join(root, 'keras'), cut, { recursive: true });
        const shard = path.join(cut, 'group1-shard1of1.bin');
        fs.truncateSync(shard, 100);
        return cut;
      }, /^.*cut\/group1-shard1of1\.bin: truncated \(100 bytes; model\.json describes \d+\)$/],
    ];
    it.each(cases)('%s', async (_, make, message) => {
      const from = await make();
      const target = classifier(2, 3);
      const stem = values(target, 'stem_conv/kernel');
      const before = tf.memory().numTensors;
      let error: Error | undefined;
      try {
        initFrom(target, { initFrom: from, initFromPartial: true }, log);
      } catch (err) {
        error = err as Error;
      }
      expect(error?.message).toMatch(message);
      expect(error?.message).not.toContain('\n');
      expect(tf.memory().numTensors).toBe(before);
      expect(values(target, 'stem_conv/kernel')).toEqual(stem);
      disposeModel(target);
    });
  });
});
