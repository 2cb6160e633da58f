import type { BoxXYWH } from '../../../../src/core/data/records';
import { locationGrid, type LocationGrid } from '../../../../src/tasks/detection/locations';
import { CenterPriorAssigner } from '../../../../src/tasks/detection/heads/yolox/assigner';
import { SimOtaAssigner } from '../../../../src/tasks/detection/heads/yolox/simota';
import type { DecodedPredictions } from '../../../../src/tasks/detection/heads/yolox/decode';

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = Math.imul(s ^ (s >>> 15), 1 | s);
    t ^= t + Math.imul(t ^ (t >>> 7), 61 | t);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Overlap of [a1, a2] and [b1, b2], never negative. */
const overlap = (a1: number, a2: number, b1: number, b2: number) => Math.max(0, Math.min(a2, b2) - Math.max(a1, b1));

/**
 * SimOTA by brute force over every (box, location) pair, straight from the YOLOX description:
 * explicit per-class BCE cost, sorting whole lists, conflicts resolved by a scan over all boxes.
 */
function simotaOracle(grid: LocationGrid, boxes: BoxXYWH[], labels: number[], C: number, pred: DecodedPredictions): number[] {
  const L = grid.count;
  const inBox = (g: number, k: number) => {
    const [x, y, w, h] = boxes[g];
    return grid.x[k] > x && grid.x[k] < x + w && grid.y[k] > y && grid.y[k] < y + h;
  };
  const inCentre = (g: number, k: number) => {
    const [x, y, w, h] = boxes[g];
    return Math.abs(grid.x[k] - (x + w / 2)) < 2.5 * grid.stride[k] && Math.abs(grid.y[k] - (y + h / 2)) < 2.5 * grid.stride[k];
  };
  const candidates = Array.from({ length: L }, (_, k) => k).filter((k) => boxes.some((_, g) => inBox(g, k) || inCentre(g, k)));
  const iou = (g: number, k: number) => {
    const [x, y, w, h] = boxes[g];
    const [px1, py1, px2, py2] = Array.from(pred.boxes.subarray(4 * k, 4 * k + 4));
    const inter = overlap(x, x + w, px1, px2) * overlap(y, y + h, py1, py2);
    return inter === 0 ? 0 : inter / (w * h + (px2 - px1) * (py2 - py1) - inter);
  };
  const bce = (p: number, y: number) => -(y === 1 ? Math.max(Math.log(p), -100) : Math.max(Math.log(1 - p), -100));
  const cost = (g: number, k: number) => {
    let cls = 0;
    for (let c = 0; c < C; c++) cls += bce(Math.sqrt(pred.probabilities[k * C + c]), c === labels[g] ? 1 : 0);
    return cls + 3 * -Math.log(iou(g, k) + 1e-8) + (inBox(g, k) && inCentre(g, k) ? 0 : 1e5);
  };
  const chosenBy = new Map<number, number[]>();
  boxes.forEach((_, g) => {
    const ious = candidates.map((k) => iou(g, k)).sort((a, b) => b - a).slice(0, 10);
    const k = Math.max(1, Math.floor(ious.reduce((s, v) => s + v, 0)));
    const byCost = [...candidates].sort((a, b) => cost(g, a) - cost(g, b) || a - b).slice(0, k);
    for (const loc of byCost) chosenBy.set(loc, [...(chosenBy.get(loc) ?? []), g]);
  });
  return Array.from({ length: L }, (_, k) => {
    const gs = chosenBy.get(k);
    if (!gs) return -1;
    if (gs.length === 1) return gs[0];
    return boxes.map((_, g) => g).reduce((best, g) => (cost(g, k) < cost(best, k) ? g : best), 0);
  });
}

function randomCase(seed: number, grid: LocationGrid, C: number) {
  const r = rng(seed);
  const G = 1 + Math.floor(r() * 4);
  const size = grid.imageWidth;
  const boxes: BoxXYWH[] = Array.from({ length: G }, () => {
    const w = 4 + r() * (size / 2);
    const h = 4 + r() * (size / 2);
    return [r() * (size - w), r() * (size - h), w, h];
  });
  const labels = boxes.map(() => Math.floor(r() * C));
  const L = grid.count;
  const pred: DecodedPredictions = { boxes: new Float32Array(4 * L), probabilities: new Float32Array(L * C) };
  for (let k = 0; k < L; k++) {
    // Boxes around the location, a third of them near a ground-truth box (so IoUs spread over (0, 1]).
    const [bx, by, bw, bh] = r() < 0.3 ? boxes[Math.floor(r() * G)] : [grid.x[k] - 8, grid.y[k] - 8, 16, 16];
    const jitter = () => (r() - 0.5) * 6;
    pred.boxes.set([bx + jitter(), by + jitter(), bx + bw + jitter(), by + bh + jitter()], 4 * k);
    for (let c = 0; c < C; c++) pred.probabilities[k * C + c] = r() * r();
  }
  return { boxes, labels, pred };
}

