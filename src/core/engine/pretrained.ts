/**
 * Built-in pretrained backbones, the ImageNet-pretraining analog for the built-in data sets: a
 * backbone (with its width and stem stride) is trained once by a fixed recipe, the singlelabel
 * task's default run on the built-in `mnist` (CE, 60000 digits × 3 epochs at 28×28, seed 0), and
 * kept in the cache beside the data sets as an ordinary run folder without its checkpoint, which
 * `--pretrained builtin` reads as `--init-from` would.
 *
 * The entry's key is `pretrained-<backbone>-w<width>-<hash>-v<version>`, the hash over everything
 * that decides the weights: the recipe's resolved config (backbone, width and stem stride included),
 * the content of a plugin backbone's file, and PRETRAINED_VERSION (raised when the code changes
 * what a recipe trains). The run is seeded: the same key trains the same weights on the same
 * backend. The backend is not keyed (weights are weights; its config.json records which trained them).
 * $ASL_RUN_PRETRAIN_RECIPE (config keys as JSON over the recipe, e.g. fewer images for tests)
 * changes the recipe, and with it the key.
 */
import * as fs from 'fs';
import * as path from 'path';
import type { BackboneRegistry } from '../../backbones/registry';
import type { TaskEnvironment, TaskRegistry } from '../registry/task-registry';
import { sha256OfFile } from '../registry/plugin-files';
import { deepMerge, isObject, parseJsonFlag, type JsonObject } from '../config';
import { runConfigSchema, type RunConfig } from '../run-config';
import { parseOrThrow, type IssueLabel } from '../schema';
import { abandonCacheEntry, beginCacheEntry, commitCacheEntry, contentHash, defaultCacheDir, discardCacheEntry } from '../cache-entry';
import { CHECKSUM_FILE } from './weights-checksum';
import { readLayersModelFolder } from './model-io';
import { describeKept, RUN_FILES } from './run-folder';
import { TrainingInterrupted } from './trainer';
import type { RunSummary, TrainingEngine, TrainRunOptions } from './run';

/** Raised when a change of the training code changes what a recipe trains: old entries are then left alone. */
export const PRETRAINED_VERSION = 1;
/** Config keys as JSON over the recipe (tests use a tiny one). */
export const RECIPE_ENV = 'ASL_RUN_PRETRAIN_RECIPE';
const RECIPE_TASK = 'singlelabel';

/** Which backbone to pretrain: what decides the shapes and the meaning of its weights. */
export interface PretrainRequest {
  backbone: string;
  widthMultiplier: number;
  stemStride: 1 | 2;
}

/** What pretraining needs: the engine that trains, the recipe's task, and the backbone (its plugin file is part of the key). */
export interface PretrainServices {
  engine: Pick<TrainingEngine, 'train'>;
  tasks: TaskRegistry;
  backbones: BackboneRegistry;
}

export interface PretrainOptions {
  /** Cache root; default $ASL_RUN_CACHE or ~/.cache/asl-run. */
  cacheDir?: string;
  /** The backend the recipe's config records (the one initialised trains it). */
  backend?: RunConfig['backend'];
  env: TaskEnvironment;
  run?: TrainRunOptions;
}

/**
 * Whether a run starts its backbone from the built-in pretraining: `builtin`, or `auto` where
 * nothing else gives the weights (no `initFrom`, and not a model file's backbone, which has its own).
 */
export function usesBuiltinPretraining(model: RunConfig['model'], backbones: BackboneRegistry): boolean {
  if (model.pretrained === 'builtin') return true;
  return model.pretrained === 'auto' && model.initFrom === '' && !backbones.isFactoryBuilt(model.backbone);
}

/** A pretrained backbone in the cache. */
export interface PretrainedBackbone {
  /** The run folder (`--init-from` reads it). */
  dir: string;
  /** Trained by this call (else found in the cache). */
  trained: boolean;
  /** How long its pretraining took (when it was trained). */
  seconds: number;
  /** Its top-1 accuracy on the recipe's validation split, in percent. */
  top1: number;
}

/** `resnet-tiny (width 1, stem stride 2)`. */
export const describeRequest = (r: PretrainRequest) => `${r.backbone} (width ${r.widthMultiplier}, stem stride ${r.stemStride})`;

/** The request's keys name their flags; the recipe's keys name the variable they came from. */
const recipeLabel: IssueLabel = (keyPath, unknownKey) => {
  const flag = { backbone: '--backbone', widthMultiplier: '--width', stemStride: '--stem-stride' }[keyPath[0] === 'model' ? keyPath[1] : ''];
  if (flag && !unknownKey) return flag;
  return unknownKey || keyPath.length === 0 ? `$${RECIPE_ENV}` : `$${RECIPE_ENV}: ${keyPath.join('.')}`;
};

function recipeOverrides(): JsonObject {
  const text = process.env[RECIPE_ENV];
  return text ? parseJsonFlag(`$${RECIPE_ENV}`, text) : {};
}

/**
 * The recipe's run config for `request`: the singlelabel task's defaults, $ASL_RUN_PRETRAIN_RECIPE
 * over them, the request's backbone, and one evaluation, at the end (the weights kept are the last).
 * @throws ConfigError (one line) on a bad request or recipe
 */
