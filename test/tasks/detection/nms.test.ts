import { classwiseNms } from '../../../src/tasks/detection/nms';
import { seededValues } from '../../backbones/helpers';

/** Brute force: per class, repeatedly take the best remaining box and drop all with IoU > t; then merge by score. */
function nmsOracle(boxes: number[][], scores: number[], labels: number[], t: number, maxKept: number): number[] {
  const iou = (a: number[], b: number[]) => {
    const iw = Math.max(0, Math.min(a[2], b[2]) - Math.max(a[0], b[0]));
    const ih = Math.max(0, Math.min(a[3], b[3]) - Math.max(a[1], b[1]));
    const inter = iw * ih;
    return inter / ((a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter);
  };
  const kept: number[] = [];
  for (const c of new Set(labels)) {
    let rest = labels.map((l, i) => (l === c ? i : -1)).filter((i) => i >= 0);
    while (rest.length > 0) {
      const best = rest.reduce((a, b) => (scores[b] > scores[a] || (scores[b] === scores[a] && b < a) ? b : a));
      kept.push(best);
      rest = rest.filter((i) => i !== best && !(iou(boxes[i], boxes[best]) > t));
    }
  }
  return kept.sort((a, b) => scores[b] - scores[a] || a - b).slice(0, maxKept);
}

describe('classwiseNms', () => {
  it('agrees with a brute-force per-class oracle on random clustered boxes', () => {
    for (let seed = 1; seed <= 20; seed++) {
      const n = 60;
      const v = seededValues(n * 5, seed, 0.5, 0.5);
      const boxes = Array.from({ length: n }, (_, i) => {
        // Few cluster centres so that boxes overlap a lot.
        const cx = 20 * Math.floor(v[5 * i] * 4) + 5 * v[5 * i + 1];
        const cy = 20 * Math.floor(v[5 * i + 2] * 3) + 5 * v[5 * i + 3];
        const s = 8 + 6 * v[5 * i + 4];
        return [cx, cy, cx + s, cy + s * 0.8];
      });
      const scores = seededValues(n, seed + 100, 0.5, 0.5).map((s) => Math.round(s * 50) / 50); // ties included
      const labels = seededValues(n, seed + 200, 0.5, 0.5).map((u) => Math.floor(u * 3));
      const flat = new Float32Array(boxes.flat());
      const f32 = boxes.map((b) => b.map(Math.fround));
      for (const [t, max] of [[0.6, Infinity], [0.3, 10], [0, 100]] as const) {
        expect(classwiseNms(flat, scores, labels, t, max)).toEqual(nmsOracle(f32, scores, labels, t, max));
      }
    }
  });

  it('suppresses only above the threshold (IoU equal to it survives) and never across classes', () => {
    // Boxes 0 and 1 (class 0) overlap with IoU exactly 1/3 (intersection 1, union 3); box 2 is class 1.
    const boxes = new Float32Array([0, 0, 2, 1, 1, 0, 3, 1, 0, 0, 2, 1]);
    expect(classwiseNms(boxes, [0.9, 0.8, 0.7], [0, 0, 1], 1 / 3)).toEqual([0, 1, 2]);
    expect(classwiseNms(boxes, [0.9, 0.8, 0.7], [0, 0, 1], 0.3)).toEqual([0, 2]);
    expect(() => classwiseNms(boxes, [1], [0], 0.5)).toThrow(/1 scores need 4 box values/);
  });
});