describe('SimOTA assigner', () => {
  const grid = locationGrid(64, 64, [8, 16, 32], [24, 48]);

  it('with perfect predictions takes dynamic k = 10 locations, the earliest of those in both the box and its centre region', () => {
    const L = grid.count;
    const pred: DecodedPredictions = { boxes: new Float32Array(4 * L), probabilities: new Float32Array(L * 3).fill(0.5) };
    for (let k = 0; k < L; k++) pred.boxes.set([20, 20, 60, 60], 4 * k);
    const assigned = new SimOtaAssigner().assign({ grid, boxes: [[20, 20, 40, 40]], labels: [1], numClasses: 3, predictions: pred });
    const fg = Array.from(assigned).flatMap((g, k) => (g === 0 ? [k] : []));
    // Stride 8, cell centres 28..52 lie in (20, 60) and within 20 px of the centre 40: rows/cols 3..6; row-major, first 10.
    expect(fg).toEqual([27, 28, 29, 30, 35, 36, 37, 38, 43, 44]);
    expect(Array.from(assigned).filter((g) => g !== 0).every((g) => g === -1)).toBe(true);
  });

  it('assigns nothing without boxes', () => {
    const pred: DecodedPredictions = { boxes: new Float32Array(4 * grid.count), probabilities: new Float32Array(grid.count) };
    expect(Array.from(new SimOtaAssigner().assign({ grid, boxes: [], labels: [], numClasses: 1, predictions: pred })).every((g) => g === -1)).toBe(true);
  });

  it.each([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12])('agrees with the brute-force oracle on random case %i', (seed) => {
    const C = 3;
    const { boxes, labels, pred } = randomCase(seed, grid, C);
    const assigned = new SimOtaAssigner().assign({ grid, boxes, labels, numClasses: C, predictions: pred });
    expect(Array.from(assigned)).toEqual(simotaOracle(grid, boxes, labels, C, pred));
  });

  it('resolves a location two boxes both take to the box of lower cost', () => {
    // Two same-class boxes sharing their centre region; location k predicts box A (0) exactly, the others predict nothing near.
    const boxes: BoxXYWH[] = [[16, 16, 24, 24], [20, 20, 24, 24]];
    const L = grid.count;
    const pred: DecodedPredictions = { boxes: new Float32Array(4 * L), probabilities: new Float32Array(L).fill(0.3) };
    for (let k = 0; k < L; k++) pred.boxes.set([0, 0, 1, 1], 4 * k); // IoU 0 with both
    const k = 3 * 8 + 3; // (28, 28): inside both boxes and both centre regions
    pred.boxes.set([16, 16, 40, 40], 4 * k); // IoU 1 with A, 0.53 with B: both have dynamic k = 1 and take k
    const assigned = new SimOtaAssigner().assign({ grid, boxes, labels: [0, 0], numClasses: 1, predictions: pred });
    expect(Array.from(assigned).flatMap((g, loc) => (g >= 0 ? [[loc, g]] : []))).toEqual([[k, 0]]);
    expect(Array.from(assigned)).toEqual(simotaOracle(grid, boxes, [0, 0], 1, pred));
  });
});

describe('center-prior assigner', () => {
  it('takes the locations inside the box within 1.5 strides of its centre, on the level of its size; the smaller box wins', () => {
    const grid = locationGrid(64, 64, [8, 16, 32], [24, 48]);
    const none: DecodedPredictions = { boxes: new Float32Array(0), probabilities: new Float32Array(0) };
    // Box 0: [16, 46]², centre 31; box 1: [32, 40]², centre 36, inside box 0.
    const boxes: BoxXYWH[] = [[16, 16, 30, 30], [32, 32, 8, 8]];
    const assigned = new CenterPriorAssigner(1.5).assign({ grid, boxes, labels: [4, 7], numClasses: 10, predictions: none });
    const expected = new Array(grid.count).fill(-1);
    // Oracle by hand. Stride 8 (reach ≤ 24): centres 20, 28, 36 lie within 12 px of 31, but at 20 the
    // reach max(x − 16, 46 − x) is 26; so (28 | 36)²; at (36, 36) the smaller box 1 wins.
    for (const [x, y] of [[28, 28], [36, 28], [28, 36]]) expected[((y - 4) / 8) * 8 + (x - 4) / 8] = 0;
    expected[4 * 8 + 4] = 1;
    // Stride 16 (reach in [24, 48]): centres 24, 40 within 24 px; reach at (24, 24) is 22, elsewhere 24 (inclusive).
    for (const [x, y] of [[40, 24], [24, 40], [40, 40]]) expected[64 + ((y - 8) / 16) * 4 + (x - 8) / 16] = 0;
    expect(Array.from(assigned)).toEqual(expected);
  });
});
