/**
 * Writes a generated split in the COCO instances layout (`<root>/<split>/NNNNNN.png` and
 * `<root>/annotations/instances_<split>.json`) with the ten digit categories: ids 1..10, names
 * "0".."9". Each annotation also carries `mnist_index` (the source MNIST image), which COCO tools
 * ignore and tests use to check labels.
 */
import * as fs from 'fs';
import * as path from 'path';
import { encodePng, RawImage } from '../image/codec';
import { BoxXYWH } from '../records';

export interface SceneObject {
  /** The digit 0..9 (category id digit + 1). */
  digit: number;
  box: BoxXYWH;
  mnistIndex: number;
}

export interface Scene {
  image: RawImage;
  /** The objects to annotate (a generator may leave some drawn digits unannotated). */
  objects: SceneObject[];
}

export const DIGIT_CATEGORIES = Array.from({ length: 10 }, (_, d) => ({ id: d + 1, name: String(d), supercategory: 'digit' }));

/** Renders scenes 0..count-1 with `render` and writes them and their annotation file under `root`. */
export function writeCocoSplit(root: string, split: string, count: number, render: (index: number) => Scene, info: Record<string, unknown>): void {
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
        category_id: o.digit + 1,
        bbox: o.box,
        area: o.box[2] * o.box[3],
        iscrowd: 0,
        mnist_index: o.mnistIndex,
      });
    }
  }
  const json = JSON.stringify({ info: { ...info, split }, images, annotations, categories: DIGIT_CATEGORIES });
  fs.writeFileSync(path.join(root, 'annotations', `instances_${split}.json`), json);
}
