import * as fs from 'fs';
import * as path from 'path';
import { flagOverrides, resolveRunConfig, trainFlagOptions } from '../../src/cli/train-options';
import { components } from '../components';
import { ConfigError } from '../../src/core/config';
import { runConfigSchema } from '../../src/core/run-config';
import { cli, tmpDir } from './run-cli';

const { tasks, datasets } = components();
const work = tmpDir('asl-run-train-options-');

function configFile(content: object): string {
  const file = path.join(work, `config-${Math.random().toString(36).slice(2)}.json`);
  fs.writeFileSync(file, JSON.stringify(content));
  return file;
}

describe('resolveRunConfig: head-dependent detection defaults', () => {
  it('YOLOX by default (bce, 0.01 / 0.65, box weight 5, the pretrained backbone); --head fcos gives FCOS its own', () => {
    const yolox = resolveRunConfig(tasks, 'detection', undefined, {}, datasets);
    expect(yolox.loss).toBe('bce');
    expect(yolox.taskOptions).toMatchObject({ head: 'yolox', scoreThreshold: 0.01, nmsThreshold: 0.65, boxWeight: 5, objLoss: 'bce', assigner: 'center-prior', clsTarget: 'iou' });
    expect(yolox.model.pretrained).toBe('auto');
    const fcos = resolveRunConfig(tasks, 'detection', undefined, { head: 'fcos' }, datasets);
    expect(fcos.loss).toBe('bce');
    expect(fcos.taskOptions).toMatchObject({ head: 'fcos', scoreThreshold: 0.05, nmsThreshold: 0.6, boxWeight: 1 });
  });

  it('the user’s values win over the head’s defaults, from a file or flags; the head may come from the file', () => {
    const file = configFile({ task: 'detection', loss: 'asl', taskOptions: { head: 'yolox', scoreThreshold: 0.2 } });
    const fromFile = resolveRunConfig(tasks, undefined, file, {}, datasets);
    expect(fromFile.loss).toBe('asl');
    expect(fromFile.taskOptions).toMatchObject({ head: 'yolox', scoreThreshold: 0.2, nmsThreshold: 0.65 });
    const flags = resolveRunConfig(tasks, 'detection', undefined, { head: 'yolox', loss: 'focal' }, datasets);
    expect(flags.loss).toBe('focal');
    // A flag overrides the file's head, and the defaults follow it.
    const back = resolveRunConfig(tasks, undefined, file, { head: 'fcos' }, datasets);
    expect(back.taskOptions).toMatchObject({ head: 'fcos', scoreThreshold: 0.2, nmsThreshold: 0.6 });
  });

  it('--obj-loss and --obj-loss-params set the objectness loss; a new --obj-loss alone starts from its defaults', () => {
    const file = configFile({ task: 'detection', taskOptions: { head: 'yolox', objLoss: 'asl', objLossParams: { gammaNeg: 4 } } });
    expect(resolveRunConfig(tasks, undefined, file, {}, datasets).taskOptions).toMatchObject({ objLoss: 'asl', objLossParams: { gammaNeg: 4 } });
    expect(resolveRunConfig(tasks, undefined, file, { 'obj-loss': 'bce' }, datasets).taskOptions).toMatchObject({ objLoss: 'bce', objLossParams: {} });
    const both = resolveRunConfig(tasks, undefined, file, { 'obj-loss': 'focal', 'obj-loss-params': '{"gamma":1}' }, datasets);
    expect(both.taskOptions).toMatchObject({ objLoss: 'focal', objLossParams: { gamma: 1 } });
    expect(() => flagOverrides({ 'obj-loss-params': '{gamma:1}' })).toThrow(/^--obj-loss-params: /);
  });

  it('lists --head, --obj-loss and --obj-loss-params in --help', () => {
    const options = trainFlagOptions();
    for (const flag of ['head', 'obj-loss', 'obj-loss-params']) expect(options[flag]).toMatchObject({ type: 'string', group: 'Training:' });
    expect(options['obj-loss-params']).not.toHaveProperty('json');
  });
});

