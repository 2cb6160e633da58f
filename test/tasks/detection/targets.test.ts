import { locationGrid } from '../../../src/tasks/detection/locations';
import { assignTargets, IGNORED, NEGATIVE } from '../../../src/tasks/detection/targets';
import { packTargets } from '../../../src/tasks/detection/heads/fcos/loss';
import type { BoxXYWH } from '../../../src/core/data/records';

/**
 * A 32x32 input, strides 8 and 16: level 0 is 4x4 locations at 4, 12, 20, 28 (indices 0..15,
 * row-major), level 1 is 2x2 locations at 8, 24 (indices 16..19). Expected values below are
 * worked out by hand from the FCOS rules.
 */
const grid = (bounds: number[]) => locationGrid(32, 32, [8, 16], bounds);
const assign = (bounds: number[], boxes: BoxXYWH[], labels: number[], ignore: boolean[], radius = 1.5) =>
  assignTargets(grid(bounds), { boxes, labels, ignore }, radius);
const positives = (labels: Int32Array) => [...labels].map((l, i) => (l >= 0 ? i : -1)).filter((i) => i >= 0);

describe('locationGrid', () => {
  it('places cell centres level by level, row-major', () => {
    const g = grid([12]);
    expect(g.count).toBe(20);
    expect([...g.x.slice(0, 5)]).toEqual([4, 12, 20, 28, 4]);
    expect([...g.y.slice(0, 5)]).toEqual([4, 4, 4, 4, 12]);
    expect([...g.x.slice(16)]).toEqual([8, 24, 8, 24]);
    expect([...g.y.slice(16)]).toEqual([8, 8, 24, 24]);
    expect([...g.stride.slice(15, 17)]).toEqual([8, 16]);
    expect(g.levels.map((l) => [l.minSize, l.maxSize])).toEqual([[0, 12], [12, Infinity]]);
  });
});

describe('assignTargets', () => {
  it('a small box: the four level-0 locations inside it, with ltrb / stride and centerness', () => {
    // Box x 1..15, y 1..15: level-0 locations (4|12, 4|12) inside with largest distance 11 <= 12;
    // the level-1 location (8, 8) reaches only 7 < 12.
    const t = assign([12], [[1, 1, 14, 14]], [3], [false]);
    expect(positives(t.labels)).toEqual([0, 1, 4, 5]);
    expect(t.labels[0]).toBe(3);
    expect(t.numPositives).toBe(4);
    expect([...t.ltrb.slice(0, 4)]).toEqual([3 / 8, 3 / 8, 11 / 8, 11 / 8].map(Math.fround));
    expect([...t.ltrb.slice(20, 24)]).toEqual([11 / 8, 11 / 8, 3 / 8, 3 / 8].map(Math.fround));
    expect(t.centerness[0]).toBeCloseTo(3 / 11, 6);
    expect(t.centerness[2]).toBe(0);
    expect(t.labels[2]).toBe(NEGATIVE);
  });

  it('the level range decides the level, and the smaller box wins a shared location', () => {
    // B = whole image (label 1, area 1024), C = left half (label 2, area 512). Level 0: the centre
    // region of B (radius 12 px) holds 12 and 20, whose reach 20 > 12; C likewise. Level 1: all
    // four inside B with reach 24; the left two are inside C too, which is smaller.
    const t = assign([12], [[0, 0, 32, 32], [0, 0, 16, 32]], [1, 2], [false, false]);
    expect(positives(t.labels)).toEqual([16, 17, 18, 19]);
    expect([...t.labels.slice(16)]).toEqual([2, 1, 2, 1]);
    expect([...t.ltrb.slice(64, 68)]).toEqual([0.5, 0.5, 0.5, 1.5]);
    expect(t.centerness[16]).toBeCloseTo(Math.sqrt(1 / 3), 6);
    expect([...t.ltrb.slice(68, 72)]).toEqual([1.5, 0.5, 0.5, 1.5]);
    expect(t.centerness[17]).toBeCloseTo(1 / 3, 6);
  });

  it('center sampling keeps locations strictly within radius x stride of the centre', () => {
    // Whole-image box, level 0 takes any reach (bound 100): the radius alone picks the locations.
    const box: BoxXYWH[] = [[0, 0, 32, 32]];
    expect(positives(assign([100], box, [0], [false], 0).labels)).toEqual(Array.from({ length: 16 }, (_, i) => i));
    expect(positives(assign([100], box, [0], [false], 1).labels)).toEqual([5, 6, 9, 10]);
    // radius 1.5 → |x - 16| < 12: 4 and 28 lie exactly on the border and stay out.
    expect(positives(assign([100], box, [0], [false], 1.5).labels)).toEqual([5, 6, 9, 10]);
    expect(positives(assign([100], box, [0], [false], 1.6).labels)).toHaveLength(16);
  });

  it('locations inside an ignored box are IGNORED unless a regular box claims them', () => {
    const t = assign([12], [[0, 0, 32, 32], [0, 0, 16, 32]], [1, 2], [true, false]);
    expect([...t.labels.slice(0, 16)].every((l) => l === IGNORED)).toBe(true);
    expect([...t.labels.slice(16)]).toEqual([2, IGNORED, 2, IGNORED]);
    expect(t.numPositives).toBe(2);
    const small = assign([12], [[1, 1, 14, 14]], [0], [true]);
    expect([0, 1, 4, 5, 16].every((k) => small.labels[k] === IGNORED)).toBe(true);
    expect([...small.labels].filter((l) => l === NEGATIVE)).toHaveLength(15);
    expect(small.numPositives).toBe(0);
  });

  it('rejects mismatched labels', () => {
    expect(() => assign([12], [[0, 0, 4, 4]], [], [false])).toThrow(/1 boxes but 0 labels/);
  });
});

describe('packTargets', () => {
  it('one-hot classes, zero class weight on ignored locations, positives counted over the batch', () => {
    const a = assign([12], [[0, 0, 32, 32], [0, 0, 16, 32]], [1, 2], [true, false]);
    const b = assign([12], [[1, 1, 14, 14]], [3], [false]);
    const p = packTargets([a, b], 4);
    expect(p.numPositives).toBe(6);
    expect([...p.classes.slice(16 * 4, 17 * 4)]).toEqual([0, 0, 1, 0]);
    expect(p.classWeights[0]).toBe(0);
    expect(p.classWeights[17]).toBe(0);
    expect(p.classWeights[20]).toBe(1);
    expect([...p.classes.slice(20 * 4, 21 * 4)]).toEqual([0, 0, 0, 1]);
    expect(p.positive[20]).toBe(1);
    expect(p.positive[22]).toBe(0);
    expect(() => packTargets([b], 3)).toThrow(/class 3/);
  });
});
