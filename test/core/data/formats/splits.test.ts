import * as fs from 'fs';
import * as path from 'path';
import { resolveSplits } from '../../../../src/core/data/formats/splits';
import { expectDataError, makeTmpDir, removeDir, writeText } from './fixtures';

describe('resolveSplits', () => {
  let dir: string;
  const mk = (...parts: string[]): string => {
    const p = path.join(dir, ...parts);
    fs.mkdirSync(p, { recursive: true });
    return p;
  };
  const touch = (...parts: string[]): string => writeText(path.join(dir, ...parts), '');
  beforeAll(() => (dir = makeTmpDir('splits')));
  afterAll(() => removeDir(dir));

  it('finds COCO 2017 layouts, matching the val suffix to train, for multilabel and detection', () => {
    touch('coco', 'annotations', 'instances_train2017.json');
    touch('coco', 'annotations', 'instances_val2014.json');
    touch('coco', 'annotations', 'instances_val2017.json');
    touch('coco', 'annotations', 'captions_train2017.json');
    for (const d of ['train2017', 'val2014', 'val2017']) mk('coco', d);
    const root = path.join(dir, 'coco');
    const expected = {
      format: 'coco',
      train: { annotationFile: path.join(root, 'annotations', 'instances_train2017.json'), imageDir: path.join(root, 'train2017') },
      val: { annotationFile: path.join(root, 'annotations', 'instances_val2017.json'), imageDir: path.join(root, 'val2017') },
    };
    expect(resolveSplits(root, 'multilabel')).toEqual(expected);
    expect(resolveSplits(root, 'detection')).toEqual(expected);
  });

  it('finds the built-in layout (instances_train.json with train/)', () => {
    touch('builtin', 'annotations', 'instances_train.json');
    touch('builtin', 'annotations', 'instances_val.json');
    mk('builtin', 'train');
    mk('builtin', 'val');
    const split = resolveSplits(path.join(dir, 'builtin'), 'detection');
    expect(split.format === 'coco' && split.val.imageDir).toBe(path.join(dir, 'builtin', 'val'));
  });

  it('refuses ambiguous COCO splits', () => {
    touch('amb', 'annotations', 'instances_train2014.json');
    touch('amb', 'annotations', 'instances_train2017.json');
    mk('amb', 'train2014');
    mk('amb', 'train2017');
    expectDataError(
      () => resolveSplits(path.join(dir, 'amb'), 'multilabel'),
      `${path.join(dir, 'amb', 'annotations')}: several COCO train splits (instances_train2014.json, instances_train2017.json); pass the files explicitly`,
    );
  });

  it('finds CSV and ImageFolder splits by task', () => {
    touch('mixed', 'train.csv');
    touch('mixed', 'val.csv');
    mk('mixed', 'train', 'cat');
    mk('mixed', 'val', 'cat');
    const root = path.join(dir, 'mixed');
    expect(resolveSplits(root, 'multilabel')).toEqual({ format: 'csv', train: { csvFile: path.join(root, 'train.csv') }, val: { csvFile: path.join(root, 'val.csv') } });
    expect(resolveSplits(root, 'singlelabel')).toEqual({ format: 'imagefolder', train: { dir: path.join(root, 'train') }, val: { dir: path.join(root, 'val') } });
  });

  it('finds VOC in VOCdevkit/VOC2007 with trainval/test, or in the folder itself with train/val', () => {
    mk('devkit', 'VOCdevkit', 'VOC2007', 'Annotations');
    touch('devkit', 'VOCdevkit', 'VOC2007', 'ImageSets', 'Main', 'trainval.txt');
    touch('devkit', 'VOCdevkit', 'VOC2007', 'ImageSets', 'Main', 'test.txt');
    expect(resolveSplits(path.join(dir, 'devkit'), 'detection')).toEqual({
      format: 'voc', root: path.join(dir, 'devkit', 'VOCdevkit', 'VOC2007'), train: { split: 'trainval' }, val: { split: 'test' },
    });
    mk('voc', 'Annotations');
    touch('voc', 'ImageSets', 'Main', 'train.txt');
    touch('voc', 'ImageSets', 'Main', 'val.txt');
    touch('voc', 'ImageSets', 'Main', 'test.txt');
    expect(resolveSplits(path.join(dir, 'voc'), 'detection')).toEqual({ format: 'voc', root: path.join(dir, 'voc'), train: { split: 'train' }, val: { split: 'val' } });
  });

  it('says what it looked for when nothing matches', () => {
    touch('half', 'train.csv');
    mk('half', 'train');
    const root = path.join(dir, 'half');
    expectDataError(
      () => resolveSplits(root, 'singlelabel'),
      `${root}: no singlelabel dataset found; looked for ImageFolder (train/<class>/ and val/<class>/; found train/, no val/); CSV (train.csv and val.csv; found train.csv, no val.csv)`,
    );
    expectDataError(
      () => resolveSplits(root, 'detection'),
      `${root}: no detection dataset found; looked for COCO (annotations/instances_train*.json with train*/ and annotations/instances_val*.json with val*/); VOC (Annotations/, JPEGImages/, ImageSets/Main/{train,val}.txt or {trainval,test}.txt, here or in VOC*/)`,
    );
    expectDataError(() => resolveSplits(path.join(dir, 'none'), 'multilabel'), `${path.join(dir, 'none')}: data folder not found`);
  });
});
