import * as path from 'path';
import { readCocoDetection, readCocoMultiLabel } from '../../../../src/core/data/formats/coco';
import { expectDataError, reasonsOf, makeTmpDir, removeDir, writeImage, writeJson, writeText } from './fixtures';

/** A small valid COCO instances dict: categories listed out of id order, one image without annotations. */
function validGt(): any {
  return {
    images: [
      { id: 10, file_name: 'a.png', width: 8, height: 6 },
      { id: 11, file_name: 'sub/b.jpg', width: 8, height: 6 },
      { id: 12, file_name: 'c.png', width: 8, height: 6 },
    ],
    annotations: [
      { id: 1, image_id: 10, category_id: 7, bbox: [1, 1, 3, 2], area: 4.5 },
      { id: 2, image_id: 10, category_id: 2, bbox: [0, 0, 8, 6], iscrowd: 1 },
      { id: 3, image_id: 11, category_id: 7, bbox: [-0.5, 1, 8.5, 2], iscrowd: 0 },
      { id: 4, image_id: 10, category_id: 7, bbox: [4, 3, 2, 2] },
    ],
    categories: [
      { id: 7, name: 'dog' },
      { id: 2, name: 'cat' },
      { id: 5, name: 'bird' },
    ],
  };
}

describe('COCO readers', () => {
  let dir: string;
  let imageDir: string;
  let count = 0;
  /** Writes a variant of the valid dict to a new annotation file and returns its path. */
  const variant = (mutate: (gt: any) => void = () => undefined): string => {
    const gt = validGt();
    mutate(gt);
    return writeJson(path.join(dir, 'annotations', `instances_v${count++}.json`), gt);
  };

  beforeAll(() => {
    dir = makeTmpDir('coco');
    imageDir = path.join(dir, 'val');
    writeImage(path.join(imageDir, 'a.png'));
    writeImage(path.join(imageDir, 'sub', 'b.jpg'));
    writeImage(path.join(imageDir, 'c.png'));
  });
  afterAll(() => removeDir(dir));

  it('reads multi-label records: category sets, classes in category id order', () => {
    const file = variant();
    const ds = readCocoMultiLabel(file, imageDir, { skipBad: false, allowEmpty: true });
    expect(ds.classes).toEqual(['cat', 'bird', 'dog']);
    expect(ds.records).toEqual([
      { file: path.join(imageDir, 'a.png'), labels: [0, 2] },
      { file: path.join(imageDir, 'sub', 'b.jpg'), labels: [2] },
      { file: path.join(imageDir, 'c.png'), labels: [] },
    ]);
    expect(ds.source).toBe(file);
  });

  it('requires a label per multi-label image unless allowEmpty; skipBad skips it', () => {
    const file = variant();
    const message = `${file}: image 12 ('c.png') has no annotations, so no label (a multi-label record needs one)`;
    expectDataError(() => readCocoMultiLabel(file, imageDir, { skipBad: false }), message);
    const ds = readCocoMultiLabel(file, imageDir, { skipBad: true });
    expect(ds.records.map((r) => path.basename(r.file))).toEqual(['a.png', 'b.jpg']);
    expect(reasonsOf(ds)).toEqual([message]);
  });

  it('reads detection records: boxes clipped within tolerance, crowd ignored, areas, negatives', () => {
    const file = variant();
    const ds = readCocoDetection(file, imageDir, { skipBad: false });
    expect(ds.classes).toEqual(['cat', 'bird', 'dog']);
    expect(ds.records).toEqual([
      {
        file: path.join(imageDir, 'a.png'), imageId: 10, width: 8, height: 6,
        boxes: [[1, 1, 3, 2], [0, 0, 8, 6], [4, 3, 2, 2]], labels: [2, 0, 2], ignore: [false, true, false], areas: [4.5, 48, 4],
      },
      { file: path.join(imageDir, 'sub', 'b.jpg'), imageId: 11, width: 8, height: 6, boxes: [[0, 1, 8, 2]], labels: [2], ignore: [false], areas: [16] },
      { file: path.join(imageDir, 'c.png'), imageId: 12, width: 8, height: 6, boxes: [], labels: [], ignore: [], areas: [] },
    ]);
    expect(ds.coco.categories).toEqual([{ id: 2, name: 'cat' }, { id: 5, name: 'bird' }, { id: 7, name: 'dog' }]);
    expect(ds.coco.images.map((im) => [im.id, im.file_name])).toEqual([[10, 'a.png'], [11, 'sub/b.jpg'], [12, 'c.png']]);
    const byId = new Map(ds.coco.annotations.map((a) => [a.id, a]));
    expect(byId.get(3)).toEqual({ id: 3, image_id: 11, category_id: 7, bbox: [0, 1, 8, 2], area: 16, iscrowd: 0 });
    expect(byId.get(2)).toEqual({ id: 2, image_id: 10, category_id: 2, bbox: [0, 0, 8, 6], area: 48, iscrowd: 1 });
    expect(ds.coco.annotations).toHaveLength(4);
  });

  const badAnnotation = (patch: object) => (gt: any) => Object.assign(gt.annotations[0], patch);
  const cases: [string, (gt: any) => void, (file: string) => string][] = [
    ['unknown category', badAnnotation({ category_id: 99 }), (f) => `${f}: annotation 1 (image 10): unknown category_id 99`],
    ['bbox of 3 numbers', badAnnotation({ bbox: [1, 2, 3] }), (f) => `${f}: annotation 1 (image 10): bbox must be 4 finite numbers [x, y, width, height], got [1, 2, 3]`],
    ['bbox with a string', badAnnotation({ bbox: [1, 2, '3', 4] }), (f) => `${f}: annotation 1 (image 10): bbox must be 4 finite numbers [x, y, width, height], got [1, 2, "3", 4]`],
    ['no bbox', badAnnotation({ bbox: undefined }), (f) => `${f}: annotation 1 (image 10): bbox must be 4 finite numbers [x, y, width, height], got undefined`],
    ['zero-size box', badAnnotation({ bbox: [1, 1, 0, 2] }), (f) => `${f}: annotation 1 (image 10): negative or zero-size box [1, 1, 0, 2]`],
    ['negative box', badAnnotation({ bbox: [4, 1, -2, 2] }), (f) => `${f}: annotation 1 (image 10): negative or zero-size box [4, 1, -2, 2]`],
    ['box outside', badAnnotation({ bbox: [5, 1, 4.5, 2] }), (f) => `${f}: annotation 1 (image 10): box [5, 1, 4.5, 2] lies outside the 8x6 image`],
    ['box above', badAnnotation({ bbox: [1, -1.5, 2, 2] }), (f) => `${f}: annotation 1 (image 10): box [1, -1.5, 2, 2] lies outside the 8x6 image`],
    ['no image_id', badAnnotation({ image_id: undefined }), (f) => `${f}: annotation 1: missing or non-integer "image_id"`],
    ['unknown image_id', badAnnotation({ image_id: 99 }), (f) => `${f}: annotation 1 (image 99): unknown image_id 99`],
    ['duplicate annotation id', badAnnotation({ id: 4 }), (f) => `${f}: annotation 4 (image 10): duplicate annotation id`],
    ['bad iscrowd', badAnnotation({ iscrowd: 2 }), (f) => `${f}: annotation 1 (image 10): "iscrowd" must be 0 or 1, got 2`],
    ['negative area', badAnnotation({ area: -1 }), (f) => `${f}: annotation 1 (image 10): "area" must be a non-negative number, got -1`],
    ['missing image file', (gt) => (gt.images[2].file_name = 'gone.png'), (f) => `${f}: image 12: image file not found: ${path.join(imageDir, 'gone.png')}`],
    ['unknown image size', (gt) => delete gt.images[1].width, (f) => `${f}: image 11: width/height unknown: "width" and "height" must be positive numbers`],
    ['image without id', (gt) => delete gt.images[2].id, (f) => `${f}: images[2]: missing or non-integer "id"`],
    ['duplicate image id', (gt) => gt.images.push({ id: 10, file_name: 'c.png', width: 8, height: 6 }), (f) => `${f}: image 10: duplicate image id (images[0] and images[3]); the later entry is dropped`],
  ];

  it.each(cases)('detection: %s → one-line DataError naming file and record; skipBad skips it', (_, mutate, expected) => {
    const file = variant(mutate);
    expectDataError(() => readCocoDetection(file, imageDir, { skipBad: false }), expected(file));
    const ds = readCocoDetection(file, imageDir, { skipBad: true });
    expect(reasonsOf(ds)).toEqual([expected(file)]);
    // The accepted annotations are the valid ones, and the ground truth holds exactly them.
    expect(ds.coco.annotations.length).toBe(ds.records.reduce((n, r) => n + r.boxes.length, 0));
    expect(ds.coco.images.map((im) => im.id)).toEqual(ds.records.map((r) => r.imageId));
  });

  it('skipBad drops a rejected image with its annotations and counts every reason', () => {
    const file = variant((gt) => {
      gt.images[0].file_name = 'gone.png'; // image 10 and its 3 annotations go, with one message
      gt.annotations[2].category_id = 3;
    });
    const ds = readCocoDetection(file, imageDir, { skipBad: true });
    expect(reasonsOf(ds)).toEqual([
      `${file}: image 10: image file not found: ${path.join(imageDir, 'gone.png')}`,
      `${file}: annotation 3 (image 11): unknown category_id 3`,
    ]);
    expect(ds.records.map((r) => [r.imageId, r.boxes.length])).toEqual([[11, 0], [12, 0]]);
  });

  it('detection checks the declared size against the image file: an error naming both, or a counted size skip', () => {
    const file = variant((gt) => {
      gt.images[0].width = 16; // a.png is 8x6
      gt.images[1].height = 5; // b.jpg is 8x6
    });
    const a = path.join(imageDir, 'a.png');
    const b = path.join(imageDir, 'sub', 'b.jpg');
    const reasons = [
      `${file}: image 10: declared size 16x6, but the image file ${a} is 8x6`,
      `${file}: image 11: declared size 8x5, but the image file ${b} is 8x6`,
    ];
    expectDataError(() => readCocoDetection(file, imageDir, { skipBad: false }), reasons[0]);
    const ds = readCocoDetection(file, imageDir, { skipBad: true });
    expect(ds.skipped).toEqual(reasons.map((reason) => ({ kind: 'size', reason })));
    // Dropped from the records and from the ground truth evaluation reads, annotations included.
    expect(ds.records.map((r) => r.imageId)).toEqual([12]);
    expect(ds.coco.images.map((im) => im.id)).toEqual([12]);
    expect(ds.coco.annotations).toEqual([]);
  });

  it('detection counts an image whose header cannot be read as a decode skip', () => {
    const broken = writeText(path.join(imageDir, 'broken.png'), 'not a png');
    const file = variant((gt) => (gt.images[2].file_name = 'broken.png'));
    const reason = `${file}: image 12: ${broken}: not a PNG or JPEG file`;
    expectDataError(() => readCocoDetection(file, imageDir, { skipBad: false }), reason);
    expect(readCocoDetection(file, imageDir, { skipBad: true }).skipped).toEqual([{ kind: 'decode', reason }]);
  });

  it('multi-label reading ignores boxes and image sizes', () => {
    const file = variant((gt) => {
      delete gt.images[1].width;
      gt.annotations[0].bbox = 'not a box';
    });
    expect(readCocoMultiLabel(file, imageDir, { skipBad: false, allowEmpty: true }).records.map((r) => r.labels)).toEqual([[0, 2], [2], []]);
  });

  it('fails on files that are not COCO instances', () => {
    const noAnnotations = variant((gt) => delete gt.annotations);
    expectDataError(() => readCocoDetection(noAnnotations, imageDir, { skipBad: true }), `${noAnnotations}: missing "annotations" array (not a COCO instances file?)`);
    const dupCategory = variant((gt) => gt.categories.push({ id: 2, name: 'cow' }));
    expectDataError(() => readCocoMultiLabel(dupCategory, imageDir, { skipBad: true }), `${dupCategory}: duplicate category id 2`);
    const noName = variant((gt) => delete gt.categories[0].name);
    expectDataError(() => readCocoMultiLabel(noName, imageDir, { skipBad: true }), `${noName}: category 7: missing or empty "name"`);
    const broken = writeText(path.join(dir, 'broken.json'), '{"images": [}');
    expectDataError(() => readCocoDetection(broken, imageDir, { skipBad: true }), `${broken}: malformed JSON at line 1, column 13: unexpected "}"`);
  });
});
