import { scaleWidth } from '../../src/backbones/backbone';

/** timm's make_divisible(v, 8), written out independently: round half up, floor 8, at most 10% below v. */
function makeDivisible(v: number): number {
  const rounded = Math.max(8, Math.floor((v + 4) / 8) * 8);
  return rounded < 0.9 * v ? rounded + 8 : rounded;
}

describe('scaleWidth', () => {
  it.each([
    [24, 0.5],
    [24, 1],
    [96, 0.25],
    [10, 1],
    [16, 0.1],
    [32, 1.3],
    [160, 0.35],
    [44, 1],
  ])('scales %i by %f like make_divisible', (width, multiplier) => {
    expect(scaleWidth(width, multiplier)).toBe(makeDivisible(width * multiplier));
  });

  it('keeps multiples of 8 unchanged at multiplier 1', () => {
    expect([8, 16, 24, 256].map((w) => scaleWidth(w, 1))).toEqual([8, 16, 24, 256]);
  });
});
