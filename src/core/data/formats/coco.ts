/**
 * Readers for COCO instances JSON (`annotations/instances_<split>.json`, images under `<split>/`,
 * each image's `file_name` relative to that folder): as a multi-label dataset (the set of an
 * image's annotation categories) and as a detection dataset (boxes plus the validated ground-truth
 * dict that COCO evaluation uses).
 */
import { Dataset, DetectionRecord, MultiLabelRecord } from '../records';
import { AnnotationLink, boxAnnotation, CocoAnnotation, CocoGroundTruth, cocoSections, linkAnnotation, parseCategories, ParsedImages, parseImages } from './coco-gt';
import { readJsonFile } from './json-file';
import { BadRecords, MultiLabelReadOptions, ReadOptions } from './reader-support';

export type CocoDetectionDataset = Dataset<DetectionRecord> & {
  /** The ground truth as evaluation reads it: only accepted images and annotations, boxes clipped. */
  coco: CocoGroundTruth;
};

interface CocoParts {
  classes: string[];
  categoryIds: number[];
  images: ParsedImages;
  links: AnnotationLink[];
  bad: BadRecords;
}

/** The steps both readers share: parse, validate categories and images, link annotations. */
function readCocoParts(annotationFile: string, imageDir: string, opts: ReadOptions, needSize: boolean): CocoParts {
  const sections = cocoSections(readJsonFile(annotationFile), annotationFile);
  const categories = parseCategories(sections.categories, annotationFile);
  const classOf = new Map(categories.map((c, i) => [c.id, i]));
  const bad = new BadRecords(opts.skipBad);
  const images = parseImages(sections.images, annotationFile, imageDir, bad, needSize);
  const links: AnnotationLink[] = [];
  sections.annotations.forEach((entry, i) => {
    const link = linkAnnotation(entry, i, annotationFile, images, classOf, bad);
    if (link) links.push(link);
  });
  return { classes: categories.map((c) => c.name), categoryIds: categories.map((c) => c.id), images, links, bad };
}

/**
 * Multi-label view of a COCO instances file: one record per image, labels = the set of its
 * annotations' categories (crowd annotations included, as the ASL reference loader does); class
 * order = categories sorted by id. Boxes are not read. An image with no (valid) annotation is an
 * error (skipped under skipBad) unless `allowEmpty`.
 */
export function readCocoMultiLabel(annotationFile: string, imageDir: string, opts: MultiLabelReadOptions): Dataset<MultiLabelRecord> {
  const { classes, images, links, bad } = readCocoParts(annotationFile, imageDir, opts, false);
  const labelSets = new Map<number, Set<number>>();
  for (const link of links) {
    const set = labelSets.get(link.image.id) ?? new Set<number>();
    set.add(link.classIndex);
    labelSets.set(link.image.id, set);
  }
  const records: MultiLabelRecord[] = [];
  for (const image of images.byId.values()) {
    const labels = [...(labelSets.get(image.id) ?? [])].sort((a, b) => a - b);
    if (labels.length === 0 && !opts.allowEmpty) {
      bad.report(`${annotationFile}: image ${image.id} ('${image.fileName}') has no annotations, so no label (a multi-label record needs one)`);
      continue;
    }
    records.push({ file: image.file, labels });
  }
  return { classes, records, skipped: bad.skipped, source: annotationFile };
}

/**
 * Detection view of a COCO instances file: one record per image (images without annotations are
 * kept as negatives), boxes clipped to the image, iscrowd → ignore, areas from the file.
 */
export function readCocoDetection(annotationFile: string, imageDir: string, opts: ReadOptions): CocoDetectionDataset {
  const { classes, categoryIds, images, links, bad } = readCocoParts(annotationFile, imageDir, opts, true);
  const seenIds = new Set<number>();
  const byImage = new Map<number, { annotation: CocoAnnotation; classIndex: number }[]>();
  for (const link of links) {
    const annotation = boxAnnotation(link, categoryIds[link.classIndex], seenIds, bad);
    if (!annotation) continue;
    const list = byImage.get(annotation.image_id) ?? [];
    list.push({ annotation, classIndex: link.classIndex });
    byImage.set(annotation.image_id, list);
  }
  const records: DetectionRecord[] = [];
  const coco: CocoGroundTruth = { images: [], annotations: [], categories: classes.map((name, i) => ({ id: categoryIds[i], name })) };
  for (const image of images.byId.values()) {
    const width = image.width as number;
    const height = image.height as number;
    const anns = byImage.get(image.id) ?? [];
    records.push({
      file: image.file,
      imageId: image.id,
      width,
      height,
      boxes: anns.map((a) => a.annotation.bbox),
      labels: anns.map((a) => a.classIndex),
      ignore: anns.map((a) => a.annotation.iscrowd === 1),
      areas: anns.map((a) => a.annotation.area),
    });
    coco.images.push({ id: image.id, file_name: image.fileName, width, height });
    coco.annotations.push(...anns.map((a) => a.annotation));
  }
  return { classes, records, skipped: bad.skipped, source: annotationFile, coco };
}
