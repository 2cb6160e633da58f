/**
 * `asl-run pretrain` and `--pretrained builtin` through the real CLI, on a small recipe
 * ($ASL_RUN_PRETRAIN_RECIPE: 320 digits × 2 epochs): stored once and found the second time, a
 * damaged entry trained again, a detection run from the pretrained backbone against the same run
 * from scratch, a killed pretrained run resumed without the cache, and the refusals.
 */
import * as fs from 'fs';
import * as path from 'path';
import { initBackend } from '../../src/core/backend/init';
import { weightsOf } from '../core/engine/saved-weights';
import { cli, cliAsync, firstStepLoss, refusal, ROOT, tmpDir, waitFor } from './run-cli';

const work = tmpDir('asl-run-pretrain-');
const cache = path.join(work, 'cache');
const scenes = path.join(work, 'scenes');
const RECIPE = JSON.stringify({ data: { builtinOptions: { trainCount: 320, valCount: 100 } }, train: { epochs: 2, batchSize: 32, lr: 0.01, ema: { enabled: false } } });
const ENV = { ASL_RUN_CACHE: cache, ASL_RUN_PRETRAIN_RECIPE: RECIPE };
const run = (args: string[]) => cli([...args, '--backend', 'wasm'], { env: ENV });
const detection = ['--task', 'detection', '--data', scenes, '--image-size', '64', '--epochs', '1', '--batch-size', '8', '--no-ema', '--log-every', '1'];

const STORED = /^resnet-tiny \(width 1, stem stride 2\): pretrained in \d+s \(top-1 (\d+\.\d\d) %\): (\S+)\n$/;

beforeAll(async () => {
  await initBackend('cpu');
  expect(cli(['data', 'make', 'mnist-detection', '--out', scenes, '--options', '{"trainCount":32,"valCount":6}']).status).toBe(0);
});

describe('asl-run pretrain', () => {
  let entry = '';
  beforeAll(() => {
    const r = run(['pretrain']);
    expect(r.status).toBe(0);
    const [, top1, dir] = STORED.exec(r.stdout)!;
    entry = dir;
    // 2 epochs of 320 digits at lr 0.01: far above the 10 % of chance.
    expect(Number(top1)).toBeGreaterThan(30);
    expect(r.stderr).toContain(`asl-run: pretraining resnet-tiny (width 1, stem stride 2) once: singlelabel on the built-in 'mnist', 2 epochs (kept in ${entry})`);
  });

  it('stores a run folder in the cache, beside the data set it trained on', () => {
    expect(path.dirname(entry)).toBe(cache);
    expect(fs.readdirSync(cache).sort()).toEqual([expect.stringMatching(/^mnist-[0-9a-f]{12}-v1$/), path.basename(entry)]);
    expect(JSON.parse(fs.readFileSync(path.join(entry, 'config.json'), 'utf8')).model.backbone).toBe('resnet-tiny');
  });

  it('a second call finds it and says so, training nothing', () => {
    const r = run(['pretrain', '--backbone', 'resnet-tiny', '--width', '1']);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^resnet-tiny \(width 1, stem stride 2\): found in the cache \(pretrained earlier in \d+s, top-1 \d+\.\d\d %\): (\S+)\n$/);
    expect(r.stdout.trim().endsWith(entry)).toBe(true);
    expect(r.stderr).not.toMatch(/pretraining|epoch/);
  });

  it('a damaged entry is noted and trained again', () => {
    const before = weightsOf(path.join(entry, 'model'));
    fs.truncateSync(path.join(entry, 'model', 'weights.bin'), 1000);
    const r = run(['pretrain']);
    expect(r.status).toBe(0);
    expect(r.stderr).toContain(`asl-run: ${entry}: the cached pretrained backbone is unusable (${path.join(entry, 'model', 'weights.bin')}: truncated (1000 bytes;`);
    expect(STORED.exec(r.stdout)![2]).toBe(entry);
    const after = weightsOf(path.join(entry, 'model'));
    for (const [name, values] of before) expect(after.get(name)).toEqual(values);
  });

  it.each([
    ['an unknown backbone', ['pretrain', '--backbone', 'nope'], /^asl-run: --backbone: unknown backbone 'nope' \(known: resnet-tiny, resnet-small, mobilenet-tiny, mobilenet-small\)$/],
    ['a cache that cannot be written', ['pretrain', '--cache-dir', path.join(__filename, 'cache')], /^asl-run: .*pretrain\.test\.ts\/cache: cannot create the cache folder \(ENOTDIR: not a directory\)$/],
    ['a bad recipe', ['pretrain', '--width', '0'], /^asl-run: --width: expected a number in \(0, 16\], got 0$/],
    ['a backbone read from a model file', ['pretrain', '--backbone', 'tfjs:/nowhere/model.json'], /^asl-run: --backbone tfjs:\/nowhere\/model\.json: a backbone read from a model file brings its own weights; the built-in pretraining is for registered backbones \(resnet-tiny, /],
  ])('%s is one line, exit 1', (_, args, message) => {
    expect(refusal(run(args))).toMatch(message);
  });
});

