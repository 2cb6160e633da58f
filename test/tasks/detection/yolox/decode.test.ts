import { locationGrid } from '../../../../src/tasks/detection/locations';
import { detectImage } from '../../../../src/tasks/detection/postprocess';
import { decodePredictions, YOLOX_DECODER, yoloxCorners } from '../../../../src/tasks/detection/heads/yolox/decode';
import { cornerIou } from '../../../../src/tasks/detection/nms';

const logit = (p: number) => Math.log(p / (1 - p));

describe('yolox decoding', () => {
  it('decodes (offset + location)·stride centres and exp(size)·stride sizes', () => {
    const out = new Float32Array(4);
    // Location (12, 20) at stride 8: centre (12 + 0.5·8, 20 − 0.25·8) = (16, 18), size (e^0·8, e^ln2·8) = (8, 16).
    yoloxCorners([0.5, -0.25, 0, Math.log(2)], 0, 12, 20, 8, out, 0);
    expect(Array.from(out)).toEqual([12, 10, 20, 26]);
    // Huge log sizes are capped (exp(8)·stride), never Infinity.
    yoloxCorners([0, 0, 100, 100], 0, 0, 0, 1, out, 0);
    expect(out[2]).toBeCloseTo(Math.exp(8) / 2, 0);
  });

  it('IoU of corner boxes: overlap, touching, disjoint', () => {
    expect(cornerIou([0, 0, 4, 4], 0, [2, 2, 6, 6], 0)).toBeCloseTo(4 / 28, 12);
    expect(cornerIou([0, 0, 4, 4], 0, [0, 0, 4, 4], 0)).toBe(1);
    expect(cornerIou([0, 0, 4, 4], 0, [4, 0, 8, 4], 0)).toBe(0);
    expect(cornerIou([9, 9, 0, 0, 4, 4], 2, [10, 10, 20, 20], 0)).toBe(0);
  });

  it('scores σ(obj)·σ(cls) and boxes per row; detectImage keeps the threshold and NMS of the options', () => {
    const grid = locationGrid(16, 16, [8, 16], [1000]);
    expect(grid.count).toBe(5);
    const C = 2;
    const rows = new Float32Array(grid.count * (C + 5)).fill(-20); // everything improbable, tiny boxes
    const put = (k: number, cls: number[], box: number[], obj: number) => rows.set([...cls, ...box, obj], k * (C + 5));
    put(0, [logit(0.8), logit(0.1)], [0, 0, 0, 0], logit(0.5)); // (4, 4), 8x8 box: class 0 at 0.4
    put(1, [logit(0.6), logit(0.1)], [-0.875, 0, 0, 0], logit(0.5)); // centre (12 − 7, 4), [1, 0, 9, 8]: class 0 at 0.3, IoU with k=0 56/72 = 0.78
    put(4, [logit(0.2), logit(0.9)], [0, 0, 0, 0], logit(0.9)); // (8, 8) at stride 16, 16x16: class 1 at 0.81
    const scores = new Float64Array(C);
    YOLOX_DECODER.scores(rows, 0, C, scores);
    expect(scores[0]).toBeCloseTo(0.4, 6);
    expect(scores[1]).toBeCloseTo(0.05, 6);
    const decoded = decodePredictions(rows, 0, grid, C);
    expect(Array.from(decoded.boxes.subarray(16, 20))).toEqual([0, 0, 16, 16]);
    expect(decoded.probabilities[4 * C + 1]).toBeCloseTo(0.81, 6);

    const geometry = { affine: { sx: 1, sy: 1, tx: 0, ty: 0 }, originalWidth: 16, originalHeight: 16 };
    const options = { scoreThreshold: 0.04, topKPerLevel: 1000, nmsThreshold: 0.65, maxDetections: 100 };
    const found = detectImage(rows, 0, grid, C, geometry, options, YOLOX_DECODER, 5);
    // Within each class, k=1 is suppressed by k=0 (IoU 0.78 > 0.65); the 16x16 box of k=4 overlaps them by 0.25 only.
    expect(found.map((d) => [d.label, Number(d.score.toFixed(4))])).toEqual([[1, 0.81], [0, 0.4], [0, 0.18], [1, 0.05]]);
    expect(found[0].box).toEqual([0, 0, 16, 16]);
  });
});
