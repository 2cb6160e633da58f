import type { RawImage } from '../../../../src/core/data/image/codec';
import { crop, letterbox, resizeBilinear } from '../../../../src/core/data/image/resize';

const gray = (width: number, height: number, values: number[]): RawImage => ({ width, height, channels: 1, data: Uint8Array.from(values) });

describe('resizeBilinear (half-pixel centres, align_corners=false)', () => {
  it('upsamples 2x2 to 4x4 to the hand-computed values', () => {
    // Source coordinates of output columns/rows: max(0, (d + 0.5) / 2 - 0.5) = 0, 0.25, 0.75, 1.25→clamped to pixel 1.
    // Along x 0 → 40 gives 0, 10, 30, 40; along y 0 → 80 gives 0, 20, 60, 80.
    const out = resizeBilinear(gray(2, 2, [0, 40, 80, 120]), 4, 4);
    expect([out.width, out.height, out.channels]).toEqual([4, 4, 1]);
    expect(Array.from(out.data)).toEqual([0, 10, 30, 40, 20, 30, 50, 60, 60, 70, 90, 100, 80, 90, 110, 120]);
  });

  it('maps 3 to 5 columns as torch linear interpolation does', () => {
    // src = 0.6 (d + 0.5) - 0.5 = -0.2→0, 0.4, 1.0, 1.6, 2.2→clamped to the last pixel.
    const out = resizeBilinear(gray(3, 1, [0, 100, 200]), 5, 1);
    expect(Array.from(out.data)).toEqual([0, 40, 100, 160, 200]);
  });

  it('halves 4x4 by averaging 2x2 blocks (sample points at 0.5, 2.5)', () => {
    const values = [0, 4, 8, 12, 16, 20, 24, 28, 32, 36, 40, 44, 48, 52, 56, 60];
    const out = resizeBilinear(gray(4, 4, values), 2, 2);
    expect(Array.from(out.data)).toEqual([10, 18, 42, 50]);
  });

  it('keeps the channels of an RGB image apart', () => {
    const rgb: RawImage = { width: 2, height: 1, channels: 3, data: Uint8Array.from([0, 100, 200, 40, 60, 0]) };
    const out = resizeBilinear(rgb, 4, 1);
    // Per channel: a, a + (b - a)/4, a + 3(b - a)/4, b.
    expect(Array.from(out.data)).toEqual([0, 100, 200, 10, 90, 150, 30, 70, 50, 40, 60, 0]);
  });

  it('is an exact copy at the same size, not the same buffer', () => {
    const img = gray(3, 2, [1, 2, 3, 4, 5, 6]);
    const out = resizeBilinear(img, 3, 2);
    expect(Array.from(out.data)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(out.data).not.toBe(img.data);
  });

  it('rejects bad sizes and inconsistent images', () => {
    expect(() => resizeBilinear(gray(2, 2, [0, 0, 0, 0]), 0, 3)).toThrow(/resizeBilinear: output size/);
    expect(() => resizeBilinear(gray(2, 2, [0, 0, 0]), 3, 3)).toThrow(/resizeBilinear: bad image/);
  });
});

describe('crop', () => {
  const img = gray(3, 3, [1, 2, 3, 4, 5, 6, 7, 8, 9]);

  it('copies an inside region', () => {
    expect(Array.from(crop(img, { x: 1, y: 1, width: 2, height: 2 }).data)).toEqual([5, 6, 8, 9]);
  });

  it('pads outside parts with the fill value', () => {
    const out = crop(img, { x: -1, y: 2, width: 3, height: 2 }, 0);
    expect(Array.from(out.data)).toEqual([0, 7, 8, 0, 0, 0]);
    expect(Array.from(crop(img, { x: 5, y: 5, width: 2, height: 1 }, 9).data)).toEqual([9, 9]);
  });

  it('refuses to leave the image without a fill value', () => {
    expect(() => crop(img, { x: 2, y: 0, width: 2, height: 1 })).toThrow(/leaves the 3x3 image/);
  });
});

describe('letterbox', () => {
  it('fits a wide image, centres it and reports the map', () => {
    // 4x2 into 8x8: scale 2, resized 8x4, offset y (8 - 4) / 2 = 2.
    const img = gray(4, 2, [10, 10, 10, 10, 10, 10, 10, 10]);
    const box = letterbox(img, 8, 8, 0);
    expect([box.scaleX, box.scaleY, box.offsetX, box.offsetY]).toEqual([2, 2, 0, 2]);
    const rows = Array.from({ length: 8 }, (_, y) => Array.from(box.image.data.subarray(y * 8, y * 8 + 8)));
    expect(rows.map((r) => r[0])).toEqual([0, 0, 10, 10, 10, 10, 0, 0]);
    expect(rows.every((r) => r.every((v) => v === r[0]))).toBe(true);
  });

  it('gives exact per-axis scales when the size must be rounded', () => {
    // 3x2 into 4x4: scale 4/3, resized 4 x round(2.667) = 4x3, offset y floor(1 / 2) = 0.
    const box = letterbox({ width: 3, height: 2, channels: 3, data: new Uint8Array(18) }, 4, 4);
    expect([box.scaleX, box.scaleY, box.offsetX, box.offsetY]).toEqual([4 / 3, 3 / 2, 0, 0]);
    expect(Array.from(box.image.data.subarray(3 * 4 * 3))).toEqual(new Array(12).fill(114));
  });
});
