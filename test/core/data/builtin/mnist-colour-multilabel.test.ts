import * as fs from 'fs';
import * as path from 'path';
import { writeBuiltinDataset } from '../../../../src/core/data/builtin/catalog';
import { classProbabilities, COLOURS, MNIST_COLOUR_MULTILABEL } from '../../../../src/core/data/builtin/mnist-colour-multilabel';
import { readCocoMultiLabel } from '../../../../src/core/data/formats/coco';
import { resolveSplits } from '../../../../src/core/data/formats/splits';
import { decodeImage } from '../../../../src/core/data/image/codec';
import { cli, tmpDir } from '../../../cli/run-cli';
import { hashTree, mnistDataLabels } from './tree-hash';

interface RawAnnotation {
  image_id: number;
  category_id: number;
  bbox: [number, number, number, number];
  mnist_index: number;
}

function annotationsOf(root: string, split: string): RawAnnotation[] {
  return JSON.parse(fs.readFileSync(path.join(root, 'annotations', `instances_${split}.json`), 'utf8')).annotations;
}

/** Image id → the set of category ids annotated in it. */
function labelSets(annotations: RawAnnotation[], images: number): Set<number>[] {
  const sets = Array.from({ length: images }, () => new Set<number>());
  for (const a of annotations) sets[a.image_id - 1].add(a.category_id);
  return sets;
}

const COLOUR_NAMES = ['red', 'green', 'blue', 'yellow', 'cyan', 'magenta'];

/** Writes the dataset with `options` through `asl-run data make` (a plain node process generates far faster than jest's sandbox). */
function make(out: string, options: object): string {
  const r = cli(['data', 'make', 'mnist-colour-multilabel', '--out', out, '--options', JSON.stringify(options)]);
  expect(r.stderr).toBe('');
  return r.stdout.trim();
}