export function pretrainConfig(tasks: TaskRegistry, request: PretrainRequest): RunConfig {
  const defaults = tasks.get(RECIPE_TASK).defaults();
  const overrides = recipeOverrides();
  const model = { ...request, initFrom: '', initFromPartial: false, pretrained: 'none' };
  const merged = deepMerge(deepMerge(defaults, overrides), { model });
  const config = parseOrThrow(runConfigSchema, merged, recipeLabel) as RunConfig;
  return { ...config, train: { ...config.train, evalEvery: config.train.epochs } };
}

/** The cache key of `config`'s pretrained backbone (see the file comment). */
export function pretrainedKey(backbones: BackboneRegistry, config: RunConfig): string {
  const { backend: _backend, ...recipe } = config;
  const { backbone, widthMultiplier } = config.model;
  const { source } = backbones.entry(backbone);
  const plugin = source === 'built-in' ? null : sha256OfFile(source);
  return `pretrained-${backbone.replace(/[^\w.-]/g, '_')}-w${widthMultiplier}-${contentHash({ recipe, plugin })}-v${PRETRAINED_VERSION}`;
}

const firstLine = (err: unknown) => (err instanceof Error ? err.message : String(err)).split('\n')[0];

/** The finished entry's summary, or why it cannot be used (a file missing, changed or truncated). */
function readEntry(dir: string): { summary: RunSummary } | { problem: string } {
  try {
    const summary = JSON.parse(fs.readFileSync(path.join(dir, RUN_FILES.metrics), 'utf8')) as RunSummary;
    if (!isObject(summary) || typeof summary.wallSeconds !== 'number' || !isObject(summary.metrics)) return { problem: `${RUN_FILES.metrics} is not a run's summary` };
    const model = path.join(dir, RUN_FILES.model);
    if (!fs.existsSync(path.join(model, CHECKSUM_FILE))) return { problem: `${path.join(RUN_FILES.model, CHECKSUM_FILE)} is missing` };
    readLayersModelFolder(model, () => undefined);
    return { summary };
  } catch (err) {
    return { problem: firstLine(err) };
  }
}

const found = (dir: string, summary: RunSummary, trained: boolean): PretrainedBackbone => ({
  dir,
  trained,
  seconds: summary.wallSeconds,
  top1: Number(summary.metrics.top1),
});

/**
 * The pretrained backbone of `request` from the cache, pretraining it first when absent (or found
 * unusable: then it is removed and trained again, with a note).
 * @throws Error (one line) on an unknown backbone, a bad recipe, a cache that cannot be written, or a failed pretraining (nothing of it is kept)
 */
export async function ensurePretrained(services: PretrainServices, request: PretrainRequest, options: PretrainOptions): Promise<PretrainedBackbone> {
  const { log } = options.env;
  const { backbones } = services;
  if (backbones.isFactoryBuilt(request.backbone)) {
    throw new Error(`--backbone ${request.backbone}: a backbone read from a model file brings its own weights; the built-in pretraining is for registered backbones (${backbones.names().join(', ')})`);
  }
  backbones.get(request.backbone);
  const config = { ...pretrainConfig(services.tasks, request), ...(options.backend ? { backend: options.backend } : {}) };
  const cache = path.resolve(options.cacheDir ?? defaultCacheDir());
  const root = path.join(cache, pretrainedKey(services.backbones, config));
  if (fs.existsSync(root)) {
    const entry = readEntry(root);
    if ('summary' in entry) return found(root, entry.summary, false);
    log(`asl-run: ${root}: the cached pretrained backbone is unusable (${entry.problem}); pretraining it again`);
    discardCacheEntry(root);
  }
  const entry = beginCacheEntry(cache, path.basename(root));
  const { epochs } = config.train;
  log(`asl-run: pretraining ${describeRequest(request)} once: ${RECIPE_TASK} on the built-in '${config.data.builtin}', ${epochs} epoch${epochs === 1 ? '' : 's'} (kept in ${root})`);
  // The recipe's data set goes into the same cache (no key: it does not change the weights).
  const data = { ...config.data, builtinOptions: { ...config.data.builtinOptions, ...(options.cacheDir ? { cacheDir: cache } : {}) } };
  let summary: RunSummary;
  try {
    summary = await services.engine.train(services.tasks.get(RECIPE_TASK), { ...config, data }, entry.tmp, options.env, false, options.run);
    // Only the model is read; the optimiser state would triple the entry's size.
    fs.rmSync(path.join(entry.tmp, path.dirname(RUN_FILES.checkpoint)), { recursive: true, force: true });
  } catch (err) {
    // The engine's note on the checkpoint it kept would point into the folder removed now.
    const message = `pretraining ${request.backbone} stopped: ${firstLine(err).replace(`; ${describeKept(entry.tmp)}`, '')}; nothing of it is kept in the cache`;
    const dir = abandonCacheEntry(entry, err instanceof TrainingInterrupted ? new TrainingInterrupted(message, err.exitCode) : new Error(message));
    const theirs = readEntry(dir);
    if ('problem' in theirs) throw new Error(`${dir}: ${theirs.problem}`);
    return found(dir, theirs.summary, false);
  }
  return found(commitCacheEntry(entry), summary, true);
}
