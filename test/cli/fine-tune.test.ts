/**
 * Fine-tuning through the real CLI: a detection run initialised from a single-label run
 * (--init-from) with its backbone frozen, against the same run from scratch, and the refusals.
 */
import * as fs from 'fs';
import * as path from 'path';
import { tf } from '../../src/core/tf';
import { initBackend } from '../../src/core/backend/init';
import { disposeModel } from '../../src/core/engine/model-io';
import { weightsOf } from '../core/engine/saved-weights';
import { readRunConfig } from '../../src/core/engine/run';
import { buildDetector } from '../../src/tasks/detection/model';
import { headOptions } from '../../src/tasks/detection/options';
import { fcosHead } from '../../src/tasks/detection/heads/fcos';
import { backbones } from '../tasks/detection/task-fixture';
import { cli, cliAsync, firstStepLoss, refusal, tmpDir, waitFor } from './run-cli';

const work = tmpDir('asl-run-ft-');
const mnist = path.join(work, 'mnist');
const scenes = path.join(work, 'scenes');
const source = path.join(work, 'source');
// lr 0.006 (a quarter of the default): the FPN's move in 4 steps stays a fraction of its initial size, checked below.
const detection = ['--task', 'detection', '--head', 'fcos', '--lr', '0.006', '--data', scenes, '--image-size', '64', '--epochs', '1', '--batch-size', '8', '--backend', 'wasm', '--no-ema', '--log-every', '1'];

beforeAll(async () => {
  await initBackend('cpu');
  expect(cli(['data', 'make', 'mnist', '--out', mnist, '--options', '{"trainCount":320,"valCount":100}']).status).toBe(0);
  expect(cli(['data', 'make', 'mnist-detection', '--out', scenes, '--options', '{"trainCount":32,"valCount":6}']).status).toBe(0);
  const r = cli(['--task', 'singlelabel', '--data', mnist, '--image-size', '64', '--backbone', 'resnet-small', '--epochs', '2', '--batch-size', '32', '--lr', '0.01', '--backend', 'wasm', '--no-ema', '--quiet', '--out', source]);
  expect(r.status).toBe(0);
});

describe('--init-from a single-label run into detection, backbone frozen', () => {
  const tuned = path.join(work, 'tuned');
  const scratch = path.join(work, 'scratch');
  let stderr = '';
  beforeAll(() => {
    const r = cli([...detection, '--backbone', 'resnet-small', '--init-from', source, '--freeze-backbone-epochs', '1', '--out', tuned]);
    expect(r.status).toBe(0);
    stderr = r.stderr;
    expect(cli([...detection, '--backbone', 'resnet-small', '--pretrained', 'none', '--out', scratch, '--quiet']).status).toBe(0);
  });

  it('prints one line: all of the backbone loaded, the FPN and head fresh, the classifier unused', () => {
    const lines = stderr.split('\n').filter((l) => l.includes('--init-from'));
    expect(lines).toHaveLength(1);
    const [, loaded, total, backbone, backboneTotal, fresh, missing] = lines[0].match(
      /^asl-run: --init-from .*source: loaded (\d+) of (\d+) weight tensors \(backbone (\d+) of (\d+)\); (\d+) initialised fresh: (\d+) not in the source \(e\.g\. fpn_\S+\); 2 source tensors unused$/,
    )!.map(Number);
    expect(backbone).toBe(backboneTotal);
    expect(loaded).toBe(backbone);
    expect(fresh).toBe(missing);
    expect(loaded + fresh).toBe(total);
    // Every source weight but the classifier's two is the backbone's.
    expect(loaded).toBe(weightsOf(path.join(source, 'model')).size - 2);
  });

  it('ends with the backbone bit-identical to the source (batch-norm statistics still updated) and the FPN and head trained', () => {
    const from = weightsOf(path.join(source, 'model'));
    const after = weightsOf(path.join(tuned, 'model'));
    const backbone = [...from.keys()].filter((n) => !n.startsWith('head_logits/'));
    const statistics = backbone.filter((n) => /moving_(mean|variance)$/.test(n));
    for (const name of backbone.filter((n) => !statistics.includes(n))) expect(after.get(name)).toEqual(from.get(name));
    for (const name of statistics) expect(after.get(name)).not.toEqual(from.get(name));
    // The detector as the run built it before training: same config, same seed.
    const config = readRunConfig(tuned);
    const initial = buildDetector(fcosHead, backbones, config, config.classes.length, headOptions(fcosHead, config.taskOptions));
    const head = initial.trainableWeights.filter((w) => !from.has(w.originalName));
    const unchanged = head.filter((w) => tf.util.arraysEqual(after.get(w.originalName)!, w.read().dataSync())).map((w) => `${w.originalName} [${w.shape}]`);
    // A level's box-scale scalar only moves once a box is assigned to that level; a 32-image epoch may give the coarsest none.
    expect(unchanged.filter((n) => !/^head_scale\d\/scale /.test(n))).toEqual([]);
    expect(unchanged.length).toBeLessThan(head.length / 10);
    // The in-process build is the run's initialisation: its FPN kernels (He-initialised, large) moved by a fraction of their size in 4 steps.
    for (const w of head.filter((v) => v.originalName.startsWith('fpn_') && v.shape.length > 1)) {
      const [a, b] = [after.get(w.originalName)!, w.read().dataSync() as Float32Array];
      const relative = a.reduce((s, v, i) => s + Math.abs(v - b[i]), 0) / b.reduce((s, v) => s + Math.abs(v), 0);
      expect(relative).toBeLessThan(0.5);
    }
    disposeModel(initial);
  });

  it('starts from a lower loss than the same run from scratch (same seed)', () => {
    expect(firstStepLoss(tuned)).toBeLessThan(firstStepLoss(scratch));
  });

  it('is refused with --resume (the checkpoint holds the weights)', () => {
    expect(refusal(cli(['--resume', tuned, '--init-from', source, '--backend', 'wasm']))).toBe("asl-run: --resume continues with the run's saved config; drop --init-from");
  });
});

