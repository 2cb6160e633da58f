import * as path from 'path';
import { readVoc, VOC_CLASSES } from '../../../../src/core/data/formats/voc';
import { expectDataError, reasonsOf, makeTmpDir, removeDir, writeImage, writeText } from './fixtures';

type VocObject = [name: string, xmin: number | string, ymin: number, xmax: number, ymax: number, difficult?: string];

function vocXml(width: number | null, height: number, objects: VocObject[], filename = 'x.jpg'): string {
  const size = width === null ? '' : `<size><width>${width}</width><height>${height}</height><depth>3</depth></size>`;
  const objs = objects
    .map(([name, x0, y0, x1, y1, difficult]) =>
      `<object><name>${name}</name><pose>Left</pose>${difficult === undefined ? '' : `<difficult>${difficult}</difficult>`}` +
      `<bndbox><xmin>${x0}</xmin><ymin>${y0}</ymin><xmax>${x1}</xmax><ymax>${y1}</ymax></bndbox></object>`)
    .join('\n  ');
  return `<annotation>\n  <folder>VOC2007</folder>\n  <filename>${filename}</filename>\n  ${size}\n  ${objs}\n</annotation>\n`;
}

describe('readVoc', () => {
  let root: string;
  let dir: string;
  const ann = (id: string, xml: string): string => writeText(path.join(root, 'Annotations', `${id}.xml`), xml);
  const split = (name: string, ids: string[]): void => void writeText(path.join(root, 'ImageSets', 'Main', `${name}.txt`), ids.join('\n') + '\n');
  const jpeg = (name: string): string => path.join(root, 'JPEGImages', name);

  beforeAll(() => {
    dir = makeTmpDir('voc');
    root = path.join(dir, 'VOC2007');
    writeImage(jpeg('000001.jpg'), 20, 10);
    ann('000001', vocXml(20, 10, [['dog', 1, 1, 20, 10, '0'], ['cat', 5, 3, 8, 6, '1']], '000001.jpg'));
    writeImage(jpeg('000002.png'), 20, 10);
    ann('000002', vocXml(20, 10, [['person', 2, 2, 3, 3]]));
    writeImage(jpeg('other_name.jpg'), 20, 10);
    ann('000003', vocXml(20, 10, [], 'other_name.jpg'));
    split('train', ['000001', '', '000002 ', '000003']);
    for (const id of ['000004', '000005', '000006', '000007', '000008', '000010']) writeImage(jpeg(`${id}.jpg`), 20, 10);
    ann('000004', vocXml(20, 10, [['widget', 2.5, 2, 4, 5]]));
    ann('000005', vocXml(20, 10, [['gadget', 1, 1, 2, 2], ['widget', 3, 3, 4, 4]]));
    split('custom', ['000004', '000005']);
    ann('000006', vocXml(null, 10, [['dog', 1, 1, 2, 2]]));
    ann('000007', vocXml(20, 10, [['dog', 1, 1, 25, 10], ['dog', 5, 1, 3, 4], ['dog', 'a', 1, 3, 4], ['cat', 1, 1, 2, 2, 'yes'], ['', 1, 1, 2, 2], ['cat', 2, 2, 3, 3]]));
    ann('000008', '<annotation>\n<size>\n</annotation>\n');
    ann('000011', vocXml(20, 10, []));
    split('bad', ['000006', '000007', '000008', '000009', '000011', '000010']);
    ann('000010', vocXml(20, 10, [['dog', 1, 1, 20, 10]]));
  });
  afterAll(() => removeDir(dir));

  it('converts 1-based inclusive corners to COCO boxes, keeps difficult objects as ignored', () => {
    const ds = readVoc(root, 'train', { skipBad: false });
    expect(ds.classes).toEqual(VOC_CLASSES);
    const [dog, cat, person] = ['dog', 'cat', 'person'].map((n) => VOC_CLASSES.indexOf(n));
    expect(ds.records).toEqual([
      // (1,1)-(20,10) covers the whole 20x10 image; (5,3)-(8,6) covers 4x4 pixels starting at pixel (4,2).
      { file: jpeg('000001.jpg'), imageId: 1, width: 20, height: 10, boxes: [[0, 0, 20, 10], [4, 2, 4, 4]], labels: [dog, cat], ignore: [false, true], areas: [200, 16] },
      { file: jpeg('000002.png'), imageId: 2, width: 20, height: 10, boxes: [[1, 1, 2, 2]], labels: [person], ignore: [false], areas: [4] },
      { file: jpeg('other_name.jpg'), imageId: 3, width: 20, height: 10, boxes: [], labels: [], ignore: [], areas: [] },
    ]);
    expect(ds.coco.categories).toHaveLength(20);
    expect(ds.coco.categories[dog]).toEqual({ id: dog + 1, name: 'dog' });
    expect(ds.coco.images).toEqual([
      { id: 1, file_name: '000001.jpg', width: 20, height: 10 },
      { id: 2, file_name: '000002.png', width: 20, height: 10 },
      { id: 3, file_name: 'other_name.jpg', width: 20, height: 10 },
    ]);
    expect(ds.coco.annotations).toEqual([
      { id: 1, image_id: 1, category_id: dog + 1, bbox: [0, 0, 20, 10], area: 200, iscrowd: 0 },
      { id: 2, image_id: 1, category_id: cat + 1, bbox: [4, 2, 4, 4], area: 16, iscrowd: 1 },
      { id: 3, image_id: 2, category_id: person + 1, bbox: [1, 1, 2, 2], area: 4, iscrowd: 0 },
    ]);
  });

  it('uses the sorted names when they are not VOC classes, or the training classes when given', () => {
    const ds = readVoc(root, 'custom', { skipBad: false });
    expect(ds.classes).toEqual(['gadget', 'widget']);
    expect(ds.records.map((r) => r.labels)).toEqual([[1], [0, 1]]);
    expect(ds.records[0].boxes).toEqual([[1.5, 1, 2.5, 4]]);
    const xml = path.join(root, 'Annotations', '000005.xml');
    expectDataError(() => readVoc(root, 'custom', { skipBad: false }, ['widget']), `${xml}: object 1 ('gadget'): class 'gadget' is not among the training classes`);
    const val = readVoc(root, 'custom', { skipBad: true }, ['widget']);
    expect(val.records.map((r) => r.labels)).toEqual([[0], [0]]);
    expect(val.coco.annotations.map((a) => a.category_id)).toEqual([1, 1]);
  });

  it('names file and object for every bad input; skipBad skips and counts', () => {
    const a = (id: string): string => path.join(root, 'Annotations', `${id}.xml`);
    const reasons = [
      `${a('000006')}: width/height unknown: size/width and size/height must be positive numbers`,
      `${a('000007')}: object 1 ('dog'): bndbox (1, 1, 25, 10): box [0, 0, 25, 10] lies outside the 20x10 image`,
      `${a('000007')}: object 2 ('dog'): bndbox (5, 1, 3, 4): negative or zero-size box [4, 0, -1, 4]`,
      `${a('000007')}: object 3 ('dog'): bndbox needs numeric xmin, ymin, xmax, ymax`,
      `${a('000007')}: object 4 ('cat'): <difficult> must be 0 or 1, got 'yes'`,
      `${a('000007')}: object 5: missing <name>`,
      `${a('000008')}:3:1: malformed XML: Expected closing tag 'size' (opened in line 2, col 1) instead of closing tag 'annotation'`,
      `${a('000009')}: annotation file not found (image '000009' of split 'bad')`,
      `${a('000011')}: image file not found: ${jpeg('000011')}.jpg (nor x.jpg)`,
    ];
    expectDataError(() => readVoc(root, 'bad', { skipBad: false }), reasons[0]);
    const ds = readVoc(root, 'bad', { skipBad: true });
    expect(reasonsOf(ds)).toEqual(reasons);
    expect(ds.records.map((r) => [path.basename(r.file), r.boxes])).toEqual([['000007.jpg', [[1, 1, 2, 2]]], ['000010.jpg', [[0, 0, 20, 10]]]]);
    expect(ds.classes).toEqual(VOC_CLASSES);
  });

  it('checks <size> against the image file: an error naming both sizes, or a counted size skip', () => {
    writeImage(jpeg('000020.jpg'), 20, 10);
    ann('000020', vocXml(20, 12, [['dog', 1, 1, 2, 2]]));
    writeText(jpeg('000021.jpg'), 'not a jpeg');
    ann('000021', vocXml(20, 10, []));
    split('sizes', ['000020', '000021', '000002']);
    const size = `${path.join(root, 'Annotations', '000020.xml')}: declared size 20x12, but the image file ${jpeg('000020.jpg')} is 20x10`;
    expectDataError(() => readVoc(root, 'sizes', { skipBad: false }), size);
    const ds = readVoc(root, 'sizes', { skipBad: true });
    expect(ds.skipped).toEqual([
      { kind: 'size', reason: size },
      { kind: 'decode', reason: `${path.join(root, 'Annotations', '000021.xml')}: ${jpeg('000021.jpg')}: not a PNG or JPEG file` },
    ]);
    expect(ds.records.map((r) => path.basename(r.file))).toEqual(['000002.png']);
    expect(ds.coco.images.map((im) => im.file_name)).toEqual(['000002.png']);
  });

  it('fails on a missing split file', () => {
    const file = path.join(root, 'ImageSets', 'Main', 'nope.txt');
    expectDataError(() => readVoc(root, 'nope', { skipBad: true }), `${file}: VOC split file not found`);
  });
});
