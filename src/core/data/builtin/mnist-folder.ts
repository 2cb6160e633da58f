/**
 * `mnist`: MNIST as a torchvision ImageFolder of 28x28 grayscale PNGs, `train/<digit>/NNNNN.png`
 * from MNIST train and `val/<digit>/NNNNN.png` from MNIST test (NNNNN = the MNIST index, so the
 * sorted file order is MNIST's order). The counts take the first images of each split; at least
 * 100, where both splits already hold every digit (so no class folder is empty).
 */
import * as fs from 'fs';
import * as path from 'path';
import { encodePng } from '../image/codec';
import { BuiltinGenerator, BuiltinOptions } from './generator';
import { loadMnist, MNIST_SIDE } from './idx';

function writeFolderSplit(root: string, split: string, source: 'train' | 'test', count: number): void {
  const mnist = loadMnist(source);
  for (let d = 0; d < 10; d++) fs.mkdirSync(path.join(root, split, String(d)), { recursive: true });
  const pixels = MNIST_SIDE * MNIST_SIDE;
  for (let i = 0; i < count; i++) {
    const data = mnist.images.subarray(i * pixels, (i + 1) * pixels);
    const png = encodePng({ width: MNIST_SIDE, height: MNIST_SIDE, channels: 1, data });
    fs.writeFileSync(path.join(root, split, String(mnist.labels[i]), `${String(i).padStart(5, '0')}.png`), png);
  }
}

export const MNIST_FOLDER: BuiltinGenerator = {
  name: 'mnist',
  task: 'singlelabel',
  format: 'imagefolder',
  description: 'MNIST as an ImageFolder of 28x28 gray PNGs (train 60000, val = MNIST test 10000)',
  options: {
    trainCount: { default: 60000, min: 100, max: 60000, integer: true, help: 'first N MNIST training images' },
    valCount: { default: 10000, min: 100, max: 10000, integer: true, help: 'first N MNIST test images' },
  },
  readerOptions: {},
  write(root: string, o: BuiltinOptions): void {
    writeFolderSplit(root, 'train', 'train', o.trainCount);
    writeFolderSplit(root, 'val', 'test', o.valCount);
  },
};
