import { BOX_TOLERANCE_PX, checkBox } from '../../../../src/core/data/formats/box-check';

describe('checkBox', () => {
  it('accepts boxes inside the image unchanged', () => {
    expect(checkBox([0, 0, 10, 5], 10, 5)).toEqual({ box: [0, 0, 10, 5] });
    expect(checkBox([2.5, 1.25, 0.5, 0.5], 10, 5)).toEqual({ box: [2.5, 1.25, 0.5, 0.5] });
  });

  it('clips boxes reaching out by at most the tolerance, rejects farther ones', () => {
    expect(BOX_TOLERANCE_PX).toBe(1);
    expect(checkBox([-1, -0.5, 12, 6], 10, 5)).toEqual({ box: [0, 0, 10, 5] });
    expect(checkBox([9, 4, 2, 2], 10, 5)).toEqual({ box: [9, 4, 1, 1] });
    expect(checkBox([-1.01, 0, 5, 5], 10, 5)).toEqual({ problem: 'box [-1.01, 0, 5, 5] lies outside the 10x5 image' });
    expect(checkBox([5, 0, 6.5, 5], 10, 5)).toEqual({ problem: 'box [5, 0, 6.5, 5] lies outside the 10x5 image' });
    // Entirely in the margin: nothing left after clipping.
    expect(checkBox([10.2, 0, 0.5, 1], 10, 5)).toEqual({ problem: 'box [10.2, 0, 0.5, 1] has zero size inside the 10x5 image' });
  });

  it('rejects malformed and empty boxes', () => {
    expect(checkBox([1, 2, NaN, 3], 10, 5)).toEqual({ problem: 'bbox must be 4 finite numbers [x, y, width, height], got [1, 2, NaN, 3]' });
    expect(checkBox({ x: 1 }, 10, 5)).toEqual({ problem: 'bbox must be 4 finite numbers [x, y, width, height], got {"x":1}' });
    expect(checkBox([1, 1, 3, 0], 10, 5)).toEqual({ problem: 'negative or zero-size box [1, 1, 3, 0]' });
  });
});
