/** The single-label task through the real CLI on a tiny ImageFolder written by `data make mnist`. */
import * as fs from 'fs';
import * as path from 'path';
import { cli, tmpDir } from './run-cli';

const work = tmpDir('asl-run-sl-');
const data = path.join(work, 'mnist');
const args = ['--task', 'singlelabel', '--data', data, '--epochs', '2', '--batch-size', '32', '--backend', 'wasm', '--lr', '0.01'];

beforeAll(() => {
  expect(cli(['data', 'make', 'mnist', '--out', data, '--options', '{"trainCount":320,"valCount":100}']).status).toBe(0);
});

describe('asl-run --task singlelabel', () => {
  it.each(['ce', 'asl-single-label'])('trains with %s, writes top1/top5/confusion, predicts top-k', (loss) => {
    const run = path.join(work, loss);
    const r = cli([...args, '--loss', loss, '--out', run]);
    expect(r.status).toBe(0);
    const { metrics } = JSON.parse(fs.readFileSync(path.join(run, 'metrics.json'), 'utf8'));
    expect(metrics.top1).toBeGreaterThan(10); // above chance after 20 steps
    expect(metrics.top5).toBeGreaterThanOrEqual(metrics.top1);
    expect(metrics.confusion).toHaveLength(10);
    expect(metrics.confusion.flat().reduce((a: number, b: number) => a + b, 0)).toBe(100);
    const config = JSON.parse(fs.readFileSync(path.join(run, 'config.json'), 'utf8'));
    expect(config.classes).toEqual(['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']);
    const image = path.join(data, 'val', '7', fs.readdirSync(path.join(data, 'val', '7'))[0]);
    const p = cli(['predict', '--run', run, '--backend', 'wasm', '--top', '3', image]);
    expect(p.status).toBe(0);
    const [prediction] = JSON.parse(p.stdout);
    expect(prediction.top).toHaveLength(3);
    expect(prediction.label).toBe(prediction.top[0].label);
  });

  it('names a val class unknown to training', () => {
    const broken = path.join(work, 'broken');
    fs.cpSync(data, broken, { recursive: true });
    fs.renameSync(path.join(broken, 'val', '9'), path.join(broken, 'val', 'nine'));
    const r = cli([...args.map((a) => (a === data ? broken : a)), '--out', path.join(work, 'x')]);
    expect(r.status).toBe(1);
    expect(r.stderr.trim().split('\n').pop()).toMatch(/nine.*not among the training classes/);
  });
});
