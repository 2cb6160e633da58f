import { decodeBox, encodeBox } from '../../../src/tasks/detection/box-coding';
import { locationGrid } from '../../../src/tasks/detection/locations';
import { detectImage } from '../../../src/tasks/detection/postprocess';
import { SHARED_DEFAULTS } from '../../../src/tasks/detection/options';
import { FCOS_DECODER } from '../../../src/tasks/detection/heads/fcos';
import { seededValues } from '../../backbones/helpers';

describe('box coding', () => {
  it('decode then encode gives back exp(log-distances) for random locations and strides', () => {
    const logs = seededValues(200, 3, 1.5);
    const corners = new Float32Array(4);
    const ltrb = new Float32Array(4);
    for (let i = 0; i < 50; i++) {
      const [x, y, stride] = [13 + i, 40 - i / 2, [8, 16, 32][i % 3]];
      decodeBox(logs, 4 * i, x, y, stride, corners, 0);
      encodeBox(corners[0], corners[1], corners[2], corners[3], x, y, stride, ltrb, 0);
      for (let k = 0; k < 4; k++) expect(ltrb[k]).toBeCloseTo(Math.exp(logs[4 * i + k]), 4);
    }
  });
});

describe('detectImage', () => {
  // 32x32 input, strides 8 and 16: 20 locations; 2 classes → 7 columns per row.
  const grid = locationGrid(32, 32, [8, 16], [12]);
  const C = 2;
  const logit = (p: number) => Math.log(p / (1 - p));
  const rows = () => {
    const r = new Float32Array(grid.count * (C + 5)).fill(-20); // all scores ~0
    for (let k = 0; k < grid.count; k++) r.fill(0, k * 7 + C, k * 7 + C + 4); // log-distance 0: 1 stride
    return r;
  };
  const set = (r: Float32Array, k: number, cls: number, p: number, ctr: number, logLtrb = [0, 0, 0, 0]) => {
    r[k * 7 + cls] = logit(p);
    r.set(logLtrb, k * 7 + C);
    r[k * 7 + C + 4] = logit(ctr);
  };
  // The input was the original 64x48 image scaled by 0.5 x 2/3 (stretch).
  const geometry = { affine: { sx: 0.5, sy: 2 / 3, tx: 0, ty: 0 }, originalWidth: 64, originalHeight: 48 };

  it('scores sqrt(cls x centerness), maps boxes back to original pixels, clips, and applies class-wise NMS', () => {
    const r = rows();
    set(r, 5, 1, 0.81, 0.64); // location (12, 12), stride 8: box 4..20 → original x 8..40, y 6..30; score 0.72
    set(r, 6, 1, 0.64, 0.64); // (20, 12): box 12..28 → overlaps the first by IoU 1/3 < 0.6, kept; score 0.64
    set(r, 9, 1, 0.25, 0.25); // (12, 20): box 4..20 x 12..28 → IoU with the first 1/3 → kept; score 0.25
    set(r, 16, 1, 0.5, 0.5, [0, 0, 0, 0]); // (8, 8) stride 16: box -8..24 → clipped to 0..48 x 0..36; score 0.5
    set(r, 0, 0, 0.0016, 1); // score 0.04 < 0.05: dropped
    const dets = detectImage(r, 0, grid, C, geometry, SHARED_DEFAULTS, FCOS_DECODER, 5);
    expect(dets.map((d) => d.label)).toEqual([1, 1, 1, 1]);
    expect(dets.map((d) => d.score)).toEqual([0.72, 0.64, 0.5, 0.25].map((s) => expect.closeTo(s, 5)));
    const close = (box: number[], want: number[]) => box.forEach((v, i) => expect(v).toBeCloseTo(want[i], 3));
    close(dets[0].box, [8, 6, 32, 24]);
    close(dets[1].box, [24, 6, 32, 24]);
    close(dets[2].box, [0, 0, 48, 36]);
    close(dets[3].box, [8, 18, 32, 24]);
  });

  it('suppresses an overlapping box of the same class but not of another class; caps the count', () => {
    const r = rows();
    set(r, 5, 0, 0.9, 0.9); // (12, 12) ± 8: box 4..20 x 4..20
    set(r, 5, 1, 0.8, 0.9); // same box, other class: kept
    set(r, 6, 0, 0.7, 0.7, [Math.log(2), 0, Math.log(0.01), 0]); // (20, 12): box 4..20.08 x 4..20, IoU 0.995 with the first
    const dets = detectImage(r, 0, grid, C, geometry, SHARED_DEFAULTS, FCOS_DECODER, 5);
    expect(dets.map((d) => [d.label, Math.round(d.score * 100)])).toEqual([[0, 90], [1, 85]]);
    expect(detectImage(r, 0, grid, C, geometry, { ...SHARED_DEFAULTS, maxDetections: 1 }, FCOS_DECODER, 5)).toHaveLength(1);
    // The second image of a batch is read from its offset.
    const two = new Float32Array(r.length * 2).fill(-20);
    two.set(r, r.length);
    expect(detectImage(two, r.length, grid, C, geometry, SHARED_DEFAULTS, FCOS_DECODER, 5)).toHaveLength(2);
  });
});
