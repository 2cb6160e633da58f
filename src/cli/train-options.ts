/**
 * The training flags of `asl-run [train]`, each mapped to the config key it overrides, and the
 * resolution task defaults ← --config file ← flags.
 */
import * as path from 'path';
import type { Options } from 'yargs';
import { ConfigError, deepMerge, isObject, JsonObject, JsonValue, parseJsonFlag, readJsonFile, setPath } from '../core/config';
import { PRETRAINED_CHOICES, runConfigSchema, type RunConfig } from '../core/run-config';
import { inFile, openObject, parseOrThrow, type IssueLabel } from '../core/schema';
import { SCHEMA_KEY } from '../core/config-json-schema';
import type { TaskRegistry } from '../core/registry/task-registry';
import { givenOptionsSchema, type DatasetRegistry } from '../core/data/builtin';

interface FlagSpec extends Options {
  /** Config path the flag overrides; its value is written there. */
  key: string;
  /** The value is JSON text (parsed, errors naming the flag). */
  json?: boolean;
}

/** Every flag here is optional: absent means "keep the config's value". */
export const TRAIN_FLAGS: Record<string, FlagSpec> = {
  loss: { key: 'loss', type: 'string', describe: 'Loss name from the registry (see `asl-run losses`)' },
  'loss-params': { key: 'lossParams', type: 'string', json: true, describe: 'Loss parameters as JSON, e.g. \'{"gammaNeg":4,"clip":0.05}\'' },
  // Before the flags that set single task options, which then land inside it.
  'task-options': {
    key: 'taskOptions',
    type: 'string',
    json: true,
    describe: 'Task options as JSON, merged over the task\'s (detection: strides, levelBounds, channels, scoreThreshold, …; a run\'s config.json lists them all)',
  },
  dataset: { key: 'data.builtin', type: 'string', describe: 'Built-in dataset (mnist-multilabel, mnist-colour-multilabel, mnist, mnist-detection; see `asl-run data list`)' },
  data: { key: 'data.dir', type: 'string', describe: 'Dataset folder; train/val splits found by convention (COCO, CSV, ImageFolder, VOC)' },
  train: { key: 'data.train', type: 'string', describe: 'Training split (annotation JSON, CSV or folder), overrides --data' },
  val: { key: 'data.val', type: 'string', describe: 'Validation split, overrides --data' },
  'skip-bad': { key: 'data.skipBad', type: 'boolean', describe: 'Skip and count bad records instead of stopping' },
  'missing-labels': { key: 'data.builtinOptions.missingLabels', type: 'number', describe: 'Built-in multi-label data: drop each training positive with this probability' },
  'max-train-images': { key: 'data.maxTrainImages', type: 'number', describe: 'Use at most this many training images (0 = all)' },
  'max-val-images': { key: 'data.maxValImages', type: 'number', describe: 'Use at most this many validation images (0 = all)' },
  backbone: {
    key: 'model.backbone',
    type: 'string',
    // A model file's path is saved absolute, as plugin paths are, so that --resume works from any folder.
    coerce: (name: string) => (name.startsWith('tfjs:') ? `tfjs:${path.resolve(name.slice('tfjs:'.length))}` : name),
    describe: 'Backbone (resnet-tiny, resnet-small, mobilenet-tiny, …, or tfjs:PATH: a TF.js layers model, with --taps)',
  },
  taps: {
    key: 'model.taps',
    type: 'string',
    coerce: (list: string) => list.split(',').map((name) => name.trim()),
    describe: 'With --backbone tfjs:PATH: comma-separated layer names whose outputs are the feature maps, shallow to deep',
  },
  'image-size': { key: 'model.imageSize', type: 'number', describe: 'Square input size in pixels' },
  fit: { key: 'input.fit', type: 'string', choices: ['stretch', 'letterbox'], describe: 'How images reach the square input: stretch each side, or letterbox (keep the aspect ratio, pad); boxes follow' },
  width: { key: 'model.widthMultiplier', type: 'number', describe: 'Backbone width multiplier' },
  'init-from': { key: 'model.initFrom', type: 'string', describe: 'Initialise from a run folder (any task) or a TF.js layers model (folder or model.json), by weight name and shape' },
  'init-from-partial': { key: 'model.initFromPartial', type: 'boolean', describe: 'Let --init-from load only part of the backbone (otherwise an error)' },
  pretrained: {
    key: 'model.pretrained',
    type: 'string',
    choices: [...PRETRAINED_CHOICES],
    describe: 'builtin: start the backbone from its built-in pretraining on MNIST (cached by backbone and width; `asl-run pretrain` makes it, else the first such run does); none: fresh; auto (detection\'s default): builtin unless --init-from or a tfjs: backbone gives the weights',
  },
  epochs: { key: 'train.epochs', type: 'number', describe: 'Training epochs' },
  'batch-size': { key: 'train.batchSize', type: 'number', describe: 'Images per batch' },
  lr: { key: 'train.lr', type: 'number', describe: 'Peak learning rate' },
  optimizer: { key: 'train.optimizer.name', type: 'string', describe: 'Optimiser: adam, adamw, sgd (or a --plugin one)' },
  'weight-decay': { key: 'train.optimizer.weightDecay', type: 'number', describe: 'Weight decay (not on biases and norm weights)' },
  schedule: { key: 'train.schedule.name', type: 'string', describe: 'Learning-rate schedule, stepped per iteration: onecycle, cosine, constant (or a --plugin one)' },
  seed: { key: 'train.seed', type: 'number', describe: 'Seed of initialisation, shuffling and augmentation' },
  'grad-clip': { key: 'train.gradClipNorm', type: 'number', describe: 'Clip the global gradient norm (0 = off)' },
  'freeze-backbone-epochs': { key: 'train.freezeBackboneEpochs', type: 'number', describe: 'Do not update the backbone weights for the first N epochs (batch-norm statistics still update)' },
  'backbone-lr-mult': { key: 'train.backboneLrMult', type: 'number', describe: "Backbone learning rate as a multiple of --lr's schedule (e.g. 0.1 when fine-tuning)" },
  ema: { key: 'train.ema.enabled', type: 'boolean', describe: 'Keep an EMA of the weights and keep whichever evaluates better (--no-ema to disable)' },
  'ema-decay': { key: 'train.ema.decay', type: 'number', describe: 'EMA decay' },
  'eval-every': { key: 'train.evalEvery', type: 'number', describe: 'Evaluate every N epochs (the last one always)' },
  'log-every': { key: 'train.logEvery', type: 'number', describe: 'Log a step every N steps' },
  head: { key: 'taskOptions.head', type: 'string', describe: 'Detection head: yolox (default: --loss bce, center-prior assigner, score threshold 0.01, NMS 0.65) | fcos (--loss bce, score threshold 0.05, NMS 0.6)' },
  'obj-loss': { key: 'taskOptions.objLoss', type: 'string', describe: 'Detection (yolox): objectness loss from the registry (default bce)' },
  'obj-loss-params': { key: 'taskOptions.objLossParams', type: 'string', json: true, describe: 'Detection (yolox): objectness loss parameters as JSON, like --loss-params' },
};

