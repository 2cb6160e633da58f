/**
 * Writes a generated split in the COCO instances layout (`<root>/<split>/NNNNNN.png` and
 * `<root>/annotations/instances_<split>.json`) with the generator's categories (the ten digits
 * by default: ids 1..10, names "0".."9"), and simulates partial annotation on a scene's objects.
 * Each annotation also carries `mnist_index` (the source MNIST image), which COCO tools ignore and
 * tests use to check labels.
 */
import * as fs from 'fs';
import * as path from 'path';
import { encodePng, RawImage } from '../image/codec';
import { BoxXYWH } from '../records';
import type { PlacedDigit } from './digits';
import type { Rng } from './prng';
import type { OptionSpec } from './generator';

export interface CocoCategory {
  id: number;
  name: string;
  supercategory: string;
}

export interface SceneObject {
  /** Index into the split's categories. */
  category: number;
  box: BoxXYWH;
  mnistIndex: number;
}

export interface Scene {
  image: RawImage;
  /** The objects to annotate (a generator may leave some drawn digits unannotated). */
  objects: SceneObject[];
}

export const DIGIT_CATEGORIES: CocoCategory[] = Array.from({ length: 10 }, (_, d) => ({ id: d + 1, name: String(d), supercategory: 'digit' }));

/** A placed digit as an object of DIGIT_CATEGORIES. */
export function digitObject(d: PlacedDigit): SceneObject {
  return { category: d.digit, box: d.box, mnistIndex: d.mnistIndex };
}

/** The option of keepLabels' rate, on the training split (`--missing-labels`). */
export const MISSING_LABELS_OPTION: OptionSpec = { default: 0, min: 0, max: 0.99, integer: false, help: 'probability of dropping each positive label of a training image' };

/**
 * The objects left annotated after dropping each category present with probability `rate`: all
 * of a dropped category's objects go (the image keeps its pixels), as when an annotator misses a
 * label. The categories are visited in ascending order, one draw of `rng` each.
 */
export function keepLabels(objects: SceneObject[], rate: number, rng: Rng): SceneObject[] {
  if (rate === 0) return objects;
  const categories = [...new Set(objects.map((o) => o.category))].sort((a, b) => a - b);
  const dropped = new Set(categories.filter(() => rng.chance(rate)));
  return objects.filter((o) => !dropped.has(o.category));
}

/** Renders scenes 0..count-1 with `render` and writes them and their annotation file under `root`. */
export function writeCocoSplit(root: string, split: string, count: number, render: (index: number) => Scene, info: Record<string, unknown>, categories: CocoCategory[]): void {
  const imageDir = path.join(root, split);
  fs.mkdirSync(imageDir, { recursive: true });
  fs.mkdirSync(path.join(root, 'annotations'), { recursive: true });
  const images: object[] = [];
  const annotations: object[] = [];
  for (let i = 0; i < count; i++) {
    const { image, objects } = render(i);
    const fileName = `${String(i + 1).padStart(6, '0')}.png`;
    fs.writeFileSync(path.join(imageDir, fileName), encodePng(image));
    images.push({ id: i + 1, file_name: fileName, width: image.width, height: image.height });
    for (const o of objects) {
      annotations.push({
        id: annotations.length + 1,
        image_id: i + 1,
        category_id: categories[o.category].id,
        bbox: o.box,
        area: o.box[2] * o.box[3],
        iscrowd: 0,
        mnist_index: o.mnistIndex,
      });
    }
  }
  const json = JSON.stringify({ info: { ...info, split }, images, annotations, categories });
  fs.writeFileSync(path.join(root, 'annotations', `instances_${split}.json`), json);
}
