import * as fs from 'fs';
import * as path from 'path';
import { flagOverrides, resolveRunConfig, trainFlagOptions } from '../../src/cli/train-options';
import { TaskRegistry } from '../../src/core/registry/task-registry';
import { detectionTask } from '../../src/tasks/detection';
import { multilabelTask } from '../../src/tasks/multilabel';
import { cli, tmpDir } from './run-cli';

const tasks = new TaskRegistry();
tasks.register(multilabelTask);
tasks.register(detectionTask);
const work = tmpDir('asl-run-train-options-');

function configFile(content: object): string {
  const file = path.join(work, `config-${Math.random().toString(36).slice(2)}.json`);
  fs.writeFileSync(file, JSON.stringify(content));
  return file;
}

describe('resolveRunConfig: head-dependent detection defaults', () => {
  it('--head yolox gives YOLOX defaults (bce, 0.01 / 0.65, box weight 5); FCOS keeps its own', () => {
    const yolox = resolveRunConfig(tasks, 'detection', undefined, { head: 'yolox' });
    expect(yolox.loss).toBe('bce');
    expect(yolox.taskOptions).toMatchObject({ head: 'yolox', scoreThreshold: 0.01, nmsThreshold: 0.65, boxWeight: 5, objLoss: 'bce', assigner: 'center-prior', clsTarget: 'iou' });
    const fcos = resolveRunConfig(tasks, 'detection', undefined, {});
    expect(fcos.loss).toBe('focal');
    expect(fcos.taskOptions).toMatchObject({ head: 'fcos', scoreThreshold: 0.05, nmsThreshold: 0.6, boxWeight: 1 });
  });

  it('the user’s values win over the head’s defaults, from a file or flags; the head may come from the file', () => {
    const file = configFile({ task: 'detection', loss: 'asl', taskOptions: { head: 'yolox', scoreThreshold: 0.2 } });
    const fromFile = resolveRunConfig(tasks, undefined, file, {});
    expect(fromFile.loss).toBe('asl');
    expect(fromFile.taskOptions).toMatchObject({ head: 'yolox', scoreThreshold: 0.2, nmsThreshold: 0.65 });
    const flags = resolveRunConfig(tasks, 'detection', undefined, { head: 'yolox', loss: 'focal' });
    expect(flags.loss).toBe('focal');
    // A flag overrides the file's head, and the defaults follow it.
    const back = resolveRunConfig(tasks, undefined, file, { head: 'fcos' });
    expect(back.taskOptions).toMatchObject({ head: 'fcos', scoreThreshold: 0.2, nmsThreshold: 0.6 });
  });

  it('--obj-loss and --obj-loss-params set the objectness loss; a new --obj-loss alone starts from its defaults', () => {
    const file = configFile({ task: 'detection', taskOptions: { head: 'yolox', objLoss: 'asl', objLossParams: { gammaNeg: 4 } } });
    expect(resolveRunConfig(tasks, undefined, file, {}).taskOptions).toMatchObject({ objLoss: 'asl', objLossParams: { gammaNeg: 4 } });
    expect(resolveRunConfig(tasks, undefined, file, { 'obj-loss': 'bce' }).taskOptions).toMatchObject({ objLoss: 'bce', objLossParams: {} });
    const both = resolveRunConfig(tasks, undefined, file, { 'obj-loss': 'focal', 'obj-loss-params': '{"gamma":1}' });
    expect(both.taskOptions).toMatchObject({ objLoss: 'focal', objLossParams: { gamma: 1 } });
    expect(() => flagOverrides({ 'obj-loss-params': '{gamma:1}' })).toThrow(/^--obj-loss-params: /);
  });

  it('lists --head, --obj-loss and --obj-loss-params in --help', () => {
    const options = trainFlagOptions();
    for (const flag of ['head', 'obj-loss', 'obj-loss-params']) expect(options[flag]).toMatchObject({ type: 'string', group: 'Training:' });
    expect(options['obj-loss-params']).not.toHaveProperty('json');
  });
});

describe('asl-run --head yolox (built CLI)', () => {
  it('--obj-loss nope fails with one line naming the option', () => {
    const r = cli(['--task', 'detection', '--head', 'yolox', '--obj-loss', 'nope', '--backend', 'wasm', '--out', path.join(work, 'bad')]);
    expect(r.status).toBe(1);
    const lines = r.stderr.trim().split('\n');
    expect(lines[lines.length - 1]).toMatch(/^asl-run: taskOptions\.objLoss \(--obj-loss\): unknown loss 'nope' \(known: .*bce/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});
