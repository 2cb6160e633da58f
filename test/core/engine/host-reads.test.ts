import * as fs from 'fs';
import * as path from 'path';
import { tf } from '../../../src/core/tf';
import { initBackend } from '../../../src/core/backend/init';
import { HostReadCounter } from '../../../src/core/engine/host-reads';

const THIS_FILE = 'test/core/engine/host-reads.test.ts';

/** The line of the statement calling this, as a call site reads. */
function lineHere(): number {
  return Number(/host-reads\.test\.ts:(\d+)/.exec(new Error().stack!.split('\n')[2])![1]);
}

describe('HostReadCounter', () => {
  beforeAll(() => initBackend('cpu'));

  it('counts each tensor read once, whichever method asks, with its call site', async () => {
    const x = tf.tensor2d([1, 2, 3, 4], [2, 2]);
    const counter = HostReadCounter.start({ sites: true });
    try {
      x.dataSync();
      const dataSyncLine = lineHere() - 1;
      x.arraySync();
      x.bufferSync();
      await x.data();
      await x.array();
      await x.buffer();
      const tally = counter.stop();
      expect(tally.reads).toBe(6);
      expect(tally.kernelReads).toBe(0);
      expect(tally.sites[`${THIS_FILE}:${dataSyncLine}`]).toBe(1);
      expect(Object.values(tally.sites).reduce((a, b) => a + b, 0)).toBe(6);
      expect(Object.keys(tally.sites).every((site) => site.startsWith(`${THIS_FILE}:`))).toBe(true);
    } finally {
      counter.stop();
      x.dispose();
    }
  });

  it('counts reads inside tf.tidy and ops, not tensor creation or compute', () => {
    const counter = HostReadCounter.start();
    const before = tf.memory().numTensors;
    const value = tf.tidy(() => {
      const y = tf.square(tf.tensor1d([1, 2, 3])).sum();
      return y.dataSync()[0] + (tf.mean(y).arraySync() as number);
    });
    expect(counter.stop().reads).toBe(2);
    expect(value).toBe(28);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('counts a kernel that reads the backend itself apart from tensor reads', () => {
    // The cpu ResizeNearestNeighborGrad kernel reads dy through backend.readSync.
    const counter = HostReadCounter.start({ sites: true });
    const gradient = tf.tidy(() => tf.grad((x: tf.Tensor) => tf.sum(tf.image.resizeNearestNeighbor(x as tf.Tensor4D, [4, 4])))(tf.ones([1, 2, 2, 1])).dataSync());
    const tally = counter.stop();
    expect(Array.from(gradient)).toEqual([4, 4, 4, 4]);
    expect(tally).toMatchObject({ reads: 1, kernelReads: 1 });
    const kernelFile = 'src/core/backend/cpu-kernels/resize-nearest-neighbor-grad.ts';
    const readLine = fs.readFileSync(path.join(__dirname, '../../..', kernelFile), 'utf8').split('\n').findIndex((l) => l.includes('readSync(dy.dataId)')) + 1;
    expect(Object.keys(tally.sites).filter((s) => s.startsWith('kernel '))).toEqual([`kernel resize-nearest-neighbor-grad.ts ← ${kernelFile}:${readLine}`]);
  });

  it('puts tfjs’s methods back on stop, so reads after it are not counted', () => {
    const proto = tf.Tensor.prototype;
    const [dataSync, data] = [proto.dataSync, proto.data];
    const backend = tf.backend();
    const counter = HostReadCounter.start();
    expect(proto.dataSync).not.toBe(dataSync);
    expect(Object.prototype.hasOwnProperty.call(backend, 'readSync')).toBe(true);
    counter.stop();
    expect([proto.dataSync, proto.data]).toEqual([dataSync, data]);
    expect(Object.prototype.hasOwnProperty.call(backend, 'readSync')).toBe(false);
    tf.tidy(() => tf.scalar(1).dataSync());
    expect(counter.counts().reads).toBe(0);
    expect(counter.stop().reads).toBe(0);
  });

  it('runs one counter at a time', () => {
    const counter = HostReadCounter.start();
    try {
      expect(() => HostReadCounter.start()).toThrow(/^HostReadCounter: a counter is already running/);
    } finally {
      counter.stop();
    }
    HostReadCounter.start().stop();
  });
});