/**
 * `--profile`: how a run is observed, not what it trains, so it is no config key (not saved in
 * config.json, and allowed with --resume).
 */
export const PROFILE_OPTION: Options = {
  type: 'boolean',
  group: 'Training:',
  describe: 'At the end, print where the wall time went (data wait, forward/backward, update, EMA, evaluation, checkpoints, logging) and save it in metrics.json',
};

/** `--overwrite`: what may happen to the run folder, not what is trained, so no config key either. */
export const OVERWRITE_OPTION: Options = {
  type: 'boolean',
  group: 'Training:',
  describe: 'Replace the run already in --out (its config, log, checkpoint, model and metrics); without it such a folder is refused',
};

export function trainFlagOptions(): Record<string, Options> {
  return Object.fromEntries(Object.entries(TRAIN_FLAGS).map(([flag, { key: _key, json: _json, ...opt }]) => [flag, { ...opt, group: 'Training:' }]));
}

/** The config overrides given as flags (only those present in `args`). */
export function flagOverrides(args: Record<string, unknown>): { overrides: JsonObject; given: string[] } {
  const overrides: JsonObject = {};
  const given: string[] = [];
  for (const [flag, spec] of Object.entries(TRAIN_FLAGS)) {
    const value = args[flag];
    if (value === undefined) continue;
    if (typeof value === 'number' && !Number.isFinite(value)) throw new ConfigError(`--${flag}: expected a number`);
    given.push(`--${flag}`);
    setPath(overrides, spec.key, spec.json ? parseJsonFlag(`--${flag}`, String(value)) : (value as JsonValue));
  }
  return { overrides, given };
}

/**
 * Names the option behind a config key set on the command line: its flag (`--epochs`), the JSON
 * flag holding it (`--task-options: strides`), or `command line` for a key no flag sets.
 */
const flagLabel: IssueLabel = (keyPath, unknownKey) => {
  const dotted = keyPath.join('.');
  const flags = Object.entries(TRAIN_FLAGS);
  // A list flag (--taps) is named for its items too.
  const exact = flags.find(([, spec]) => spec.key === dotted || (!spec.json && dotted.startsWith(`${spec.key}.`)));
  if (exact) return `--${exact[0]}`;
  const holder = flags.find(([, spec]) => spec.json && dotted.startsWith(`${spec.key}.`));
  if (holder) return unknownKey ? `--${holder[0]}` : `--${holder[0]}: ${dotted.slice(holder[1].key.length + 1)}`;
  return unknownKey ? 'command line' : `command line: ${dotted}`;
};

const objectOr = (v: unknown): JsonObject => (isObject(v) ? v : {});

/**
 * A built-in dataset and the user's own data (`dir`, `train`/`val`) are two answers to one question.
 * A config file's built-in dataset gives way to own data given as a flag (a shipped recipe on your
 * data); a built-in dataset asked for as a flag, or generator options from anywhere, would be
 * silently ignored beside own data, and are refused.
 */