describe('mnist-colour-multilabel', () => {
  const dir = tmpDir('asl-mnist-colour-');
  let root: string;
  // Enough images for the class statistics: the rarest class is drawn with p ≈ 0.0036 per digit, ~20 times here.
  beforeAll(() => {
    root = make(path.join(dir, 'a'), { trainCount: 2000, valCount: 8, seed: 5 });
  });

  it('reads back with 60 classes named "<colour> <digit>", each label the MNIST class of its digit', () => {
    const splits = resolveSplits(root, 'multilabel');
    if (splits.format !== 'coco') throw new Error('expected COCO');
    const ds = readCocoMultiLabel(splits.train.annotationFile, splits.train.imageDir, { skipBad: false });
    expect(ds.classes).toEqual(COLOUR_NAMES.flatMap((c) => Array.from({ length: 10 }, (_, d) => `${c} ${d}`)));
    expect(ds.records).toHaveLength(2000);
    const anns = annotationsOf(root, 'train');
    const mnistLabels = mnistDataLabels('training', Math.max(...anns.map((a) => a.mnist_index)) + 1);
    expect(anns.filter((a) => (a.category_id - 1) % 10 !== mnistLabels[a.mnist_index])).toEqual([]);
    const sets = labelSets(anns, 2000);
    expect(ds.records.map((r) => r.labels)).toEqual(sets.map((set) => [...set].map((id) => id - 1).sort((x, y) => x - y)));
  });

  it('has ~2.7 positives per image, every class in train, and long-tailed class frequencies that follow the law', () => {
    const anns = annotationsOf(root, 'train');
    const sets = labelSets(anns, 2000);
    const meanPositives = sets.reduce((s, set) => s + set.size, 0) / sets.length;
    expect(meanPositives).toBeGreaterThan(2.4);
    expect(meanPositives).toBeLessThan(3);
    expect(Math.min(...sets.map((s) => s.size))).toBe(1);
    expect(Math.max(...sets.map((s) => s.size))).toBe(5);
    const imagesWith = new Array<number>(60).fill(0);
    for (const set of sets) for (const id of set) imagesWith[id - 1]++;
    expect(imagesWith.every((n) => n > 0)).toBe(true);
    // Long tail: the most frequent class is in a large share of images, the rarest in about 1 %.
    expect(Math.max(...imagesWith) / 2000).toBeGreaterThan(0.3);
    expect(Math.max(...imagesWith) / Math.min(...imagesWith)).toBeGreaterThan(20);
    // Each digit's class is drawn from the Zipf law: observed shares within 5 standard errors of it.
    const drawn = new Array<number>(60).fill(0);
    for (const a of anns) drawn[a.category_id - 1]++;
    classProbabilities(1).forEach((p, k) => {
      const se = Math.sqrt((p * (1 - p)) / anns.length);
      expect(Math.abs(drawn[k] / anns.length - p)).toBeLessThan(5 * se + 1e-3);
    });
  });

  it('with classSkew 0 draws every class about equally often', () => {
    const balanced = make(path.join(dir, 'balanced'), { trainCount: 1000, valCount: 1, classSkew: 0 });
    const anns = annotationsOf(balanced, 'train');
    const drawn = new Array<number>(60).fill(0);
    for (const a of anns) drawn[a.category_id - 1]++;
    // ~45 digits per class: every count within 5 standard errors of the uniform share.
    const expected = anns.length / 60;
    expect(drawn.filter((n) => Math.abs(n - expected) > 5 * Math.sqrt(expected))).toEqual([]);
  });

  it('paints each digit in its class colour only inside its box, and places colours independently of position', () => {
    const anns = annotationsOf(root, 'train');
    const byImage = new Map<number, RawAnnotation[]>();
    for (const a of anns) byImage.set(a.image_id, [...(byImage.get(a.image_id) ?? []), a]);
    const strays: number[][] = [];
    const offHue: number[][] = [];
    let checkedSingles = 0;
    for (let id = 1; id <= 60; id++) {
      const img = decodeImage(fs.readFileSync(path.join(root, 'train', `${String(id).padStart(6, '0')}.png`)));
      expect([img.width, img.height]).toEqual([64, 64]);
      const mine = byImage.get(id) ?? [];
      const inside = (x: number, y: number) => mine.some(({ bbox: [bx, by, bw, bh] }) => x >= bx && x < bx + bw && y >= by && y < by + bh);
      // A lone digit: every inked pixel is a scaled copy of its class's hue (zero where the hue is zero, equal elsewhere).
      const hue = mine.length === 1 ? COLOURS[Math.floor((mine[0].category_id - 1) / 10)].rgb : undefined;
      if (hue) checkedSingles++;
      for (let p = 0; p < 64 * 64; p++) {
        const px = Array.from(img.data.subarray(p * 3, p * 3 + 3));
        if (Math.max(...px) === 0) continue;
        if (!inside(p % 64, Math.floor(p / 64))) strays.push([id, p]);
        if (!hue) continue;
        const lit = px.filter((_, c) => hue[c] > 0);
        if (px.some((v, c) => hue[c] === 0 && v !== 0) || Math.max(...lit) - Math.min(...lit) > 1) offHue.push([id, p, ...px]);
      }
    }
    expect(strays).toEqual([]);
    expect(offHue).toEqual([]);
    expect(checkedSingles).toBeGreaterThan(5);
    // Every colour's boxes are centred where everyone's are, within 4 standard errors: no colour marks a place.
    const centre = (a: RawAnnotation) => [a.bbox[0] + a.bbox[2] / 2, a.bbox[1] + a.bbox[3] / 2];
    for (const axis of [0, 1]) {
      const all = anns.map((a) => centre(a)[axis]);
      const mean = all.reduce((s, v) => s + v, 0) / all.length;
      const sd = Math.sqrt(all.reduce((s, v) => s + (v - mean) ** 2, 0) / all.length);
      for (let c = 0; c < COLOURS.length; c++) {
        const mineOf = anns.filter((a) => Math.floor((a.category_id - 1) / 10) === c).map((a) => centre(a)[axis]);
        const m = mineOf.reduce((s, v) => s + v, 0) / mineOf.length;
        expect(Math.abs(m - mean)).toBeLessThan((4 * sd) / Math.sqrt(mineOf.length));
      }
    }
  });

  it('is byte-identical for the same options and differs for another seed', () => {
    const small = { trainCount: 6, valCount: 3, seed: 5 };
    const first = hashTree(writeBuiltinDataset(MNIST_COLOUR_MULTILABEL, path.join(dir, 'b'), small));
    expect(Object.keys(first)).toHaveLength(6 + 3 + 2 + 1);
    expect(hashTree(writeBuiltinDataset(MNIST_COLOUR_MULTILABEL, path.join(dir, 'c'), small))).toEqual(first);
    // Image i depends on the seed and i only: these are the first images of the CLI's 2000-image set.
    const big = hashTree(root);
    for (let i = 1; i <= 6; i++) expect(first[`train/${String(i).padStart(6, '0')}.png`]).toBe(big[`train/${String(i).padStart(6, '0')}.png`]);
    const other = hashTree(writeBuiltinDataset(MNIST_COLOUR_MULTILABEL, path.join(dir, 'd'), { ...small, seed: 6 }));
    const pngs = Object.keys(first).filter((f) => f.endsWith('.png'));
    expect(pngs.filter((f) => other[f] === first[f])).toEqual([]);
  });

  it('missingLabels drops each class of a training image at about the rate, keeps the images, and leaves val alone', () => {
    const count = { trainCount: 400, valCount: 8, seed: 5 };
    const full = make(path.join(dir, 'e'), count);
    const partial = make(path.join(dir, 'f'), { ...count, missingLabels: 0.5 });
    const [fullHashes, partialHashes] = [hashTree(full), hashTree(partial)];
    for (const [file, hash] of Object.entries(fullHashes)) if (file.endsWith('.png')) expect([file, partialHashes[file]]).toEqual([file, hash]);
    expect(partialHashes['annotations/instances_val.json']).toBe(fullHashes['annotations/instances_val.json']);
    const before = annotationsOf(full, 'train');
    const after = annotationsOf(partial, 'train');
    const [had, kept] = [labelSets(before, 400), labelSets(after, 400)];
    let positives = 0;
    let dropped = 0;
    const boxesOf = (anns: RawAnnotation[], keep: Set<number>[]) => anns.filter((a) => keep[a.image_id - 1].has(a.category_id)).map((a) => [a.image_id, ...a.bbox]);
    had.forEach((classes, i) => {
      expect([...kept[i]].filter((id) => !classes.has(id))).toEqual([]);
      positives += classes.size;
      dropped += classes.size - kept[i].size;
    });
    // A kept class keeps every one of its boxes in the image.
    expect(boxesOf(after, kept)).toEqual(boxesOf(before, kept));
    // ~1070 positives: the binomial standard error of the rate is 0.015.
    expect(positives).toBeGreaterThan(900);
    expect(Math.abs(dropped / positives - 0.5)).toBeLessThan(0.06);
    const ds = readCocoMultiLabel(path.join(partial, 'annotations', 'instances_train.json'), path.join(partial, 'train'), { skipBad: false, allowEmpty: true });
    expect(ds.records.filter((r) => r.labels.length === 0).length).toBe(kept.filter((s) => s.size === 0).length);
  });
});