describe('a frozen-then-slower backbone across a SIGKILL and --resume', () => {
  it('resumes to weights bit-identical to the uninterrupted run, without reading the --init-from source again', async () => {
    const tags = path.join(work, 'tags');
    expect(cli(['data', 'make', 'mnist-multilabel', '--out', tags, '--options', '{"trainCount":96,"valCount":48}']).status).toBe(0);
    const copy = path.join(work, 'source-copy');
    fs.cpSync(source, copy, { recursive: true });
    const args = ['--task', 'multilabel', '--data', tags, '--backbone', 'resnet-small', '--image-size', '32', '--epochs', '3', '--batch-size', '16', '--backend', 'wasm',
      '--init-from', copy, '--freeze-backbone-epochs', '1', '--backbone-lr-mult', '0.5', '--quiet'];
    const [full, killed] = [path.join(work, 'full'), path.join(work, 'killed')];
    expect(cli([...args, '--out', full]).status).toBe(0);
    const child = cliAsync([...args, '--out', killed]);
    // The first checkpoint is the end of the frozen epoch: the resumed run thaws the backbone from the saved optimiser state.
    await waitFor(path.join(killed, 'checkpoint', 'last.ckpt'), 240_000);
    child.kill('SIGKILL');
    await new Promise((resolve) => child.on('exit', resolve));
    expect(fs.existsSync(path.join(killed, 'metrics.json'))).toBe(false);
    fs.rmSync(copy, { recursive: true });
    expect(cli(['--resume', killed, '--backend', 'wasm', '--quiet']).status).toBe(0);
    const weights = (dir: string) => fs.readFileSync(path.join(dir, 'model', 'weights.bin'));
    expect(weights(killed).equals(weights(full))).toBe(true);
  });
});

describe('--init-from refusals create no run folder', () => {
  it.each([
    ['a run of another backbone', ['--backbone', 'resnet-tiny', '--init-from', source], /^asl-run: --init-from .*source: no weight of the model matches the source by name and shape \('stem_conv\/kernel': \[3, 3, 3, 32\] float32 in the source, \[3, 3, 3, 16\] float32 in the model\); nothing to load$/],
    ['a missing path', ['--backbone', 'resnet-small', '--init-from', path.join(work, 'nowhere')], /^asl-run: --init-from .*nowhere: no such file or folder$/],
  ])('%s', (_, extra, message) => {
    const out = path.join(work, `refused-${extra.join('-').length}`);
    expect(refusal(cli([...detection, ...extra, '--out', out]))).toMatch(message);
    expect(fs.existsSync(out)).toBe(false);
  });
});
