/**
 * A wrong key in each user-facing structure, through the real CLI: every one fails with a non-zero
 * exit and a single error line `asl-run: <where>: <what is wrong>` that names the key — a flag, a
 * config file's key, task options, loss parameters, a data generator's options, a plugin's loss.
 * (Ranges of every option: option-errors.test.ts and train-options.test.ts.)
 */
import * as fs from 'fs';
import * as path from 'path';
import { cli, tmpDir } from './run-cli';

const work = tmpDir('asl-run-wrong-key-');
let files = 0;

function write(name: string, content: string): string {
  const file = path.join(work, `${files++}-${name}`);
  fs.writeFileSync(file, content);
  return file;
}

/** Runs `args` and returns its error line (the last), checking every line is one `asl-run: ` line (status lines, then the error) and that nothing was written. */
function errorLine(args: string[], status = 1): string {
  const out = path.join(work, `out-${files++}`);
  const r = cli([...args, '--out', out, '--backend', 'cpu']);
  expect(r.status).toBe(status);
  expect(r.stderr).not.toMatch(/\n\s+at /);
  expect(fs.existsSync(out)).toBe(false);
  const lines = r.stderr.trim().split('\n');
  expect(lines.every((l) => l.startsWith('asl-run: '))).toBe(true);
  return lines[lines.length - 1];
}

describe('a wrong key gives one line naming where it was written and the key', () => {
  it('a command-line flag', () => {
    expect(errorLine(['--epoch', '3'], 2)).toBe("asl-run: --epoch: unknown option (the command's --help lists the known ones)");
    expect(errorLine(['data', 'make', 'mnist', '--seed', '3'], 2)).toBe("asl-run: --seed: unknown option (the command's --help lists the known ones)");
  });

  it('a config file key, at any depth', () => {
    const top = write('top.json', JSON.stringify({ epochs: 3 }));
    expect(errorLine(['--config', top])).toBe(
      `asl-run: ${top}: unknown option 'epochs' (known: task, loss, lossParams, backend, data, model, input, augment, train, taskOptions)`,
    );
    const nested = write('nested.json', JSON.stringify({ train: { optimizer: { nme: 'sgd' } } }));
    expect(errorLine(['--config', nested])).toBe(
      `asl-run: ${nested}: unknown option 'train.optimizer.nme' (known under 'train.optimizer': name, weightDecay, beta1, beta2, eps, momentum, nesterov)`,
    );
  });

  it('task options, from a file or the flag', () => {
    const file = write('task.json', JSON.stringify({ task: 'detection', taskOptions: { strides2: [8] } }));
    expect(errorLine(['--config', file])).toMatch(new RegExp(`^asl-run: ${file}: unknown option 'taskOptions\\.strides2' \\(known under 'taskOptions': head, strides, .*\\)$`));
    expect(errorLine(['--task', 'singlelabel', '--task-options', '{"foo":1}'])).toBe("asl-run: --task-options: unknown option 'taskOptions.foo' (known under 'taskOptions': none)");
  });

  it('loss parameters', () => {
    expect(errorLine(['--loss', 'focal', '--loss-params', '{"gammaNeg":4}'])).toMatch(/^asl-run: .*\bunknown parameter 'gammaNeg' \(known: [^)]*\bgamma\b[^)]*\)$/);
  });

  it('data generator options: data make --options, a config file and the training flag', () => {
    expect(errorLine(['data', 'make', 'mnist-detection', '--options', '{"missingLabels":0.5}'])).toBe(
      "asl-run: --options: unknown option 'missingLabels' (known: trainCount, valCount, seed)",
    );
    expect(errorLine(['data', 'make', 'mnist-multilabel', '--options', '{"missingLabels":2}'])).toBe('asl-run: --options: missingLabels: expected a number in [0, 0.99], got 2');
    const file = write('builtin.json', JSON.stringify({ data: { builtinOptions: { trainCont: 100 } } }));
    expect(errorLine(['--config', file])).toBe(
      `asl-run: ${file}: unknown option 'data.builtinOptions.trainCont' (known under 'data.builtinOptions': trainCount, valCount, missingLabels, seed)`,
    );
    expect(errorLine(['--missing-labels', '2'])).toBe('asl-run: --missing-labels: expected a number in [0, 0.99], got 2');
    // mnist (single-label) has no missing labels: the flag is a key its generator does not know.
    expect(errorLine(['--task', 'singlelabel', '--missing-labels', '0.5'])).toBe(
      "asl-run: --missing-labels: unknown option 'data.builtinOptions.missingLabels' (known under 'data.builtinOptions': trainCount, valCount)",
    );
  });

  it('a plugin file whose loss has a bad field', () => {
    const plugin = write('bad-kind.js', "module.exports = { name: 'bad-kind', kind: 'sigmoidd', defaults: {}, validate: (p) => p, create: () => ({}) };\n");
    const r = cli(['losses', '--backend', 'cpu', '--plugin', plugin]);
    expect(r.status).toBe(1);
    expect(r.stderr.trim().split('\n').pop()).toBe(`asl-run: plugin ${plugin}: kind: expected one of 'sigmoid', 'softmax', got "sigmoidd"`);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});
