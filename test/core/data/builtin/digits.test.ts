import { digitSprite, INK_THRESHOLD, inkBounds, layoutDigits, LayoutSpec, resizeGray } from '../../../../src/core/data/builtin/digits';
import { loadMnist } from '../../../../src/core/data/builtin/idx';
import { Rng } from '../../../../src/core/data/builtin/prng';

describe('digit sprites and layout', () => {
  const mnist = loadMnist('test');

  it('resizes bilinearly with half-pixel centres (values worked out by hand)', () => {
    const out = resizeGray(new Uint8Array([0, 100, 200, 40]), 2, 2, 4, 4);
    expect(Array.from(out)).toEqual([0, 25, 75, 100, 50, 59, 76, 85, 150, 126, 79, 55, 200, 160, 80, 40]);
    const same = new Uint8Array([1, 2, 3, 4, 5, 6]);
    expect(resizeGray(same, 3, 2, 3, 2)).toEqual(same);
    expect(Array.from(resizeGray(new Uint8Array(16).fill(77), 4, 4, 2, 3))).toEqual([77, 77, 77, 77, 77, 77]);
  });

  it('finds ink bounds', () => {
    const img = new Uint8Array(20);
    img[1 * 5 + 3] = 200;
    img[3 * 5 + 1] = 64;
    img[0] = 10;
    expect(inkBounds(img, 5, 4, 64)).toEqual([1, 1, 3, 3]);
    expect(inkBounds(new Uint8Array(6), 3, 2, 1)).toBeNull();
  });

  it('cuts a digit to its ink at the requested size, with no faint pixels', () => {
    for (const size of [16, 28, 56]) {
      for (let index = 0; index < 20; index++) {
        const s = digitSprite(mnist, index, size);
        expect(Math.max(s.width, s.height)).toBeLessThanOrEqual(size);
        expect(Math.max(s.width, s.height)).toBeGreaterThanOrEqual(size - 3);
        expect(s.alpha.every((a) => a === 0 || a >= INK_THRESHOLD)).toBe(true);
        // Tight: every edge row and column holds ink.
        expect(inkBounds(s.alpha, s.width, s.height, INK_THRESHOLD)).toEqual([0, 0, s.width - 1, s.height - 1]);
      }
    }
  });

  it('lays out digits inside the canvas with limited overlap, labels from MNIST', () => {
    const spec: LayoutSpec = { canvas: 64, minDigits: 1, maxDigits: 4, minSize: 20, maxSize: 36, maxOverlap: 0.25 };
    const counts = new Set<number>();
    for (let seed = 0; seed < 60; seed++) {
      const placed = layoutDigits(new Rng(seed, 'test'), mnist, spec);
      counts.add(placed.length);
      expect(placed.length).toBeGreaterThanOrEqual(1);
      expect(placed.length).toBeLessThanOrEqual(4);
      for (const [i, p] of placed.entries()) {
        const [x, y, w, h] = p.box;
        expect([w, h]).toEqual([p.sprite.width, p.sprite.height]);
        expect(x >= 0 && y >= 0 && x + w <= 64 && y + h <= 64).toBe(true);
        expect(p.digit).toBe(mnist.labels[p.mnistIndex]);
        for (const q of placed.slice(0, i)) {
          const iw = Math.min(x + w, q.box[0] + q.box[2]) - Math.max(x, q.box[0]);
          const ih = Math.min(y + h, q.box[1] + q.box[3]) - Math.max(y, q.box[1]);
          const inter = iw > 0 && ih > 0 ? iw * ih : 0;
          expect(inter).toBeLessThanOrEqual(0.25 * Math.min(w * h, q.box[2] * q.box[3]));
        }
      }
    }
    expect([...counts].sort()).toEqual([1, 2, 3, 4]);
  });

  it('draws the same layout for the same seed and stream only', () => {
    const spec: LayoutSpec = { canvas: 128, minDigits: 1, maxDigits: 5, minSize: 16, maxSize: 56, maxOverlap: 0.25 };
    const boxes = (seed: number, stream: string) => layoutDigits(new Rng(seed, stream), mnist, spec).map((p) => [p.mnistIndex, ...p.box]);
    expect(boxes(1, 'train:3')).toEqual(boxes(1, 'train:3'));
    expect(boxes(1, 'train:3')).not.toEqual(boxes(1, 'train:4'));
    expect(boxes(1, 'train:3')).not.toEqual(boxes(2, 'train:3'));
  });
});
