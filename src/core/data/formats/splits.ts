/**
 * Finding the train and validation splits of a data folder by convention, per task:
 * - multilabel: COCO, then CSV; singlelabel: ImageFolder, then CSV; detection: COCO, then VOC.
 * - COCO: `annotations/instances_train<S>.json` with images in `train<S>/` (or `train/`), and the
 *   same for val (preferring the training suffix, e.g. 2017 with 2017).
 * - CSV: `train.csv` and `val.csv`. ImageFolder: `train/` and `val/`.
 * - VOC: the folder itself when it holds `Annotations/`, else the one `VOC<year>/` (or
 *   `VOCdevkit/VOC<year>/`) inside; splits `train`/`val` from `ImageSets/Main/`, else `trainval`/`test`.
 * The first convention that matches wins.
 */
import * as fs from 'fs';
import * as path from 'path';
import { DataError } from '../records';
import { isDirectory, isFile } from './reader-support';

export type TaskKind = 'multilabel' | 'singlelabel' | 'detection';

export interface CocoSplit {
  annotationFile: string;
  imageDir: string;
}

export type ResolvedSplits =
  | { format: 'coco'; train: CocoSplit; val: CocoSplit }
  | { format: 'csv'; train: { csvFile: string }; val: { csvFile: string } }
  | { format: 'imagefolder'; train: { dir: string }; val: { dir: string } }
  | { format: 'voc'; root: string; train: { split: string }; val: { split: string } };

/** A probe returns the splits it found, or a description of what it looked for. */
type Probe = (root: string) => ResolvedSplits | string;

function subdirectories(dir: string): string[] {
  return isDirectory(dir) ? fs.readdirSync(dir).filter((name) => isDirectory(path.join(dir, name))).sort() : [];
}

interface CocoCandidate extends CocoSplit {
  suffix: string;
}

/** COCO annotation files for `split` that have an image folder, preferring suffix `prefer`. */
function pickCocoSplit(root: string, split: 'train' | 'val', prefer?: string): CocoCandidate | undefined {
  const annDir = path.join(root, 'annotations');
  const pattern = new RegExp(`^instances_${split}(.*)\\.json$`);
  const candidates: CocoCandidate[] = [];
  for (const name of isDirectory(annDir) ? fs.readdirSync(annDir).sort() : []) {
    const suffix = pattern.exec(name)?.[1];
    if (suffix === undefined) continue;
    const imageDir = [split + suffix, split].map((d) => path.join(root, d)).find(isDirectory);
    if (imageDir) candidates.push({ annotationFile: path.join(annDir, name), imageDir, suffix });
  }
  if (candidates.length <= 1) return candidates[0];
  const preferred = candidates.find((c) => c.suffix === prefer);
  if (preferred) return preferred;
  throw new DataError(`${annDir}: several COCO ${split} splits (${candidates.map((c) => path.basename(c.annotationFile)).join(', ')}); pass the files explicitly`);
}

const probeCoco: Probe = (root) => {
  const train = pickCocoSplit(root, 'train');
  const val = train && pickCocoSplit(root, 'val', train.suffix);
  if (train && val) return { format: 'coco', train: { annotationFile: train.annotationFile, imageDir: train.imageDir }, val: { annotationFile: val.annotationFile, imageDir: val.imageDir } };
  return `COCO (annotations/instances_train*.json with train*/ and annotations/instances_val*.json with val*/${train ? '; found train, no val' : ''})`;
};

const probeCsv: Probe = (root) => {
  const [train, val] = ['train.csv', 'val.csv'].map((f) => path.join(root, f));
  if (isFile(train) && isFile(val)) return { format: 'csv', train: { csvFile: train }, val: { csvFile: val } };
  return `CSV (train.csv and val.csv${isFile(train) ? '; found train.csv, no val.csv' : ''})`;
};

const probeImageFolder: Probe = (root) => {
  const [train, val] = ['train', 'val'].map((d) => path.join(root, d));
  if (isDirectory(train) && isDirectory(val)) return { format: 'imagefolder', train: { dir: train }, val: { dir: val } };
  return `ImageFolder (train/<class>/ and val/<class>/${isDirectory(train) ? '; found train/, no val/' : ''})`;
};

const probeVoc: Probe = (root) => {
  const lookedFor = 'VOC (Annotations/, JPEGImages/, ImageSets/Main/{train,val}.txt or {trainval,test}.txt, here or in VOC*/)';
  let vocRoot = root;
  if (!isDirectory(path.join(root, 'Annotations'))) {
    const inside = [root, path.join(root, 'VOCdevkit')].flatMap((dir) =>
      subdirectories(dir)
        .filter((d) => d.startsWith('VOC') && d !== 'VOCdevkit' && isDirectory(path.join(dir, d, 'Annotations')))
        .map((d) => path.join(dir, d)),
    );
    if (inside.length > 1) throw new DataError(`${root}: several VOC folders (${inside.map((d) => path.relative(root, d)).join(', ')}); pass one explicitly`);
    if (inside.length === 0) return lookedFor;
    vocRoot = inside[0];
  }
  const main = path.join(vocRoot, 'ImageSets', 'Main');
  for (const [train, val] of [['train', 'val'], ['trainval', 'test']]) {
    if (isFile(path.join(main, `${train}.txt`)) && isFile(path.join(main, `${val}.txt`))) {
      return { format: 'voc', root: vocRoot, train: { split: train }, val: { split: val } };
    }
  }
  return `${lookedFor}; found ${path.relative(root, vocRoot) || '.'} without split files`;
};

const PROBES: Record<TaskKind, Probe[]> = {
  multilabel: [probeCoco, probeCsv],
  singlelabel: [probeImageFolder, probeCsv],
  detection: [probeCoco, probeVoc],
};

/** Finds the train/val splits of `dataDir` for `task`, or throws a DataError saying what was looked for. */
export function resolveSplits(dataDir: string, task: TaskKind): ResolvedSplits {
  const root = path.resolve(dataDir);
  if (!isDirectory(root)) throw new DataError(`${root}: data folder not found`);
  const lookedFor: string[] = [];
  for (const probe of PROBES[task]) {
    const found = probe(root);
    if (typeof found !== 'string') return found;
    lookedFor.push(found);
  }
  throw new DataError(`${root}: no ${task} dataset found; looked for ${lookedFor.join('; ')}`);
}
