/**
 * Bad options through the real CLI, as a user meets them: exit 1, one line naming the option and
 * what was expected, no stack trace, and no run folder left behind. Ranges and types come from the
 * config schema (src/core/run-config.ts), so a config file's key gets the same message.
 */
import * as fs from 'fs';
import * as path from 'path';
import { cli, tmpDir } from './run-cli';

const work = tmpDir('asl-run-option-errors-');

function configFile(content: object): string {
  const file = path.join(work, `config-${Math.random().toString(36).slice(2)}.json`);
  fs.writeFileSync(file, JSON.stringify(content));
  return file;
}

/** Runs `args` into a fresh --out and checks the failure is one line, returned for matching. */
function failure(args: string[]): string {
  const out = path.join(work, `out-${Math.random().toString(36).slice(2)}`);
  const r = cli([...args, '--backend', 'cpu', '--out', out]);
  expect(r.stderr).not.toMatch(/\n\s+at /);
  expect(r.status).toBe(1);
  expect(fs.existsSync(out)).toBe(false);
  // Status lines and the error, each one line: nothing else (a stack, a multi-line message) on stderr.
  const lines = r.stderr.trim().split('\n');
  expect(lines.every((l) => l.startsWith('asl-run: '))).toBe(true);
  return lines[lines.length - 1];
}

describe('train: a bad option is refused with one line naming it (every option: train-options.test.ts)', () => {
  it.each<[string[], string]>([
    [['--epochs', '0', '--schedule', 'constant'], 'asl-run: --epochs: expected an integer >= 1, got 0'],
    [['--epochs', '-1'], 'asl-run: --epochs: expected an integer >= 1, got -1'],
    [['--epochs', '1.5'], 'asl-run: --epochs: expected an integer >= 1, got 1.5'],
    [['--epochs', 'two'], 'asl-run: --epochs: expected a number'],
    [['--lr', '0'], 'asl-run: --lr: expected a number > 0, got 0'],
    [['--image-size', '100000'], 'asl-run: --image-size: expected an integer in [8, 2048], got 100000'],
    [['--head', 'yolox'], "asl-run: --head: unknown option 'taskOptions.head' (known under 'taskOptions': none)"],
    [['--task', 'singlelabel', '--task-options', '{"nope":1}'], "asl-run: --task-options: unknown option 'taskOptions.nope' (known under 'taskOptions': none)"],
    [['--optimizer', 'lion'], "asl-run: --optimizer: unknown optimizer 'lion' (known: adam, adamw, sgd)"],
    [['--schedule', 'step'], "asl-run: --schedule: unknown schedule 'step' (known: onecycle, cosine, constant)"],
    [['--backbone', 'vit'], "asl-run: --backbone: unknown backbone 'vit' (known: resnet-tiny, resnet-small, mobilenet-tiny, mobilenet-small)"],
    [['--data', '/tmp', '--missing-labels', '0.5'], 'asl-run: --missing-labels: applies to a built-in dataset, not to your own data (--data); drop one of them'],
  ])('%j', (args, line) => {
    expect(failure(args)).toBe(line);
  });

  it('--task-options with an unknown detection key lists the known ones', () => {
    expect(failure(['--task', 'detection', '--task-options', '{"nope":1}'])).toMatch(
      /^asl-run: --task-options: unknown option 'taskOptions\.nope' \(known under 'taskOptions': head, strides, levelBounds, .*objWeight\)$/,
    );
  });

  it('a config file gets the same checks, naming the file and the key', () => {
    expect(failure(['--config', configFile({ train: { epochs: 0 } })])).toMatch(/^asl-run: .*config-\w+\.json: train\.epochs: expected an integer >= 1, got 0$/);
    expect(failure(['--config', configFile({ train: { epoch: 3 } })])).toMatch(/^asl-run: .*config-\w+\.json: unknown option 'train\.epoch' \(known under 'train': epochs, batchSize, /);
    expect(failure(['--config', configFile({ task: 'multilabel', taskOptions: { head: 'yolox' } })])).toMatch(/^asl-run: .*\.json: unknown option 'taskOptions\.head' \(known under 'taskOptions': none\)$/);
    expect(failure(['--config', configFile({ data: { dir: '/tmp', builtinOptions: { missingLabels: 0.5 } } })])).toMatch(
      /^asl-run: .*\.json: data\.builtinOptions\.missingLabels: applies to a built-in dataset, not to your own data \(.*\.json: data\.dir\); drop one of them$/,
    );
  });

  it('a shipped config’s built-in dataset gives way to --data (no conflict), and the data folder is then what is read', () => {
    expect(failure(['--config', path.resolve(__dirname, '../../configs/multilabel-mnist-asl.json'), '--data', '/no/such/dir'])).toBe('asl-run: /no/such/dir: data folder not found');
  });

  it('compare checks the flags it passes to every cell the same way', () => {
    const r = cli(['compare', '--tasks', 'multilabel', '--losses', 'bce', '--seeds', '1', '--epochs', '0', '--backend', 'cpu', '--out', path.join(work, 'cmp')]);
    expect(r.status).toBe(1);
    expect(r.stderr.trim().split('\n').pop()).toBe('asl-run: --epochs: expected an integer >= 1, got 0');
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});

describe('predict: its own flags are checked before anything runs', () => {
  it.each<[string[], string]>([
    [['--top', '0'], 'asl-run: --top: expected an integer >= 1, got 0'],
    [['--top', '2.5'], 'asl-run: --top: expected an integer >= 1, got 2.5'],
    [['--draw-min-score', '2'], 'asl-run: --draw-min-score: expected a number in [0, 1], got 2'],
  ])('%j', (args, line) => {
    const r = cli(['predict', '--run', path.join(work, 'no-run'), 'image.png', ...args]);
    expect(r.status).toBe(1);
    expect(r.stderr.trim()).toBe(line);
  });
});
