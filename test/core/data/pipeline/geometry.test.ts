import { composeAffine, invertAffine, mapBox } from '../../../../src/core/data/pipeline/geometry';

describe('affine box geometry', () => {
  it('composes in order: first, then second', () => {
    // x → 2x + 1, then x → -x + 10: x → -2x + 9.
    expect(composeAffine({ sx: 2, sy: 3, tx: 1, ty: 0 }, { sx: -1, sy: 1, tx: 10, ty: 5 })).toEqual({ sx: -2, sy: 3, tx: 9, ty: 5 });
  });

  it('inverts so that a box maps back to itself', () => {
    const a = { sx: -2, sy: 0.5, tx: 9, ty: 4 };
    const box: [number, number, number, number] = [1, 2, 3, 4];
    const there = mapBox(box, a);
    // x: [1, 4] → [-2*4 + 9, -2*1 + 9] = [1, 7]; y: [2, 6] → [5, 7].
    expect(there).toEqual([1, 5, 6, 2]);
    expect(mapBox(there, invertAffine(a))).toEqual(box);
    expect(() => invertAffine({ sx: 0, sy: 1, tx: 0, ty: 0 })).toThrow(/singular/);
  });
});
