/**
 * `--backbone tfjs:PATH --taps …` through the real CLI, on a converter-style layers model the test
 * saves: multi-label and detection train from its weights (frozen, they end equal to the file's;
 * trained, the loss falls), eval and predict need only the run, and every bad model file or option
 * is refused in one line before a run folder exists.
 */
import * as fs from 'fs';
import * as path from 'path';
import { tf } from '../../src/core/tf';
import { initBackend } from '../../src/core/backend/init';
import { disposeModel } from '../../src/core/engine/model-io';
import { kerasLikeBody, saveConverterStyle } from '../backbones/tfjs-model-fixture';
import { weightsOf } from '../core/engine/saved-weights';
import { cli, refusal, tmpDir } from './run-cli';

const work = tmpDir('asl-run-tfjs-backbone-');
const keras = path.join(work, 'keras');
const labels = path.join(work, 'labels');
const scenes = path.join(work, 'scenes');
const TAPS = 'block_2_relu,block_3_relu,block_4_add';
const common = ['--backend', 'wasm', '--no-ema', '--quiet', '--log-every', '1'];
const multilabel = ['--task', 'multilabel', '--data', labels, '--image-size', '32', '--batch-size', '16', ...common];

const readJson = (file: string) => JSON.parse(fs.readFileSync(file, 'utf8'));
const epochLosses = (run: string): number[] =>
  fs.readFileSync(path.join(run, 'log.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l)).filter((e) => e.type === 'epoch').map((e) => e.trainLoss);

/** A copy of the model folder at `dir`, for a test that removes or breaks it. */
function copyModel(dir: string): string {
  fs.cpSync(keras, dir, { recursive: true });
  return dir;
}

beforeAll(async () => {
  await initBackend('cpu');
  for (const [model, dir] of [[kerasLikeBody(1), keras], [kerasLikeBody(2, 64), path.join(work, 'fixed64')]] as const) {
    await saveConverterStyle(model, dir, 2);
    disposeModel(model);
  }
  expect(cli(['data', 'make', 'mnist-multilabel', '--out', labels, '--options', '{"trainCount":64,"valCount":32}']).status).toBe(0);
  expect(cli(['data', 'make', 'mnist-detection', '--out', scenes, '--options', '{"trainCount":16,"valCount":6}']).status).toBe(0);
});

describe('--backbone tfjs:PATH --taps', () => {
  it('starts from the file\'s weights: frozen for the whole run, they end equal to them (batch-norm statistics updated); --resume works from another folder', () => {
    const out = path.join(work, 'frozen');
    // A relative path, recorded absolute so that --resume works from any folder.
    const r = cli([...multilabel, '--backbone', 'tfjs:keras', '--taps', TAPS, '--epochs', '1', '--freeze-backbone-epochs', '1', '--out', out], { cwd: work });
    expect(r.stderr).not.toMatch(/^\s+at /m);
    expect(r.status).toBe(0);
    expect(readJson(path.join(out, 'config.json')).model).toMatchObject({ backbone: `tfjs:${keras}`, taps: TAPS.split(',') });
    const file = weightsOf(keras);
    const run = weightsOf(path.join(out, 'model'));
    const backbone = [...file.keys()].filter((n) => n.startsWith('block_'));
    const statistics = backbone.filter((n) => /moving_(mean|variance)$/.test(n));
    expect(statistics).toHaveLength(8);
    for (const name of backbone.filter((n) => !statistics.includes(n))) expect(run.get(name)).toEqual(file.get(name));
    for (const name of statistics) expect(run.get(name)).not.toEqual(file.get(name));
    expect([...run.keys()].some((n) => n.startsWith('top_'))).toBe(false);
    // --resume from another folder rebuilds the model from the recorded absolute path, its weights from the checkpoint.
    const resumed = cli(['--resume', out, '--backend', 'wasm', '--quiet']);
    expect(resumed.status).toBe(0);
    expect(weightsOf(path.join(out, 'model'))).toEqual(run);
  });

  it('trains multi-label (the loss falls); eval and predict work with the model file gone, --resume names it', () => {
    const source = copyModel(path.join(work, 'keras-gone'));
    const out = path.join(work, 'multilabel');
    const r = cli([...multilabel, '--backbone', `tfjs:${source}`, '--taps', TAPS, '--epochs', '3', '--lr', '0.01', '--backbone-lr-mult', '0.5', '--seed', '1', '--out', out]);
    expect(r.status).toBe(0);
    const losses = epochLosses(out);
    expect(losses).toHaveLength(3);
    expect(losses[2]).toBeLessThan(losses[0]);
    expect(weightsOf(path.join(out, 'model')).get('block_2_conv/kernel')).not.toEqual(weightsOf(source).get('block_2_conv/kernel'));

    fs.rmSync(source, { recursive: true });
    const evaluated = cli(['eval', '--run', out, '--backend', 'wasm']);
    expect(evaluated.status).toBe(0);
    expect(JSON.parse(evaluated.stdout).metrics.mAP).toBeCloseTo(readJson(path.join(out, 'metrics.json')).metrics.mAP, 6);
    const image = path.join(labels, 'val', fs.readdirSync(path.join(labels, 'val')).sort()[0]);
    const predicted = cli(['predict', '--run', out, '--backend', 'wasm', '--top', '3', image]);
    expect(predicted.status).toBe(0);
    expect(JSON.parse(predicted.stdout)[0].top).toHaveLength(3);
    expect(refusal(cli(['--resume', out, '--backend', 'wasm']))).toBe(
      `asl-run: --backbone tfjs:${source}: no such file or folder (training and --resume read the model from it; eval and predict use the run's own model/)`,
    );
  });

  it('trains detection with the taps as the FPN inputs; the loss falls and eval reproduces the AP', () => {
    const out = path.join(work, 'detection');
    const r = cli(['--task', 'detection', '--data', scenes, '--image-size', '64', '--epochs', '2', '--batch-size', '8', ...common, '--backbone', `tfjs:${keras}/model.json`, '--taps', TAPS, '--out', out]);
    expect(r.status).toBe(0);
    const losses = epochLosses(out);
    expect(losses[1]).toBeLessThan(losses[0]);
    const topology = JSON.stringify(readJson(path.join(out, 'model', 'model.json')).modelTopology);
    for (const layer of ['block_4_add', 'fpn_lateral4', 'fpn_lateral3']) expect(topology).toContain(`"name":"${layer}"`);
    const evaluated = cli(['eval', '--run', out, '--backend', 'wasm']);
    expect(evaluated.status).toBe(0);
    expect(JSON.parse(evaluated.stdout).metrics.AP50).toBeCloseTo(readJson(path.join(out, 'metrics.json')).metrics.AP50, 6);
  });

  const bad = (name: string, edit: (dir: string) => void) => () => {
    const dir = copyModel(path.join(work, name));
    edit(dir);
    return dir;
  };
  it.each<[string, () => string, string[], RegExp]>([
    ['a graph model', bad('graph', (d) => fs.writeFileSync(path.join(d, 'model.json'), JSON.stringify({ format: 'graph-model', modelTopology: { node: [] }, weightsManifest: [] }))), ['--taps', TAPS],
      /^asl-run: \S+graph\/model\.json: not a TF\.js layers model \(.*graph model.*\): convert with tensorflowjs_converter .*--output_format tfjs_layers_model$/],
    ['a missing shard', bad('shard', (d) => fs.rmSync(path.join(d, 'group1-shard2of2.bin'))), ['--taps', TAPS], /^asl-run: \S+shard\/group1-shard2of2\.bin: cannot read model \(ENOENT\)$/],
    ['a folder without model.json', bad('empty', (d) => fs.rmSync(path.join(d, 'model.json'))), ['--taps', TAPS], /^asl-run: --backbone tfjs:\S+empty: the folder holds no model\.json/],
    ['no --taps', () => keras, [], /^asl-run: --backbone tfjs:\S+: needs --taps, .*; e\.g\. --taps block_2_relu,block_3_relu,block_4_add \(the deepest layer at each stride\)$/],
    ['an unknown tap', () => keras, ['--taps', 'block_2_relu,block_9_relu'], /^asl-run: --taps: \S+\/model\.json has no layer 'block_9_relu'; e\.g\. --taps block_2_relu,/],
    ['a tap that is no feature map', () => keras, ['--taps', 'block_2_relu,top_dense'], /^asl-run: --taps: layer 'top_dense' of \S+ outputs \[null, 7\], not a 4-D feature map \[N, H, W, C\]$/],
    ['taps at one stride', () => keras, ['--taps', 'block_4_relu,block_4_add'], /^asl-run: --taps block_4_relu,block_4_add: on \S+ at --image-size 32, strides must be increasing powers of two, got \[16, 16\]$/],
    ['a fixed input of another size', () => path.join(work, 'fixed64'), ['--taps', TAPS], /^asl-run: \S+fixed64\/model\.json: the model's input is \[null, 64, 64, 3\], this run feeds \[null, 32, 32, 3\] \(--image-size 32;/],
  ])('refuses %s in one line, leaving no run folder', (name, model, taps, message) => {
    const out = path.join(work, `refused-${name.replace(/\W+/g, '-')}`);
    expect(refusal(cli([...multilabel, '--backbone', `tfjs:${model()}`, ...taps, '--epochs', '1', '--out', out]))).toMatch(message);
    expect(fs.existsSync(out)).toBe(false);
  });

  it('refuses --taps without a tfjs: backbone, and an empty tap name', () => {
    const out = path.join(work, 'refused-taps');
    expect(refusal(cli([...multilabel, '--backbone', 'resnet-tiny', '--taps', TAPS, '--epochs', '1', '--out', out]))).toBe(
      "asl-run: --taps: applies to a backbone read from a model file (--backbone tfjs:…), not to 'resnet-tiny'",
    );
    expect(refusal(cli([...multilabel, '--backbone', `tfjs:${keras}`, '--taps', 'block_2_relu,,block_3_relu', '--epochs', '1', '--out', out]))).toBe(
      'asl-run: --taps: expected a layer name, got ""',
    );
    expect(fs.existsSync(out)).toBe(false);
  });
});

afterAll(() => {
  expect(tf.memory().numTensors).toBe(0);
});