function checkDataSource(fileData: JsonObject, flagData: JsonObject, configFile: string | undefined): void {
  const ownKey = (d: JsonObject) => (['dir', 'train', 'val'] as const).find((k) => typeof d[k] === 'string' && d[k] !== '');
  const builtinKey = (d: JsonObject): string | undefined => {
    const option = Object.keys(objectOr(d.builtinOptions))[0];
    if (option !== undefined) return `builtinOptions.${option}`;
    return typeof d.builtin === 'string' && d.builtin !== '' ? 'builtin' : undefined;
  };
  const inConfigFile = (key: string) => `${configFile}: data.${key}`;
  const flagOwn = ownKey(flagData);
  const own = flagOwn ?? ownKey(fileData);
  if (!own) return;
  const flagBuiltin = builtinKey(flagData);
  const fileBuiltin = builtinKey(fileData);
  const conflict = flagBuiltin
    ? flagLabel(['data', ...flagBuiltin.split('.')])
    : fileBuiltin && (fileBuiltin !== 'builtin' || !flagOwn) ? inConfigFile(fileBuiltin) : undefined;
  if (conflict) {
    throw new ConfigError(`${conflict}: applies to a built-in dataset, not to your own data (${flagOwn ? flagLabel(['data', own]) : inConfigFile(own)}); drop one of them`);
  }
}

/** A config file's object without the `$schema` key that names its JSON Schema for editors (no config key). */
function configFileBody(configFile: string): JsonObject {
  const file = readJsonFile(configFile);
  if (!isObject(file)) throw new ConfigError(`${configFile}: must hold a JSON object`);
  const { [SCHEMA_KEY]: schemaRef, ...body } = file;
  if (schemaRef !== undefined && typeof schemaRef !== 'string') throw new ConfigError(`${configFile}: ${SCHEMA_KEY}: expected a string, got ${JSON.stringify(schemaRef)}`);
  return body;
}

/**
 * Task defaults ← config file ← flags; the task comes from --task, else the file, else multilabel. Each layer is checked by the task's schema.
 * @param datasets checks `data.builtinOptions` against the generator's options where the user wrote them (flag or file).
 */
export function resolveRunConfig(
  tasks: TaskRegistry, taskFlag: string | undefined, configFile: string | undefined, args: Record<string, unknown>, datasets: DatasetRegistry,
): RunConfig {
  const file = configFile ? configFileBody(configFile) : undefined;
  const fileTask = file?.task;
  // A file's task is named by the file (and --task overrides it, right or wrong).
  if (taskFlag === undefined && fileTask !== undefined && !tasks.names().includes(fileTask as string)) {
    throw new ConfigError(`${configFile}: task: expected one of ${tasks.names().map((n) => `'${n}'`).join(', ')}, got ${JSON.stringify(fileTask)}`);
  }
  const taskName = taskFlag ?? (typeof fileTask === 'string' ? fileTask : 'multilabel');
  const task = tasks.get(taskName);
  const { overrides } = flagOverrides(args);
  // Defaults may depend on a variant the user picked in taskOptions (detection's head), by file or flag.
  const userTaskOptions = { ...objectOr(file?.taskOptions), ...objectOr(overrides.taskOptions) };
  let config = task.defaults(userTaskOptions);
  // data.builtinOptions are checked against the generator named by the flags, else the file, else the task's default.
  const builtin = String(objectOr(overrides.data).builtin ?? objectOr(file?.data).builtin ?? config.data.builtin);
  const builtinOptions = datasets.has(builtin) ? givenOptionsSchema(datasets.get(builtin)) : openObject();
  const schema = runConfigSchema.extend({ taskOptions: task.optionsSchema, data: runConfigSchema.shape.data.extend({ builtinOptions }) });
  if (file) {
    // The file is checked on its own, over the defaults of the variant it picks (a flag may pick another, e.g. --head).
    parseOrThrow(schema, deepMerge(task.defaults(objectOr(file.taskOptions)), { ...file, task: taskName }), inFile(configFile!));
    config = deepMerge(config, { ...file, task: taskName }) as RunConfig;
  }
  // Changing a loss without giving its parameters starts from the new loss's defaults.
  if (overrides.loss !== undefined && overrides.loss !== config.loss && overrides.lossParams === undefined) config = { ...config, lossParams: {} };
  const taskFlags = objectOr(overrides.taskOptions);
  if (taskFlags.objLoss !== undefined && taskFlags.objLoss !== config.taskOptions.objLoss && taskFlags.objLossParams === undefined) {
    config = { ...config, taskOptions: { ...config.taskOptions, objLossParams: {} } };
  }
  const resolved = parseOrThrow(schema, deepMerge(config, overrides), flagLabel) as RunConfig;
  checkDataSource(objectOr(file?.data), objectOr(overrides.data), configFile);
  return resolved;
}
