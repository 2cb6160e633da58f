/** The example detection-head plugin through the real CLI: trains, saves, evaluates and predicts as a built-in head does. */
import * as fs from 'fs';
import * as path from 'path';
import { cli, tmpDir } from '../../test/cli/run-cli';

const PLUGIN = path.join(__dirname, 'custom-detection-head.js');
const work = tmpDir('asl-run-plugin-head-');
const data = path.join(work, 'scenes');
const run = path.join(work, 'run');
const args = ['--plugin', PLUGIN, '--task', 'detection', '--head', 'shared-tower', '--data', data, '--max-train-images', '16', '--image-size', '64', '--batch-size', '4', '--backend', 'wasm', '--no-ema'];

beforeAll(() => {
  expect(cli(['data', 'make', 'mnist-detection', '--out', data, '--options', '{"trainCount":32,"valCount":4}']).status).toBe(0);
});

describe('examples/plugins/custom-detection-head.js (--head shared-tower)', () => {
  it('trains end to end from the CLI: the loss falls, the model is saved, eval and predict read it back', () => {
    const r = cli([...args, '--epochs', '4', '--out', run, '--quiet']);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^detection\/focal: AP /); // the head's default classification loss

    const config = JSON.parse(fs.readFileSync(path.join(run, 'config.json'), 'utf8'));
    expect(config.taskOptions).toMatchObject({ head: 'shared-tower', towerConvs: 2, centerSampleRadius: 1.5, scoreThreshold: 0.05 });
    expect(config.taskOptions).not.toHaveProperty('centernessWeight'); // FCOS's own option is not this head's
    const epochs = fs.readFileSync(path.join(run, 'log.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l)).filter((e) => e.type === 'epoch');
    expect(epochs).toHaveLength(4);
    // 4 epochs of 4 steps on the same 16 images: the mean training loss of the last is below the first's.
    expect(epochs[3].trainLoss).toBeLessThan(0.9 * epochs[0].trainLoss);
    const model = JSON.parse(fs.readFileSync(path.join(run, 'model', 'model.json'), 'utf8'));
    expect(model.modelTopology.config.name).toMatch(/^shared-tower_/);

    const { metrics } = JSON.parse(fs.readFileSync(path.join(run, 'metrics.json'), 'utf8'));
    const evaluated = cli(['eval', '--run', run, '--backend', 'wasm']);
    expect(evaluated.status).toBe(0);
    expect(JSON.parse(evaluated.stdout).metrics.AP).toBe(metrics.AP);
    expect(Object.keys(metrics).slice(0, 3)).toEqual(['AP', 'AP50', 'AP75']);

    const image = path.join(data, 'val', '000001.png');
    const predicted = cli(['predict', '--run', run, '--backend', 'wasm', image]);
    expect(predicted.status).toBe(0);
    const [prediction] = JSON.parse(predicted.stdout);
    expect(prediction.image).toBe(image);
    for (const d of prediction.detections) expect(d.bbox[0] + d.bbox[2]).toBeLessThanOrEqual(128 + 1e-3);
  });

  it("checks the head's own options strictly, naming the option and the head's keys", () => {
    const r = cli([...args, '--epochs', '1', '--task-options', '{"groupNormGroups":8}', '--out', path.join(work, 'bad')]);
    expect(r.status).toBe(1);
    const lines = r.stderr.trim().split('\n');
    expect(lines[lines.length - 1]).toMatch(/--task-options: unknown option 'taskOptions\.groupNormGroups' \(known under 'taskOptions': head, strides, .*scaleJitter, towerConvs, centerSampleRadius\)$/);
  });
});
