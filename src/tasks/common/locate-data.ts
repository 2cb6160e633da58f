/**
 * Where a run's data comes from, for every task alike: explicit `--train/--val` paths, else a
 * `--data` folder resolved by convention, else the task's built-in dataset (generated once into
 * the cache, then read through the same readers as user data).
 */
import * as fs from 'fs';
import * as path from 'path';
import type { RunConfig } from '../../core/run-config';
import { DataError } from '../../core/data/records';
import { resolveSplits, ResolvedSplits, TaskKind } from '../../core/data/formats';
import { ensureBuiltinDataset, type DatasetRegistry } from '../../core/data/builtin';
import type { TaskEnvironment } from '../../core/registry/task-registry';

export interface LocatedData {
  splits: ResolvedSplits;
  /** Reader options the source needs (e.g. allowEmpty for mnist-multilabel with missing labels). */
  readerOptions: { allowEmpty?: boolean };
}

/** A COCO annotation file `<root>/annotations/instances_<split>.json` has its images in `<root>/<split>/`. */
function cocoImageDir(annotationFile: string, flag: string): string {
  const match = /^instances_(.+)\.json$/i.exec(path.basename(annotationFile));
  const dir = match && path.join(path.dirname(path.dirname(path.resolve(annotationFile))), match[1]);
  if (!dir || !fs.existsSync(dir)) {
    throw new DataError(`${flag} ${annotationFile}: expected the COCO layout annotations/instances_<split>.json with images in <split>/`);
  }
  return dir;
}

function explicitSplits(train: string, val: string, task: TaskKind): ResolvedSplits {
  if (!train || !val) throw new DataError(`--train and --val go together (got only ${train ? '--train' : '--val'})`);
  const ext = (p: string) => path.extname(p).toLowerCase();
  if (ext(train) !== ext(val)) throw new DataError(`--train ${train} and --val ${val} must have the same format`);
  if (ext(train) === '.json') {
    return { format: 'coco', train: { annotationFile: path.resolve(train), imageDir: cocoImageDir(train, '--train') }, val: { annotationFile: path.resolve(val), imageDir: cocoImageDir(val, '--val') } };
  }
  if (ext(train) === '.csv') return { format: 'csv', train: { csvFile: path.resolve(train) }, val: { csvFile: path.resolve(val) } };
  if (task === 'singlelabel') return { format: 'imagefolder', train: { dir: path.resolve(train) }, val: { dir: path.resolve(val) } };
  throw new DataError(`--train ${train}: expected a COCO annotation .json or a .csv file for the ${task} task`);
}

/** A run's environment with the built-in datasets a task reads from (injected into the task). */
export interface DataEnvironment extends TaskEnvironment {
  datasets: DatasetRegistry;
}

export function locateData(config: RunConfig, task: TaskKind, { log, datasets }: DataEnvironment): LocatedData {
  const { data } = config;
  if (data.train || data.val) return { splits: explicitSplits(data.train, data.val, task), readerOptions: {} };
  if (data.dir) return { splits: resolveSplits(data.dir, task), readerOptions: {} };
  const builtin = datasets.get(data.builtin);
  if (builtin.task !== task) throw new DataError(`data.builtin: '${builtin.name}' is a ${builtin.task} dataset, not for the ${task} task`);
  log(`asl-run: built-in dataset ${builtin.name} (generated once into the cache, then read from disk)`);
  const root = ensureBuiltinDataset(builtin, data.builtinOptions);
  return { splits: resolveSplits(root, task), readerOptions: builtin.readerOptions ?? {} };
}
