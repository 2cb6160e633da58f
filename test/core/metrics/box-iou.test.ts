import { bboxIou } from '../../../src/core/metrics/box-iou';

describe('bboxIou', () => {
  it('gives intersection over union, laid out [D, G]', () => {
    const iou = bboxIou(
      [
        [12, 12, 20, 20],
        [50, 50, 30, 25],
      ],
      [
        [10, 10, 20, 20],
        [50, 50, 30, 30],
      ],
      [false, false],
    );
    expect(Array.from(iou)).toEqual([(18 * 18) / (400 + 400 - 18 * 18), 0, 0, (30 * 25) / (750 + 900 - 750)]);
  });

  it('divides by the detection area for a crowd ground truth', () => {
    const iou = bboxIou([[12, 12, 20, 20]], [[10, 10, 20, 20]], [true]);
    expect(iou[0]).toBe((18 * 18) / 400);
    expect(bboxIou([[20, 20, 5, 5]], [[0, 0, 100, 100]], [true])[0]).toBe(1);
  });

  it('scores touching, disjoint and zero-size boxes 0', () => {
    const gts = [[0, 0, 10, 10]];
    expect(bboxIou([[10, 0, 5, 5]], gts, [false])[0]).toBe(0);
    expect(bboxIou([[20, 20, 5, 5]], gts, [false])[0]).toBe(0);
    expect(bboxIou([[2, 2, 0, 5]], gts, [true])[0]).toBe(0);
  });

  it('handles empty lists', () => {
    expect(bboxIou([], [[0, 0, 1, 1]], [false])).toHaveLength(0);
    expect(bboxIou([[0, 0, 1, 1]], [], [])).toHaveLength(0);
  });
});