describe('a plugin backbone', () => {
  const plugin = path.join(ROOT, 'examples', 'plugins', 'tiny-vgg-backbone.js');
  const pretrainPlugin = (file: string) => {
    const r = run(['pretrain', '--plugin', file, '--backbone', 'tiny-vgg']);
    expect(r.status).toBe(0);
    return /^tiny-vgg \(width 1, stem stride 2\): pretrained in \d+s \(top-1 \d+\.\d\d %\): (\S+)\n$/.exec(r.stdout)![1];
  };

  it('is pretrained like a built-in one, keyed by its file content too', () => {
    const entry = pretrainPlugin(plugin);
    expect(path.basename(entry)).toMatch(/^pretrained-tiny-vgg-w1-[0-9a-f]{12}-v1$/);
    expect(JSON.parse(fs.readFileSync(path.join(entry, 'config.json'), 'utf8')).plugins).toEqual([{ path: plugin, sha256: expect.stringMatching(/^[0-9a-f]{64}$/) }]);
    // Another version of the plugin (here only a comment changed) is another backbone as far as the cache knows.
    const edited = path.join(work, 'tiny-vgg-backbone.js');
    fs.writeFileSync(edited, `${fs.readFileSync(plugin, 'utf8')}\n// edited\n`);
    const other = pretrainPlugin(edited);
    expect(other).not.toBe(entry);
    expect(fs.readFileSync(path.join(other, 'model', 'weights.bin')).equals(fs.readFileSync(path.join(entry, 'model', 'weights.bin')))).toBe(true);
  });
});

