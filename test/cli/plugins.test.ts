/**
 * Plugins through the real CLI: an async register, a plugin failing only on real training batches
 * (after its probe passed), and runs that record their plugins (path + SHA-256 in config.json) so
 * that --resume and eval reload the very same files, or refuse with one line naming the file.
 */
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { cli, tmpDir } from './run-cli';

const work = tmpDir('asl-run-plugins-');
const data = path.join(work, 'data');
const common = ['--task', 'multilabel', '--epochs', '2', '--batch-size', '16', '--image-size', '32', '--backend', 'wasm', '--seed', '1', '--lr', '0.01', '--data', data, '--quiet'];
const sha256 = (file: string) => createHash('sha256').update(fs.readFileSync(file)).digest('hex');
const lastLine = (stderr: string) => stderr.trim().split('\n').pop();

/**
 * A sigmoid BCE plugin named `name`; from training call `failAt` on (calls on real batches, not the
 * 3-row probe) it runs `failure`, an expression over tf, logits and e (the elementwise loss).
 */
function plugin(name: string, failAt: number, failure: string, options = ''): string {
  const file = path.join(work, `${name}.js`);
  fs.writeFileSync(file, `
    let calls = 0;
    exports.register = async (registry, { tf }) => {
      await new Promise((resolve) => setTimeout(resolve, 5));
      registry.register({
        name: ${JSON.stringify(name)}, kind: 'sigmoid', defaults: {}, validate: (p) => ({ ...p }),
        create: (params) => ({ name: ${JSON.stringify(name)}, kind: 'sigmoid', params, compute: (logits, targets, options = {}) => tf.tidy(() => {
          const e = tf.losses.sigmoidCrossEntropy(targets, logits, undefined, 0, tf.Reduction.NONE);
          if (options.reduction === 'none') return e;
          if (logits.shape[0] > 3) {
            calls += 1;
            if (process.env.PLUGIN_TRACE) require('fs').appendFileSync(process.env.PLUGIN_TRACE, 'c');
            if (calls >= ${failAt}) return ${failure};
          }
          return e.sum();
        }) }),
      }${options});
    };`);
  return file;
}

beforeAll(() => {
  const r = cli(['data', 'make', 'mnist-multilabel', '--out', data, '--options', '{"trainCount":96,"valCount":48}']);
  expect(r.status).toBe(0);
});

describe('async register', () => {
  it('is awaited: the losses it registers are listed', () => {
    const r = cli(['losses', '--json', '--backend', 'cpu', '--plugin', plugin('late-loss', Infinity, 'e.sum()')]);
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout).map((l: { name: string }) => l.name)).toContain('late-loss');
  });

  it('rejecting stops with one line naming the file', () => {
    const file = path.join(work, 'rejects.js');
    fs.writeFileSync(file, `exports.register = async () => { await null; throw new Error('licence server unreachable'); };`);
    const r = cli(['losses', '--backend', 'cpu', '--plugin', file]);
    expect(r.status).toBe(1);
    expect(lastLine(r.stderr)).toBe(`asl-run: plugin ${file}: register() failed (licence server unreachable)`);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});

describe('a plugin failing on real training batches (6 per epoch here)', () => {
  it.each([
    ['a wrong shape', 'e.sum(1)', /^asl-run: plugin .*a-wrong-shape\.js: loss 'a-wrong-shape': compute\(\) returned shape \[16\] for logits of shape \[16, 10\], expected a scalar$/],
    ['a throw', `(() => { throw new Error('lookup table missing'); })()`, /^asl-run: plugin .*a-throw\.js: loss 'a-throw': compute\(\) failed on logits of shape \[16, 10\] \(lookup table missing\)$/],
    ['a rejected promise nobody awaits', `(Promise.reject(new Error('metrics server unreachable')), e.sum())`, /^asl-run: plugin .*a-rejected-promise-nobody-awaits\.js: asynchronous error outside any awaited step \(metrics server unreachable\); stopped$/],
  ])('%s in epoch 2 stops with one line naming the plugin and keeps epoch 1’s checkpoint', (label, failure, message) => {
    const name = label.replace(/ /g, '-');
    const run = path.join(work, `fails-${name}`);
    const r = cli([...common, '--plugin', plugin(name, 8, failure), '--loss', name, '--out', run]);
    expect(r.status).toBe(1);
    expect(lastLine(r.stderr)).toMatch(message);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(fs.existsSync(path.join(run, 'checkpoint', 'last.ckpt'))).toBe(true);
    expect(fs.existsSync(path.join(run, 'metrics.json'))).toBe(false);
  });
});

