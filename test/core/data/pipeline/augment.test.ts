import type { RawImage } from '../../../../src/core/data/image/codec';
import type { BoxXYWH } from '../../../../src/core/data/records';
import { crop, resizeBilinear } from '../../../../src/core/data/image/resize';
import { cutout, horizontalFlip, randomResizedCrop, sampleResizedCropRegion, scaleJitter } from '../../../../src/core/data/pipeline/augment';
import { cropSample, startSample } from '../../../../src/core/data/pipeline/geometry';
import { Rng } from '../../../../src/core/random';

/** A black RGB image with the pixels of `box` (integer edges) white. */
function withWhiteBox(width: number, height: number, box: BoxXYWH): RawImage {
  const data = new Uint8Array(width * height * 3);
  for (let y = box[1]; y < box[1] + box[3]; y++) data.fill(255, (y * width + box[0]) * 3, (y * width + box[0] + box[2]) * 3);
  return { width, height, channels: 3, data };
}

/** [x, y, w, h] of the bright pixels (> 127), or undefined when there are none. */
function brightBox(img: RawImage): BoxXYWH | undefined {
  let [x0, y0, x1, y1] = [Infinity, Infinity, -1, -1];
  for (let y = 0; y < img.height; y++) {
    for (let x = 0; x < img.width; x++) {
      if (img.data[(y * img.width + x) * 3] > 127) [x0, y0, x1, y1] = [Math.min(x0, x), Math.min(y0, y), Math.max(x1, x), Math.max(y1, y)];
    }
  }
  return x1 < 0 ? undefined : [x0, y0, x1 + 1 - x0, y1 + 1 - y0];
}

function expectBoxClose(actual: BoxXYWH, expected: BoxXYWH, tolerance: number): void {
  actual.forEach((v, i) => expect(Math.abs(v - expected[i])).toBeLessThanOrEqual(tolerance));
}

describe('horizontalFlip', () => {
  it('mirrors pixels and boxes when it fires', () => {
    const img: RawImage = { width: 4, height: 1, channels: 1, data: Uint8Array.from([1, 2, 3, 4]) };
    const out = horizontalFlip(startSample(img, [[0, 0, 1, 1], [1.5, 0, 2, 1]]), new Rng(0), 1);
    expect(Array.from(out.image.data)).toEqual([4, 3, 2, 1]);
    // x' = 4 - x - w.
    expect(out.tracked.boxes).toEqual([[3, 0, 1, 1], [0.5, 0, 2, 1]]);
    expect(out.affine).toEqual({ sx: -1, sy: 1, tx: 4, ty: 0 });
  });

  it('leaves the sample as it is when it does not fire, and fires at about rate p', () => {
    const sample = startSample({ width: 2, height: 1, channels: 1, data: Uint8Array.from([1, 2]) });
    expect(horizontalFlip(sample, new Rng(0), 0)).toBe(sample);
    const rng = new Rng(1);
    let flips = 0;
    for (let i = 0; i < 2000; i++) if (horizontalFlip(sample, rng, 0.3) !== sample) flips++;
    expect(Math.abs(flips / 2000 - 0.3)).toBeLessThan(0.04);
  });

  it('keeps a box on its content', () => {
    const box: BoxXYWH = [3, 2, 5, 4];
    const out = horizontalFlip(startSample(withWhiteBox(16, 8, box), [box]), new Rng(0), 1);
    expect(out.tracked.boxes[0]).toEqual(brightBox(out.image));
  });
});

describe('cropSample', () => {
  it('clips boxes to the crop and drops those too small or outside, with their indices', () => {
    const img = withWhiteBox(10, 10, [0, 0, 1, 1]);
    const boxes: BoxXYWH[] = [[0, 0, 3, 3], [3.5, 3.5, 2, 2], [8, 8, 1, 1], [2, 1, 2, 1]];
    const out = cropSample(startSample(img, boxes), { x: 1, y: 1, width: 3, height: 3 }, 0, 1);
    // Box 0 → [-1,-1,3,3] clipped to [0,0,2,2]; box 1 → [2.5,2.5,..] clipped to 0.5 wide: dropped;
    // box 2 lies outside; box 3 → [1,0,2,1] fits.
    expect(out.tracked.boxes).toEqual([[0, 0, 2, 2], [1, 0, 2, 1]]);
    expect(out.tracked.index).toEqual([0, 3]);
    expect(out.affine).toEqual({ sx: 1, sy: 1, tx: -1, ty: -1 });
  });
});

