/**
 * configs/config.schema.json: what the code emits, what `asl-run schema` prints, what every shipped
 * config satisfies under a real JSON Schema validator (Ajv), and where it agrees with the zod parse
 * of `--config` (the same files accepted, the same key named when one is rejected).
 */
import * as fs from 'fs';
import * as path from 'path';
import Ajv from 'ajv';
import type { DatasetRegistry } from '../../src/core/data/builtin';
import { createContainer, TOKENS } from '../../src/core/container';
import type { TaskRegistry } from '../../src/core/registry/task-registry';
import { configJsonSchemaText } from '../../src/core/config-json-schema';
import { resolveRunConfig } from '../../src/cli/train-options';
import { cli, tmpDir } from '../cli/run-cli';

const CONFIG_DIR = path.resolve(__dirname, '../../configs');
const SCHEMA_FILE = path.join(CONFIG_DIR, 'config.schema.json');
const configFiles = fs.readdirSync(CONFIG_DIR).filter((f) => f.endsWith('.json') && f !== 'config.schema.json').sort();

const container = createContainer();
const tasks = container.get<TaskRegistry>(TOKENS.TaskRegistry);
const datasets = container.get<DatasetRegistry>(TOKENS.DatasetRegistry);
const committed = fs.readFileSync(SCHEMA_FILE, 'utf8');
// strict: a keyword Ajv does not know, or a type it cannot tell, fails compilation instead of being ignored.
const validate = new Ajv({ strict: true, allErrors: true }).compile(JSON.parse(committed));
const work = tmpDir('asl-run-config-schema-');

/** Ajv's verdict: undefined when valid, else the dotted key paths its errors point at. */
function schemaProblems(config: object): string[] | undefined {
  if (validate(config)) return undefined;
  return validate.errors!.map((e) => {
    const keys = e.instancePath.split('/').filter(Boolean);
    if (e.keyword === 'additionalProperties') keys.push((e.params as { additionalProperty: string }).additionalProperty);
    return keys.join('.');
  });
}

/** The zod verdict of `--config`: undefined when it resolves, else its one-line error. */
function loaderProblem(config: object, name: string): string | undefined {
  const file = path.join(work, `${name}.json`);
  fs.writeFileSync(file, JSON.stringify(config));
  try {
    resolveRunConfig(tasks, undefined, file, {}, datasets);
    return undefined;
  } catch (err) {
    return (err as Error).message;
  }
}

describe('configs/config.schema.json', () => {
  it('is what the code emits (run `npm run schema` after changing an option)', () => {
    expect(committed).toBe(configJsonSchemaText(tasks));
  });

  it('is what `asl-run schema` prints', () => {
    const r = cli(['schema']);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toBe(committed);
  });

  it.each(configFiles)('%s names the schema first and validates against it', (file) => {
    const config = JSON.parse(fs.readFileSync(path.join(CONFIG_DIR, file), 'utf8'));
    expect(Object.keys(config)[0]).toBe('$schema');
    expect(config.$schema).toBe('./config.schema.json');
    expect(schemaProblems(config)).toBeUndefined();
  });

  // [name, config, the key both name when rejecting (undefined: both accept)]
  const cases: [string, object, string | undefined][] = [
    ['empty', {}, undefined],
    ['detection with yolox options', { task: 'detection', loss: 'bce', taskOptions: { head: 'yolox', assigner: 'simota', objLossParams: { reduction: 'mean' } } }, undefined],
    ['$schema pointing anywhere', { $schema: 'https://example.com/x.json', task: 'singlelabel' }, undefined],
    ['open loss parameters', { loss: 'asl', lossParams: { gammaNeg: 2 } }, undefined],
    ['unknown top-level key', { task: 'multilabel', epochs: 3 }, 'epochs'],
    ['unknown nested key', { train: { epoch: 3 } }, 'train.epoch'],
    ['unknown task', { task: 'segmentation' }, 'task'],
    ['task not a string', { task: 3 }, 'task'],
    ['epochs below range', { train: { epochs: 0 } }, 'train.epochs'],
    ['fractional epochs', { train: { epochs: 2.5 } }, 'train.epochs'],
    ['hflip above 1', { augment: { hflip: 1.5 } }, 'augment.hflip'],
    ['stemStride not 1 or 2', { model: { stemStride: 3 } }, 'model.stemStride'],
    ['mean of 2 channels', { input: { mean: [0.5, 0.5] } }, 'input.mean'],
    ['empty optimiser name', { train: { optimizer: { name: '' } } }, 'train.optimizer.name'],
    ['detection-only option on multilabel', { task: 'multilabel', taskOptions: { head: 'fcos' } }, 'taskOptions.head'],
    ['detection-only option with the default task', { taskOptions: { nmsThreshold: 0.5 } }, 'taskOptions.nmsThreshold'],
    ['detection-only option on singlelabel', { task: 'singlelabel', taskOptions: { strides: [8] } }, 'taskOptions.strides'],
    ['unknown detection option', { task: 'detection', taskOptions: { anchors: 9 } }, 'taskOptions.anchors'],
    ['detection threshold above 1', { task: 'detection', taskOptions: { nmsThreshold: 2 } }, 'taskOptions.nmsThreshold'],
    ['unknown detection head', { task: 'detection', taskOptions: { head: 'retina' } }, 'taskOptions.head'],
    ['$schema not a string', { $schema: 3 }, '$schema'],
  ];

  it.each(cases)('%s: the schema and the loader agree', (name, config, key) => {
    const problems = schemaProblems(config);
    const message = loaderProblem(config, name.replace(/\W+/g, '-'));
    if (key === undefined) {
      expect(problems).toBeUndefined();
      expect(message).toBeUndefined();
      return;
    }
    expect(problems).toContain(key);
    // One line, naming the file and the key (an unknown key is quoted with its whole path).
    expect(message).toMatch(new RegExp(`^${work.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}/\\S+\\.json: `));
    expect(message).not.toContain('\n');
    expect(message).toContain(key.split('.').pop());
  });

  it('leaves to the loader the relations JSON Schema does not express (cropRatioMin <= cropRatioMax, levelBounds per stride)', () => {
    const crop = { augment: { cropRatioMin: 2, cropRatioMax: 1 } };
    expect(schemaProblems(crop)).toBeUndefined();
    expect(loaderProblem(crop, 'crop')).toMatch(/augment\.cropRatioMax: cropRatioMin must not exceed cropRatioMax$/);
    const levels = { task: 'detection', taskOptions: { strides: [8, 16], levelBounds: [24, 48] } };
    expect(schemaProblems(levels)).toBeUndefined();
    expect(loaderProblem(levels, 'levels')).toMatch(/levelBounds: needs 1 bounds for 2 levels/);
  });

  it('a run from a config naming the schema writes a config.json without $schema', () => {
    const out = path.join(work, 'run');
    const r = cli([
      '--config', path.join(CONFIG_DIR, 'multilabel-mnist-asl.json'),
      '--epochs', '1', '--batch-size', '8', '--max-train-images', '16', '--max-val-images', '16', '--image-size', '32',
      '--backend', 'wasm', '--threads', '1', '--quiet', '--out', out,
    ]);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const saved = JSON.parse(fs.readFileSync(path.join(out, 'config.json'), 'utf8'));
    expect(saved).not.toHaveProperty('$schema');
    expect(saved.lossParams).toMatchObject({ gammaNeg: 4, clip: 0.05 });
    // What a run adds beside its config (the classes it learnt, the plugins it used) is no config key.
    const { classes: _classes, plugins: _plugins, ...config } = saved;
    expect(schemaProblems(config)).toBeUndefined();
  });
});