describe('a run records its plugins; --resume and eval reload them or refuse', () => {
  // Replaces the built-in 'asl' (the multilabel default loss), and kills its own process in epoch 2 when asked to.
  const replacing = plugin('asl', 8, `(process.env.KILL_IN_EPOCH_2 ? process.kill(process.pid, 'SIGKILL') : e.sum())`, ', { replace: true }');
  const run = path.join(work, 'recorded');
  const trace = path.join(work, 'trace');

  it('config.json records the file and its hash; --resume without --plugin continues on the plugin’s loss', () => {
    const killed = cli([...common, '--plugin', replacing, '--out', run], { env: { KILL_IN_EPOCH_2: '1' } });
    expect(killed.signal).toBe('SIGKILL');
    const config = JSON.parse(fs.readFileSync(path.join(run, 'config.json'), 'utf8'));
    expect(config.plugins).toEqual([{ path: replacing, sha256: sha256(replacing) }]);
    const resumed = cli(['--resume', run, '--backend', 'wasm', '--quiet'], { env: { PLUGIN_TRACE: trace } });
    expect(resumed.stderr).toBe('');
    expect(resumed.status).toBe(0);
    expect(resumed.stdout).toMatch(/^multilabel\/asl: mAP /);
    // Epoch 2 ran again from its start (epoch 1's checkpoint), on the plugin: 6 batches.
    expect(fs.readFileSync(trace, 'utf8')).toBe('c'.repeat(6));
  });

  it('refuses a changed plugin file, naming it and both hashes; eval too', () => {
    const original = fs.readFileSync(replacing, 'utf8');
    const before = sha256(replacing);
    fs.appendFileSync(replacing, '\n// edited\n');
    try {
      for (const args of [['--resume', run], ['eval', '--run', run]]) {
        const r = cli([...args, '--backend', 'wasm']);
        expect(r.status).toBe(1);
        expect(lastLine(r.stderr)).toBe(`asl-run: plugin ${replacing}: changed since the run in ${run} was trained with it (sha256 ${before} then, ${sha256(replacing)} now); restore that version to continue`);
      }
    } finally {
      fs.writeFileSync(replacing, original);
    }
  });

  it('refuses a missing plugin file, and a --plugin the run was not trained with', () => {
    const moved = `${replacing}.moved`;
    fs.renameSync(replacing, moved);
    try {
      const r = cli(['--resume', run, '--backend', 'wasm']);
      expect(r.status).toBe(1);
      expect(lastLine(r.stderr)).toBe(`asl-run: plugin ${replacing}: the run in ${run} was trained with it, and the file is gone; put it back to continue (sha256 ${sha256(moved)})`);
    } finally {
      fs.renameSync(moved, replacing);
    }
    const other = path.join(work, 'other.js');
    fs.writeFileSync(other, 'exports.register = () => {};');
    const r = cli(['predict', '--run', run, '--plugin', other, '--backend', 'wasm', path.join(data, 'val', fs.readdirSync(path.join(data, 'val'))[0])]);
    expect(r.status).toBe(1);
    expect(lastLine(r.stderr)).toBe(`asl-run: --plugin ${other}: the run in ${run} was not trained with it (its plugins, reloaded from its config.json: ${replacing}); drop --plugin`);
  });

  it('compare refuses to resume a cell whose plugin changed, naming it in the report', () => {
    const killer = plugin('killer', 8, `(process.env.KILL_IN_EPOCH_2 ? process.kill(process.pid, 'SIGKILL') : e.sum())`, ', { replace: true }');
    const out = path.join(work, 'cmp');
    const sweep = ['compare', '--tasks', 'multilabel', '--losses', 'killer', '--seeds', '1', '--epochs', '2', '--batch-size', '16', '--image-size', '32', '--data', data, '--plugin', killer, '--backend', 'wasm', '--quiet', '--out', out];
    expect(cli(sweep, { env: { KILL_IN_EPOCH_2: '1' } }).signal).toBe('SIGKILL');
    const trained = sha256(killer);
    fs.appendFileSync(killer, '\n// edited\n');
    const r = cli(sweep);
    expect(r.status).toBe(1);
    expect(fs.readFileSync(path.join(out, 'results.md'), 'utf8')).toContain(
      `multilabel/killer/seed 0: plugin ${killer}: changed since the run in ${path.join(out, 'runs', 'multilabel', 'killer', 'seed-0')} was trained with it (sha256 ${trained} then, ${sha256(killer)} now)`,
    );
  });

  it('eval reloads the recorded plugin without --plugin', () => {
    const r = cli(['eval', '--run', run, '--backend', 'wasm', '--quiet']);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ task: 'multilabel', loss: 'asl' });
  });
});