describe('randomResizedCrop', () => {
  it('draws regions inside the image with area and ratio in range (torchvision get_params)', () => {
    const rng = new Rng(4);
    for (let t = 0; t < 300; t++) {
      const r = sampleResizedCropRegion(120, 80, rng, { scale: [0.2, 0.6], ratio: [0.5, 2] });
      expect(r.x >= 0 && r.y >= 0 && r.x + r.width <= 120 && r.y + r.height <= 80).toBe(true);
      // Rounding each side by up to 0.5 px moves area and ratio a little.
      const area = (r.width * r.height) / (120 * 80);
      expect(area).toBeGreaterThan(0.19);
      expect(area).toBeLessThan(0.62);
      expect(r.width / r.height).toBeGreaterThan(0.45);
      expect(r.width / r.height).toBeLessThan(2.2);
    }
  });

  it('falls back to a centred crop with the ratio clamped when no try fits', () => {
    // A 100x20 image cannot hold 2-3 times its area: centre crop of ratio 1 → 20x20 at x = 40.
    expect(sampleResizedCropRegion(100, 20, new Rng(0), { scale: [2, 3], ratio: [1, 1] })).toEqual({ x: 40, y: 0, width: 20, height: 20 });
  });

  it('equals crop then resize of its region, and boxes follow the content', () => {
    const box: BoxXYWH = [20, 16, 24, 24];
    const img = withWhiteBox(64, 64, box);
    const options = { scale: [0.5, 0.9] as [number, number], ratio: [0.75, 1.333] as [number, number] };
    let kept = 0;
    for (let seed = 0; seed < 10; seed++) {
      const region = sampleResizedCropRegion(64, 64, new Rng(seed), options);
      const out = randomResizedCrop(startSample(img, [box]), new Rng(seed), 32, 32, options);
      expect(Array.from(out.image.data)).toEqual(Array.from(resizeBilinear(crop(img, region), 32, 32).data));
      const bright = brightBox(out.image);
      if (out.tracked.boxes.length === 1 && bright) expectBoxClose(out.tracked.boxes[0], bright, 1);
      // The box is dropped exactly when its overlap with the region is empty.
      const overlapW = Math.min(box[0] + box[2], region.x + region.width) - Math.max(box[0], region.x);
      const overlapH = Math.min(box[1] + box[3], region.y + region.height) - Math.max(box[1], region.y);
      expect(out.tracked.boxes.length).toBe(overlapW > 0 && overlapH > 0 ? 1 : 0);
      kept += out.tracked.boxes.length;
    }
    expect(kept).toBeGreaterThan(0);
  });
});

describe('cutout', () => {
  const white = (): RawImage => ({ width: 20, height: 10, channels: 3, data: new Uint8Array(20 * 10 * 3).fill(255) });

  it('fills one clipped round(size*W) x round(size*H) rectangle per hole', () => {
    for (let seed = 0; seed < 30; seed++) {
      const img = white();
      const out = cutout(startSample(img, [[1, 1, 2, 2]]), new Rng(seed), { holes: 1, size: 0.3, fill: 0 });
      const zeros = { ...out.image, data: out.image.data.map((v) => 255 - v) };
      const hole = brightBox(zeros)!;
      const count = out.image.data.filter((v) => v === 0).length / 3;
      expect(count).toBe(hole[2] * hole[3]); // one solid rectangle
      // 6 x 3 pixels unless clipped by a border.
      expect(hole[2] === 6 || hole[0] === 0 || hole[0] + hole[2] === 20).toBe(true);
      expect(hole[3] === 3 || hole[1] === 0 || hole[1] + hole[3] === 10).toBe(true);
      expect(hole[2] <= 6 && hole[3] <= 3).toBe(true);
      expect(out.tracked.boxes).toEqual([[1, 1, 2, 2]]);
      expect(img.data.every((v) => v === 255)).toBe(true); // the input is not modified
    }
  });

  it('fills at most holes x hole area, zero holes change nothing, and random fills use one colour per hole', () => {
    const rng = new Rng(9);
    for (let t = 0; t < 20; t++) {
      const out = cutout(startSample(white()), rng, { holes: 3, size: 0.2, fill: [1, 2, 3] });
      const filled = out.image.data.filter((v, i) => v === [1, 2, 3][i % 3]).length / 3;
      expect(filled).toBeGreaterThan(0);
      expect(filled).toBeLessThanOrEqual(3 * 4 * 2);
    }
    expect(cutout(startSample(white()), rng, { holes: 0, size: 0.5, fill: 0 }).image.data.every((v) => v === 255)).toBe(true);
    const out = cutout(startSample(white()), new Rng(3), { holes: 1, size: 0.5, fill: 'random' });
    const colours = new Set<string>();
    for (let p = 0; p < 200; p++) colours.add(Array.from(out.image.data.subarray(p * 3, p * 3 + 3)).join());
    expect(colours.size).toBeLessThanOrEqual(2);
  });

  it('rejects a bad size', () => {
    expect(() => cutout(startSample(white()), new Rng(0), { holes: 1, size: 0, fill: 0 })).toThrow(/cutout size/);
  });
});

describe('scaleJitter', () => {
  it('at factor 1 fits inside keeping the aspect and pads at a random offset', () => {
    // 50x100 into 64x64: scale 0.64 → 32x64, horizontal slack 32.
    const img: RawImage = { width: 50, height: 100, channels: 3, data: new Uint8Array(50 * 100 * 3).fill(200) };
    const offsets = new Set<number>();
    for (let seed = 0; seed < 20; seed++) {
      const out = scaleJitter(startSample(img, [[0, 0, 50, 100]]), new Rng(seed), 64, 64, { scale: [1, 1], fill: 0 });
      const content = brightBox(out.image)!;
      expect([content[1], content[2], content[3]]).toEqual([0, 32, 64]);
      expect(out.tracked.boxes).toEqual([content]);
      expect(out.affine).toEqual({ sx: 0.64, sy: 0.64, tx: content[0], ty: 0 });
      offsets.add(content[0]);
    }
    expect(offsets.size).toBeGreaterThan(5);
  });

  it('at larger factors crops and keeps boxes on their content or drops them', () => {
    const box: BoxXYWH = [5, 5, 10, 10];
    const img = withWhiteBox(50, 100, box);
    let kept = 0;
    for (let seed = 0; seed < 20; seed++) {
      const out = scaleJitter(startSample(img, [box]), new Rng(seed), 64, 64, { scale: [2, 3], fill: 0, minBoxSide: 2 });
      const bright = brightBox(out.image);
      kept += out.tracked.boxes.length;
      if (out.tracked.boxes.length === 1) expectBoxClose(out.tracked.boxes[0], bright!, 1);
      else expect(bright === undefined || bright[2] < 3 || bright[3] < 3).toBe(true);
    }
    expect(kept > 0 && kept < 20).toBe(true); // both cases were met
  });
});