describe('resolveRunConfig: every option is checked by the schema, one line naming it', () => {
  it.each<[string | undefined, Record<string, unknown>, string]>([
    [undefined, { epochs: 0, schedule: 'constant' }, '--epochs: expected an integer >= 1, got 0'],
    [undefined, { epochs: -1, schedule: 'cosine' }, '--epochs: expected an integer >= 1, got -1'],
    [undefined, { epochs: 1.5 }, '--epochs: expected an integer >= 1, got 1.5'],
    [undefined, { epochs: NaN }, '--epochs: expected a number'],
    [undefined, { lr: 0 }, '--lr: expected a number > 0, got 0'],
    [undefined, { lr: -1 }, '--lr: expected a number > 0, got -1'],
    [undefined, { 'weight-decay': -1 }, '--weight-decay: expected a number >= 0, got -1'],
    [undefined, { 'grad-clip': -1 }, '--grad-clip: expected a number >= 0, got -1'],
    [undefined, { 'max-train-images': -5 }, '--max-train-images: expected an integer >= 0, got -5'],
    [undefined, { 'max-val-images': 2.5 }, '--max-val-images: expected an integer >= 0, got 2.5'],
    [undefined, { 'image-size': 100000 }, '--image-size: expected an integer in [8, 2048], got 100000'],
    [undefined, { 'image-size': 4 }, '--image-size: expected an integer in [8, 2048], got 4'],
    [undefined, { 'batch-size': 0 }, '--batch-size: expected an integer >= 1, got 0'],
    [undefined, { seed: -1 }, '--seed: expected an integer in [0, 4294967295], got -1'],
    [undefined, { seed: 0.5 }, '--seed: expected an integer in [0, 4294967295], got 0.5'],
    [undefined, { 'ema-decay': 1 }, '--ema-decay: expected a number in [0, 1), got 1'],
    [undefined, { 'eval-every': 0 }, '--eval-every: expected an integer >= 1, got 0'],
    [undefined, { 'log-every': 0.5 }, '--log-every: expected an integer >= 1, got 0.5'],
    [undefined, { width: 0 }, '--width: expected a number in (0, 16], got 0'],
    [undefined, { fit: 'crop' }, "--fit: expected one of 'stretch', 'letterbox', got \"crop\""],
    [undefined, { loss: '' }, '--loss: expected a loss name (see `asl-run losses`), got ""'],
    [undefined, { 'loss-params': '[1]' }, '--loss-params: must be a JSON object, got array'],
    [undefined, { head: 'yolox' }, "--head: unknown option 'taskOptions.head' (known under 'taskOptions': none)"],
    ['singlelabel', { head: 'fcos' }, "--head: unknown option 'taskOptions.head' (known under 'taskOptions': none)"],
    [undefined, { 'task-options': '{"nope":1}' }, "--task-options: unknown option 'taskOptions.nope' (known under 'taskOptions': none)"],
    ['singlelabel', { 'task-options': '{"nope":1}' }, "--task-options: unknown option 'taskOptions.nope' (known under 'taskOptions': none)"],
    ['detection', { head: 'retina' }, "--head: expected one of 'fcos', 'yolox', got \"retina\""],
    ['detection', { 'task-options': '{"strides":[8,16,32,64]}' }, '--task-options: levelBounds: needs 3 bounds for 4 levels, got [24,48]'],
    ['detection', { 'task-options': '{"strides":[8,24]}' }, '--task-options: strides: each must be twice the previous, got [8,24]'],
    ['detection', { 'task-options': '{"nmsThreshold":2}' }, '--task-options: nmsThreshold: expected a number in [0, 1], got 2'],
    ['detection', { head: 'fcos', 'task-options': '{"channels":12}' }, '--task-options: groupNormGroups: must divide channels (12), got 8'],
    [undefined, { data: '/d', dataset: 'mnist' }, '--dataset: applies to a built-in dataset, not to your own data (--data); drop one of them'],
    [undefined, { data: '/d', 'missing-labels': 0.5 }, '--missing-labels: applies to a built-in dataset, not to your own data (--data); drop one of them'],
    [undefined, { train: 'a.csv', val: 'b.csv', dataset: 'mnist' }, '--dataset: applies to a built-in dataset, not to your own data (--train); drop one of them'],
  ])('--task %s %j', (task, args, message) => {
    const resolve = () => resolveRunConfig(tasks, task, undefined, args, datasets);
    expect(resolve).toThrow(ConfigError);
    expect(resolve).toThrow(message);
    expect(() => resolve()).not.toThrow(/\n/);
  });

  it('--task-options with an unknown detection key lists the known ones', () => {
    expect(() => resolveRunConfig(tasks, 'detection', undefined, { 'task-options': '{"nope":1}' }, datasets)).toThrow(
      /^--task-options: unknown option 'taskOptions\.nope' \(known under 'taskOptions': head, strides, levelBounds, channels, .*objWeight\)$/,
    );
  });

  it('a config file gets the same checks, naming the file and the key', () => {
    const epochs = configFile({ train: { epochs: 0 } });
    expect(() => resolveRunConfig(tasks, undefined, epochs, {}, datasets)).toThrow(`${epochs}: train.epochs: expected an integer >= 1, got 0`);
    const typo = configFile({ train: { epoch: 3 } });
    expect(() => resolveRunConfig(tasks, undefined, typo, {}, datasets)).toThrow(new RegExp(`^${typo}: unknown option 'train\\.epoch' \\(known under 'train': epochs, batchSize, seed, lr, `));
    const wrongType = configFile({ model: { imageSize: '64' } });
    expect(() => resolveRunConfig(tasks, undefined, wrongType, {}, datasets)).toThrow(`${wrongType}: model.imageSize: expected an integer in [8, 2048], got "64"`);
    const notObject = configFile({ train: 5 });
    expect(() => resolveRunConfig(tasks, undefined, notObject, {}, datasets)).toThrow(`${notObject}: train: expected an object, got 5`);
    const both = configFile({ data: { dir: '/d', builtinOptions: { missingLabels: 0.5 } } });
    expect(() => resolveRunConfig(tasks, undefined, both, {}, datasets)).toThrow(`${both}: data.builtinOptions.missingLabels: applies to a built-in dataset, not to your own data (${both}: data.dir); drop one of them`);
    // A file's value can be fixed by a flag: each layer is checked as it is merged, the file first.
    expect(() => resolveRunConfig(tasks, undefined, epochs, { epochs: 2 }, datasets)).toThrow(`${epochs}: train.epochs`);
  });

  it('a config file’s built-in dataset gives way to --data given as a flag, not to its own data folder nor to --dataset', () => {
    const file = configFile({ data: { builtin: 'mnist-multilabel' } });
    expect(resolveRunConfig(tasks, undefined, file, { data: '/d' }, datasets).data).toMatchObject({ dir: '/d', builtin: 'mnist-multilabel' });
    const both = configFile({ data: { builtin: 'mnist-multilabel', dir: '/d' } });
    expect(() => resolveRunConfig(tasks, undefined, both, {}, datasets)).toThrow(`${both}: data.builtin: applies to a built-in dataset, not to your own data (${both}: data.dir); drop one of them`);
    const own = configFile({ data: { train: 'a.csv', val: 'b.csv' } });
    expect(() => resolveRunConfig(tasks, undefined, own, { dataset: 'mnist-multilabel' }, datasets)).toThrow(`--dataset: applies to a built-in dataset, not to your own data (${own}: data.train); drop one of them`);
  });

  it('keeps the accepted edges: 0 = all images, 0 = no clipping, the image-size bounds', () => {
    const config = resolveRunConfig(tasks, undefined, undefined, { 'max-train-images': 0, 'grad-clip': 0, 'image-size': 8, epochs: 1, schedule: 'constant' }, datasets);
    expect(config.data.maxTrainImages).toBe(0);
    expect(config.train).toMatchObject({ gradClipNorm: 0, epochs: 1 });
    expect(resolveRunConfig(tasks, undefined, undefined, { 'image-size': 2048 }, datasets).model.imageSize).toBe(2048);
  });

  it('every task’s defaults satisfy the schema (with its own task options)', () => {
    for (const name of tasks.names()) {
      const task = tasks.get(name);
      for (const head of ['fcos', 'yolox']) {
        expect(runConfigSchema.extend({ taskOptions: task.optionsSchema }).safeParse(task.defaults({ head })).success).toBe(true);
      }
    }
  });
});

describe('asl-run --head yolox (built CLI)', () => {
  it('--obj-loss nope fails with one line naming the option', () => {
    const r = cli(['--task', 'detection', '--head', 'yolox', '--obj-loss', 'nope', '--backend', 'wasm', '--out', path.join(work, 'bad')]);
    expect(r.status).toBe(1);
    const lines = r.stderr.trim().split('\n');
    expect(lines[lines.length - 1]).toMatch(/^asl-run: taskOptions\.objLoss \(--obj-loss\): unknown loss 'nope' \(known: .*bce/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});
