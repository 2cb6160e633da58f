/**
 * Pascal VOC detection: `<root>/ImageSets/Main/<split>.txt` lists image ids; each has
 * `Annotations/<id>.xml` (size, objects with name, difficult, bndbox) and an image in
 * `JPEGImages/` (`<id>.jpg`, `.png` or `.jpeg`, else the XML's `filename`) whose header must
 * match the declared size (boxes are in its pixels).
 *
 * Coordinates: VOC corners are 1-based inclusive pixel indices (xmin = 1, xmax = W spans the whole
 * width). Like detectron2, a box covering pixels xmin..xmax becomes the continuous COCO box
 * [xmin - 1, ymin - 1, xmax - xmin + 1, ymax - ymin + 1]. (mmdetection's converter subtracts 1 from
 * all four corners, giving boxes one pixel narrower.) `difficult` objects are kept with ignore =
 * true, and become iscrowd 1 in the COCO ground truth, as in mmdetection's converter.
 */
import * as path from 'path';
import { DataError, DetectionRecord } from '../records';
import { checkBox } from './box-check';
import { CocoDetectionDataset } from './coco';
import { cocoGroundTruthFromRecords } from './coco-gt';
import { BadRecords, declaredSizeProblem, findImageFile, isFile, readTextFile, ReadOptions, sortedUnique } from './reader-support';
import { childElement, childElements, parseXml, XmlElement } from './xml';

/** The 20 Pascal VOC classes in their standard order. */
export const VOC_CLASSES = [
  'aeroplane', 'bicycle', 'bird', 'boat', 'bottle', 'bus', 'car', 'cat', 'chair', 'cow',
  'diningtable', 'dog', 'horse', 'motorbike', 'person', 'pottedplant', 'sheep', 'sofa', 'train', 'tvmonitor',
];

interface VocObject {
  name: string;
  box: [number, number, number, number];
  difficult: boolean;
  where: string;
}

interface VocImage {
  file: string;
  width: number;
  height: number;
  objects: VocObject[];
}

function numberIn(element: XmlElement | undefined, name: string): number {
  const child = element && childElement(element, name);
  return child && child.text !== '' ? Number(child.text) : NaN;
}

/** Parses one annotation file; null when the image itself is unusable (reported). */
function readVocAnnotation(xmlFile: string, id: string, imageDir: string, bad: BadRecords): VocImage | null {
  let root: XmlElement;
  try {
    root = parseXml(readTextFile(xmlFile, 'VOC annotation'), xmlFile);
  } catch (err) {
    if (!(err instanceof DataError)) throw err;
    bad.report(err.message);
    return null;
  }
  const size = childElement(root, 'size');
  const width = numberIn(size, 'width');
  const height = numberIn(size, 'height');
  if (!(width > 0 && height > 0)) {
    bad.report(`${xmlFile}: width/height unknown: size/width and size/height must be positive numbers`);
    return null;
  }
  const fileTag = childElement(root, 'filename')?.text;
  const file = findImageFile(path.join(imageDir, id)) ?? (fileTag && isFile(path.join(imageDir, fileTag)) ? path.join(imageDir, fileTag) : undefined);
  if (!file) {
    bad.report(`${xmlFile}: image file not found: ${path.join(imageDir, id)}.jpg${fileTag ? ` (nor ${fileTag})` : ''}`);
    return null;
  }
  const mismatch = declaredSizeProblem(file, width, height);
  if (mismatch) {
    bad.report(`${xmlFile}: ${mismatch.problem}`, mismatch.kind);
    return null;
  }
  const objects: VocObject[] = [];
  childElements(root, 'object').forEach((obj, k) => {
    const name = childElement(obj, 'name')?.text ?? '';
    const where = `${xmlFile}: object ${k + 1}${name ? ` ('${name}')` : ''}`;
    if (name === '') return bad.report(`${where}: missing <name>`);
    const difficultText = childElement(obj, 'difficult')?.text ?? '0';
    if (difficultText !== '0' && difficultText !== '1') return bad.report(`${where}: <difficult> must be 0 or 1, got '${difficultText}'`);
    const bndbox = childElement(obj, 'bndbox');
    const [xmin, ymin, xmax, ymax] = ['xmin', 'ymin', 'xmax', 'ymax'].map((c) => numberIn(bndbox, c));
    const checked = checkBox([xmin - 1, ymin - 1, xmax - xmin + 1, ymax - ymin + 1], width, height);
    if ('problem' in checked) {
      const corners = [xmin, ymin, xmax, ymax].some((v) => !Number.isFinite(v))
        ? 'bndbox needs numeric xmin, ymin, xmax, ymax'
        : `bndbox (${xmin}, ${ymin}, ${xmax}, ${ymax}): ${checked.problem}`;
      return bad.report(`${where}: ${corners}`);
    }
    objects.push({ name, box: checked.box, difficult: difficultText === '1', where });
  });
  return { file, width, height, objects };
}

/** The ids listed in the split file (first token of each non-blank line). */
function readSplitIds(splitFile: string): string[] {
  if (!isFile(splitFile)) throw new DataError(`${splitFile}: VOC split file not found`);
  return readTextFile(splitFile, 'VOC split file')
    .split(/\r?\n/)
    .map((l) => l.trim().split(/\s+/)[0])
    .filter((id) => id !== '');
}

/**
 * Reads a VOC split. Classes: the given `classes` (training split's); else the 20 VOC classes when
 * every name is one of them; else the sorted names found. Image ids are 1.. in split order.
 */
export function readVoc(vocRoot: string, split: string, opts: ReadOptions, classes?: string[]): CocoDetectionDataset {
  const root = path.resolve(vocRoot);
  const ids = readSplitIds(path.join(root, 'ImageSets', 'Main', `${split}.txt`));
  const bad = new BadRecords(opts.skipBad);
  const imageDir = path.join(root, 'JPEGImages');
  const images: VocImage[] = [];
  for (const id of ids) {
    const xmlFile = path.join(root, 'Annotations', `${id}.xml`);
    if (!isFile(xmlFile)) {
      bad.report(`${xmlFile}: annotation file not found (image '${id}' of split '${split}')`);
      continue;
    }
    const image = readVocAnnotation(xmlFile, id, imageDir, bad);
    if (image) images.push(image);
  }
  const names = sortedUnique(images.flatMap((im) => im.objects.map((o) => o.name)));
  const classList = classes ?? (names.every((n) => VOC_CLASSES.includes(n)) ? VOC_CLASSES : names);
  const indexOf = new Map(classList.map((c, i) => [c, i]));
  const records: DetectionRecord[] = images.map((im, k) => {
    const objects = im.objects.filter((o) => {
      if (!indexOf.has(o.name)) bad.report(`${o.where}: class '${o.name}' is not among the training classes`);
      return indexOf.has(o.name);
    });
    return {
      file: im.file,
      imageId: k + 1,
      width: im.width,
      height: im.height,
      boxes: objects.map((o) => o.box),
      labels: objects.map((o) => indexOf.get(o.name) as number),
      ignore: objects.map((o) => o.difficult),
      areas: objects.map((o) => o.box[2] * o.box[3]),
    };
  });
  const coco = cocoGroundTruthFromRecords(records, classList, (r) => path.relative(imageDir, r.file));
  return { classes: [...classList], records, skipped: bad.skipped, source: root, coco };
}
