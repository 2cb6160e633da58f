/**
 * The built-in mnist-colour-multilabel set through the real CLI: listed by `data list`, generated
 * into the cache by a run that names it with `--dataset` (sizes from a config file, missing labels
 * from the flag), trained on RGB input, evaluated by mAP.
 */
import * as fs from 'fs';
import * as path from 'path';
import { cli, TEST_CACHE, tmpDir } from './run-cli';

const work = tmpDir('asl-run-colour-');

function readJson(file: string) {
  return JSON.parse(fs.readFileSync(file, 'utf8'));
}

describe('mnist-colour-multilabel through the CLI', () => {
  it('is listed by data list with its options', () => {
    const r = cli(['data', 'list']);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^mnist-colour-multilabel \(multilabel, coco\): .*60 .*classes/m);
    expect(r.stdout).toMatch(/^ {4}classSkew = 1 {2}Zipf exponent/m);
  });

  it('trains the multilabel task on it with --dataset and --missing-labels, on RGB input, and reports mAP', () => {
    const config = path.join(work, 'tiny.json');
    fs.writeFileSync(config, JSON.stringify({ data: { builtinOptions: { trainCount: 48, valCount: 16 } } }));
    const run = path.join(work, 'run');
    const r = cli(['--task', 'multilabel', '--dataset', 'mnist-colour-multilabel', '--config', config, '--missing-labels', '0.3',
      '--epochs', '1', '--batch-size', '16', '--image-size', '32', '--backend', 'wasm', '--out', run]);
    expect(r.stderr).toContain('built-in dataset mnist-colour-multilabel');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^multilabel\/asl: mAP \d+\.\d+/);
    const { metrics } = readJson(path.join(run, 'metrics.json'));
    expect(Number.isFinite(metrics.mAP)).toBe(true);
    expect(metrics.mAP).toBeGreaterThan(0);
    expect(metrics.mAP).toBeLessThanOrEqual(100);
    expect(Object.keys(metrics.perClassAP)).toHaveLength(60);
    const saved = readJson(path.join(run, 'config.json'));
    expect(saved.data).toMatchObject({ builtin: 'mnist-colour-multilabel', builtinOptions: { trainCount: 48, valCount: 16, missingLabels: 0.3 } });
    expect(saved.classes).toHaveLength(60);
    expect(saved.classes.slice(0, 2)).toEqual(['red 0', 'red 1']);
    expect(saved.classes).toContain('magenta 9');
    // The colour reaches the model: its input has three channels.
    const input = readJson(path.join(run, 'model', 'model.json')).modelTopology.config.layers[0];
    expect(input.config.batch_input_shape).toEqual([null, 32, 32, 3]);
    // The generated set went into the test's cache, with the labels dropped as asked.
    const cached = fs.readdirSync(TEST_CACHE).filter((name) => name.startsWith('mnist-colour-multilabel-'));
    expect(cached).toHaveLength(1);
    expect(readJson(path.join(TEST_CACHE, cached[0], 'builtin.json')).options).toMatchObject({ missingLabels: 0.3, trainCount: 48 });
  });
});