describe('--pretrained builtin into detection, backbone frozen then slower', () => {
  const tuned = path.join(work, 'tuned');
  const scratch = path.join(work, 'scratch');
  let stderr = '';
  beforeAll(() => {
    const r = run([...detection, '--pretrained', 'builtin', '--freeze-backbone-epochs', '1', '--backbone-lr-mult', '0.1', '--out', tuned]);
    expect(r.status).toBe(0);
    stderr = r.stderr;
    expect(run([...detection, '--pretrained', 'none', '--out', scratch, '--quiet']).status).toBe(0);
  });

  const entryOf = () => /^asl-run: --pretrained builtin (\S+): loaded (\d+) of \d+ weight tensors \(backbone (\d+) of (\d+)\)/m.exec(stderr)!;

  it('loads the whole backbone from the cache entry, says where from, and records pretrained in config.json', () => {
    const [, entry, loaded, backbone, backboneTotal] = entryOf();
    expect(path.dirname(entry)).toBe(cache);
    expect(Number(backbone)).toBe(Number(backboneTotal));
    expect(Number(loaded)).toBe(weightsOf(path.join(entry, 'model')).size - 2);
    expect(stderr).toMatch(/^asl-run: --pretrained builtin: resnet-tiny \(width 1, stem stride 2\) (found in the cache|pretrained now in \d+s) \(top-1 /m);
    expect(JSON.parse(fs.readFileSync(path.join(tuned, 'config.json'), 'utf8')).model).toMatchObject({ pretrained: 'builtin', initFrom: '' });
  });

  it('ends with the frozen backbone equal to the pretrained one (batch-norm statistics aside)', () => {
    const from = weightsOf(path.join(entryOf()[1], 'model'));
    const after = weightsOf(path.join(tuned, 'model'));
    const backbone = [...from.keys()].filter((n) => !n.startsWith('head_logits/') && !/moving_(mean|variance)$/.test(n));
    for (const name of backbone) expect(after.get(name)).toEqual(from.get(name));
  });

  it('starts from a lower loss than the same run from scratch (same seed)', () => {
    expect(firstStepLoss(tuned)).toBeLessThan(firstStepLoss(scratch));
  });

  it("is detection's default (pretrained auto): the same entry, loaded without the flag; --pretrained none starts fresh", () => {
    const byDefault = path.join(work, 'by-default');
    const r = run([...detection, '--out', byDefault]);
    expect(r.status).toBe(0);
    expect(r.stderr).toContain(`asl-run: --pretrained auto ${entryOf()[1]}: loaded `);
    expect(JSON.parse(fs.readFileSync(path.join(byDefault, 'config.json'), 'utf8')).model).toMatchObject({ pretrained: 'auto', initFrom: '' });
    expect(firstStepLoss(byDefault)).toBeLessThan(firstStepLoss(scratch));
    expect(JSON.parse(fs.readFileSync(path.join(scratch, 'config.json'), 'utf8')).model.pretrained).toBe('none');
  });

  it.each([
    ['--init-from as well', [...detection, '--pretrained', 'builtin', '--init-from', scratch], /^asl-run: --pretrained: builtin and initFrom \(--init-from\) both give the initial weights; use one of them$/],
    ['--resume', ['--resume', tuned, '--pretrained', 'builtin'], /^asl-run: --resume continues with the run's saved config; drop --pretrained$/],
  ])('is refused with %s, creating nothing', (_, args, message) => {
    const out = path.join(work, `refused-${args.length}`);
    expect(refusal(run(args.includes('--resume') ? args : [...args, '--out', out]))).toMatch(message);
    expect(fs.existsSync(out)).toBe(false);
  });
});

describe('a --pretrained builtin multilabel run, killed', () => {
  it('loads the backbone only (not the classifier of the pretraining, of the same shape), and resumes from its checkpoint without the cache entry', async () => {
    const tags = path.join(work, 'tags');
    expect(cli(['data', 'make', 'mnist-multilabel', '--out', tags, '--options', '{"trainCount":96,"valCount":48}']).status).toBe(0);
    const args = ['--task', 'multilabel', '--data', tags, '--image-size', '32', '--epochs', '3', '--batch-size', '16', '--pretrained', 'builtin'];
    const [full, killed] = [path.join(work, 'full'), path.join(work, 'killed')];
    const uninterrupted = run([...args, '--out', full]);
    expect(uninterrupted.status).toBe(0);
    expect(uninterrupted.stderr).toMatch(
      /^asl-run: --pretrained builtin \S+: loaded 50 of 52 weight tensors \(backbone 50 of 50\); 2 initialised fresh: 2 outside the backbone \(e\.g\. head_logits\/kernel\); 2 source tensors unused$/m,
    );
    const child = cliAsync([...args, '--quiet', '--backend', 'wasm', '--out', killed], ENV);
    await waitFor(path.join(killed, 'checkpoint', 'last.ckpt'), 240_000);
    child.kill('SIGKILL');
    await new Promise((resolve) => child.on('exit', resolve));
    expect(fs.existsSync(path.join(killed, 'metrics.json'))).toBe(false);
    const moved = path.join(work, 'cache-moved');
    fs.renameSync(cache, moved);
    try {
      const r = run(['--resume', killed]);
      expect(r.status).toBe(0);
      expect(r.stderr).toContain('asl-run: resuming multilabel');
      expect(r.stderr).not.toMatch(/pretraining|--pretrained builtin/);
    } finally {
      fs.renameSync(moved, cache);
    }
    const weights = (dir: string) => fs.readFileSync(path.join(dir, 'model', 'weights.bin'));
    expect(weights(killed).equals(weights(full))).toBe(true);
  });
});
