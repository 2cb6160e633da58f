import { limitRecords } from '../../../src/tasks/common/loaders';

describe('limitRecords', () => {
  it('keeps everything for 0 or a bound above the size', () => {
    const r = [1, 2, 3];
    expect(limitRecords(r, 0)).toBe(r);
    expect(limitRecords(r, 5)).toBe(r);
  });

  it('spreads the kept records evenly, so class-sorted lists keep every class', () => {
    const byClass = Array.from({ length: 100 }, (_, i) => ({ label: Math.floor(i / 10) }));
    const kept = limitRecords(byClass, 20);
    expect(kept).toHaveLength(20);
    expect(new Set(kept.map((r) => r.label)).size).toBe(10);
    expect(limitRecords([0, 1, 2, 3, 4, 5], 3)).toEqual([0, 2, 4]);
  });
});
