import * as fs from 'fs';
import * as path from 'path';
import { writeBuiltinDataset } from '../../../../src/core/data/builtin/catalog';
import { MNIST_MULTILABEL } from '../../../../src/core/data/builtin/mnist-multilabel';
import { INK_THRESHOLD } from '../../../../src/core/data/builtin/digits';
import { readCocoDetection, readCocoMultiLabel } from '../../../../src/core/data/formats/coco';
import { resolveSplits } from '../../../../src/core/data/formats/splits';
import { decodeImage } from '../../../../src/core/data/image/codec';
import { DataError } from '../../../../src/core/data/records';
import { makeTmpDir, removeDir } from '../formats/fixtures';
import { hashTree, mnistDataLabels } from './tree-hash';

interface RawAnnotation {
  image_id: number;
  category_id: number;
  bbox: number[];
  mnist_index: number;
}

function annotationsOf(root: string, split: string): RawAnnotation[] {
  return JSON.parse(fs.readFileSync(path.join(root, 'annotations', `instances_${split}.json`), 'utf8')).annotations;
}

describe('mnist-multilabel', () => {
  let dir: string;
  let root: string;
  const options = { trainCount: 24, valCount: 8, seed: 3 };
  beforeAll(() => {
    dir = makeTmpDir('mnist-ml');
    root = writeBuiltinDataset(MNIST_MULTILABEL, path.join(dir, 'a'), options);
  });
  afterAll(() => removeDir(dir));

  it('is byte-identical for the same options and differs for another seed', () => {
    const again = writeBuiltinDataset(MNIST_MULTILABEL, path.join(dir, 'b'), options);
    const hashes = hashTree(root);
    expect(Object.keys(hashes)).toHaveLength(24 + 8 + 2 + 1);
    expect(hashTree(again)).toEqual(hashes);
    const other = writeBuiltinDataset(MNIST_MULTILABEL, path.join(dir, 'c'), { ...options, seed: 4 });
    expect(hashTree(other)['train/000001.png']).not.toBe(hashes['train/000001.png']);
  });

  it('reads back as multi-label data whose labels are the MNIST classes of the digits drawn', () => {
    const splits = resolveSplits(root, 'multilabel');
    if (splits.format !== 'coco') throw new Error('expected COCO');
    for (const [split, source, count] of [['train', 'training', 24], ['val', 'testing', 8]] as const) {
      const location = splits[split];
      const ds = readCocoMultiLabel(location.annotationFile, location.imageDir, { skipBad: false });
      expect(ds.classes).toEqual(['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']);
      expect(ds.records).toHaveLength(count);
      const anns = annotationsOf(root, split);
      const mnistLabels = mnistDataLabels(source, Math.max(...anns.map((a) => a.mnist_index)) + 1);
      ds.records.forEach((record, i) => {
        const mine = anns.filter((a) => a.image_id === i + 1);
        expect(mine.length).toBeGreaterThanOrEqual(1);
        expect(mine.length).toBeLessThanOrEqual(4);
        for (const a of mine) expect(a.category_id - 1).toBe(mnistLabels[a.mnist_index]);
        expect(record.labels).toEqual([...new Set(mine.map((a) => mnistLabels[a.mnist_index]))].sort((x, y) => x - y));
      });
    }
  });

  it('has boxes that hold all the ink, tightly', () => {
    const ds = readCocoDetection(path.join(root, 'annotations', 'instances_train.json'), path.join(root, 'train'), { skipBad: false });
    let boxes = 0;
    for (const record of ds.records) {
      const img = decodeImage(fs.readFileSync(record.file));
      expect([img.width, img.height, record.width, record.height]).toEqual([64, 64, 64, 64]);
      const gray = (x: number, y: number): number => img.data[(y * 64 + x) * 3];
      const inside = (x: number, y: number): boolean => record.boxes.some(([bx, by, bw, bh]) => x >= bx && x < bx + bw && y >= by && y < by + bh);
      const strays: number[][] = [];
      for (let y = 0; y < 64; y++) {
        for (let x = 0; x < 64; x++) {
          const p = (y * 64 + x) * 3;
          if (img.data[p + 1] !== img.data[p] || img.data[p + 2] !== img.data[p]) strays.push([x, y, -1]);
          if (gray(x, y) > 0 && !inside(x, y)) strays.push([x, y, gray(x, y)]);
        }
      }
      expect(strays).toEqual([]);
      for (const [bx, by, bw, bh] of record.boxes) {
        boxes++;
        const row = (y: number) => Array.from({ length: bw }, (_, k) => gray(bx + k, y));
        const col = (x: number) => Array.from({ length: bh }, (_, k) => gray(x, by + k));
        for (const edge of [row(by), row(by + bh - 1), col(bx), col(bx + bw - 1)]) expect(Math.max(...edge)).toBeGreaterThanOrEqual(INK_THRESHOLD);
        expect(Math.max(bw, bh)).toBeGreaterThanOrEqual(17);
        expect(Math.max(bw, bh)).toBeLessThanOrEqual(36);
      }
    }
    expect(boxes).toBeGreaterThan(24);
  });

  it('missingLabels drops whole classes per training image, keeps the pixels, and needs allowEmpty', () => {
    const dropped = writeBuiltinDataset(MNIST_MULTILABEL, path.join(dir, 'd'), { ...options, missingLabels: 0.7 });
    const full = hashTree(root);
    const partial = hashTree(dropped);
    for (const [file, hash] of Object.entries(full)) if (file.endsWith('.png')) expect([file, partial[file]]).toEqual([file, hash]);
    expect(partial['annotations/instances_val.json']).toBe(full['annotations/instances_val.json']);
    const before = annotationsOf(root, 'train');
    const after = annotationsOf(dropped, 'train');
    let empty = 0;
    for (let id = 1; id <= 24; id++) {
      const had = before.filter((a) => a.image_id === id);
      const kept = after.filter((a) => a.image_id === id);
      const keptClasses = new Set(kept.map((a) => a.category_id));
      // Every annotation of a kept class stays; none of a dropped class does.
      expect(kept.map((a) => a.bbox)).toEqual(had.filter((a) => keptClasses.has(a.category_id)).map((a) => a.bbox));
      if (kept.length === 0) empty++;
    }
    expect(after.length).toBeLessThan(before.length);
    expect(empty).toBeGreaterThan(0);
    const file = path.join(dropped, 'annotations', 'instances_train.json');
    expect(() => readCocoMultiLabel(file, path.join(dropped, 'train'), { skipBad: false })).toThrow(DataError);
    const ds = readCocoMultiLabel(file, path.join(dropped, 'train'), { skipBad: false, allowEmpty: true });
    expect(ds.records).toHaveLength(24);
    expect(ds.records.filter((r) => r.labels.length === 0)).toHaveLength(empty);
  });
});
