import * as fs from 'fs';
import * as path from 'path';
import { writeBuiltinDataset } from '../../../../src/core/data/builtin/catalog';
import { MNIST_DETECTION } from '../../../../src/core/data/builtin/mnist-detection';
import { INK_THRESHOLD, inkBounds } from '../../../../src/core/data/builtin/digits';
import { loadMnist } from '../../../../src/core/data/builtin/idx';
import { renderDetectionScene } from '../../../../src/core/data/builtin/mnist-detection';
import { readCocoDetection } from '../../../../src/core/data/formats/coco';
import { resolveSplits } from '../../../../src/core/data/formats/splits';
import { decodeImage } from '../../../../src/core/data/image/codec';
import { makeTmpDir, removeDir } from '../formats/fixtures';
import { hashTree, mnistDataLabels } from './tree-hash';

describe('mnist-detection', () => {
  let dir: string;
  let root: string;
  const options = { trainCount: 12, valCount: 4, seed: 5 };
  beforeAll(() => {
    dir = makeTmpDir('mnist-det');
    root = writeBuiltinDataset(MNIST_DETECTION, path.join(dir, 'a'), options);
  });
  afterAll(() => removeDir(dir));

  it('is byte-identical for the same options', () => {
    expect(hashTree(writeBuiltinDataset(MNIST_DETECTION, path.join(dir, 'b'), options))).toEqual(hashTree(root));
  });

  it('reads back as detection data: 128x128 RGB, 1-5 boxes, categories = MNIST classes of the digits', () => {
    const splits = resolveSplits(root, 'detection');
    if (splits.format !== 'coco') throw new Error('expected COCO');
    const ds = readCocoDetection(splits.train.annotationFile, splits.train.imageDir, { skipBad: false });
    expect(ds.classes).toEqual(['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']);
    expect(ds.records).toHaveLength(12);
    const raw = JSON.parse(fs.readFileSync(splits.train.annotationFile, 'utf8')).annotations as { image_id: number; category_id: number; mnist_index: number }[];
    const labels = mnistDataLabels('training', Math.max(...raw.map((a) => a.mnist_index)) + 1);
    for (const a of raw) expect(a.category_id - 1).toBe(labels[a.mnist_index]);
    for (const r of ds.records) {
      expect(r.boxes.length).toBeGreaterThanOrEqual(1);
      expect(r.boxes.length).toBeLessThanOrEqual(5);
      expect(r.labels).toEqual(raw.filter((a) => a.image_id === r.imageId).map((a) => a.category_id - 1));
      const img = decodeImage(fs.readFileSync(r.file));
      expect([img.width, img.height]).toEqual([128, 128]);
    }
    expect(readCocoDetection(splits.val.annotationFile, splits.val.imageDir, { skipBad: false }).records).toHaveLength(4);
  });

  it('paints each digit only inside its box, in its colour, with tight boxes; files hold the scene', () => {
    const mnist = loadMnist('train');
    for (let i = 0; i < 12; i++) {
      const scene = renderDetectionScene(mnist, options.seed, 'train', i);
      const file = path.join(root, 'train', `${String(i + 1).padStart(6, '0')}.png`);
      expect(Buffer.from(decodeImage(fs.readFileSync(file)).data).equals(Buffer.from(scene.image.data))).toBe(true);
      const inBox = (x: number, y: number, [bx, by, bw, bh]: number[]) => x >= bx && x < bx + bw && y >= by && y < by + bh;
      const problems: string[] = [];
      for (let y = 0; y < 128; y++) {
        for (let x = 0; x < 128; x++) {
          const p = (y * 128 + x) * 3;
          const changed = [0, 1, 2].some((c) => scene.image.data[p + c] !== scene.background[p + c]);
          if (changed && !scene.digits.some((d) => inBox(x, y, d.box))) problems.push(`paint outside boxes at ${x},${y}`);
          // Full ink not covered by a later digit's box shows the digit's colour exactly.
          scene.digits.forEach((d, k) => {
            const alpha = inBox(x, y, d.box) ? d.sprite.alpha[(y - d.box[1]) * d.sprite.width + (x - d.box[0])] : 0;
            const covered = scene.digits.slice(k + 1).some((later) => inBox(x, y, later.box));
            if (alpha === 255 && !covered && [0, 1, 2].some((c) => scene.image.data[p + c] !== scene.colours[k][c])) problems.push(`colour at ${x},${y}`);
          });
        }
      }
      expect(problems).toEqual([]);
      for (const d of scene.digits) {
        expect(inkBounds(d.sprite.alpha, d.sprite.width, d.sprite.height, INK_THRESHOLD)).toEqual([0, 0, d.box[2] - 1, d.box[3] - 1]);
        expect(Math.max(d.box[2], d.box[3])).toBeGreaterThanOrEqual(13);
        expect(Math.max(d.box[2], d.box[3])).toBeLessThanOrEqual(56);
      }
    }
  });
});
