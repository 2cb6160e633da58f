/**
 * The example backbone plugin, through the CLI only: `--plugin` + `--backbone tiny-vgg` trains a
 * multilabel model end to end, the saved model is built of the plugin's layers, eval reloads the
 * plugin the run recorded, and a broken backbone plugin is refused at load with one line.
 */
import * as fs from 'fs';
import * as path from 'path';
import { cli, tmpDir } from '../../test/cli/run-cli';

const work = tmpDir('asl-run-backbone-plugin-');
const plugin = path.join(__dirname, 'tiny-vgg-backbone.js');
const data = path.join(work, 'data');

beforeAll(() => {
  expect(cli(['data', 'make', 'mnist-multilabel', '--out', data, '--options', '{"trainCount":64,"valCount":32}']).status).toBe(0);
});

describe('backbone plugin tiny-vgg', () => {
  it('trains a multilabel model from the CLI; the loss falls and eval reloads the plugin', () => {
    const out = path.join(work, 'run');
    const args = ['--plugin', plugin, '--task', 'multilabel', '--backbone', 'tiny-vgg', '--data', data, '--image-size', '32'];
    const r = cli([...args, '--epochs', '3', '--batch-size', '16', '--lr', '0.01', '--log-every', '1', '--backend', 'wasm', '--seed', '1', '--out', out]);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(r.status).toBe(0);
    const epochs = fs.readFileSync(path.join(out, 'log.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l)).filter((e) => e.type === 'epoch');
    expect(epochs).toHaveLength(3);
    expect(epochs[2].trainLoss).toBeLessThan(epochs[0].trainLoss);
    const topology = JSON.stringify(JSON.parse(fs.readFileSync(path.join(out, 'model', 'model.json'), 'utf8')).modelTopology);
    for (const layer of ['vgg_stem_conv', 'vgg_stage4_relu']) expect(topology).toContain(`"name":"${layer}"`);
    const config = JSON.parse(fs.readFileSync(path.join(out, 'config.json'), 'utf8'));
    expect(config.plugins).toEqual([{ path: plugin, sha256: expect.stringMatching(/^[0-9a-f]{64}$/) }]);
    // eval on the run: the plugin comes back from config.json, without --plugin.
    const evaluated = cli(['eval', '--run', out, '--backend', 'wasm']);
    expect(evaluated.status).toBe(0);
    expect(JSON.parse(evaluated.stdout).metrics.mAP).toBeCloseTo(JSON.parse(fs.readFileSync(path.join(out, 'metrics.json'), 'utf8')).metrics.mAP, 6);
  });

  it.each([
    ['no-features', `{ features: [], strides: [], channels: [] }`, "backbone 'flat': build() returned no feature maps"],
    ['bad-stride', `{ features: [input], strides: [3], channels: [3] }`, "backbone 'flat': build() strides must be increasing powers of two, got [3]"],
    ['throws', `(() => { throw new Error('boom'); })()`, "backbone 'flat': build() failed on a 64x64x3 input (boom)"],
  ])('refuses a broken backbone plugin (%s) with one line naming the file', (name, body, message) => {
    const file = path.join(work, `${name}.js`);
    fs.writeFileSync(file, `exports.register = (api) => api.backbones.register({ name: 'flat', description: 'broken', build: (input) => (${body}) });\n`);
    const r = cli(['--plugin', file, '--task', 'multilabel', '--backbone', 'flat', '--data', data, '--backend', 'cpu', '--out', path.join(work, `out-${name}`)]);
    expect(r.status).toBe(1);
    expect(r.stderr.trim().split('\n').pop()).toBe(`asl-run: plugin ${file}: ${message}`);
    expect(fs.existsSync(path.join(work, `out-${name}`))).toBe(false);
  });
});
