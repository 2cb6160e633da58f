import { AdaptiveAsymmetry } from '../../../src/tasks/multilabel/adaptive-asymmetry';
import type { Loss, LossParams } from '../../../src/losses/loss-plugin';

const params: LossParams = { gammaNeg: 4, gammaPos: 0, clip: 0.05, adaptive: true, gapTarget: 0.1, gammaNegStep: 2 };
const built: LossParams[] = [];
const rebuild = (p: LossParams): Loss => {
  built.push(p);
  return { name: 'asl', kind: 'sigmoid', params: p, compute: () => { throw new Error('not called'); } };
};

describe('adaptive asymmetry', () => {
  it('raises gammaNeg while the smoothed gap is below the target and lowers it above', () => {
    const a = new AdaptiveAsymmetry(params, rebuild);
    // First batch: smoothed gap = 0, step = 2 · (0.1 − 0) = 0.2.
    expect(a.update(0).params.gammaNeg).toBeCloseTo(4.2, 12);
    // Second: gap = 0.9·0 + 0.1·0.5 = 0.05, step = 2 · 0.05 = 0.1.
    expect(a.update(0.5).params.gammaNeg).toBeCloseTo(4.3, 12);
    expect(a.current.smoothedGap).toBeCloseTo(0.05, 12);
    // Far above the target: gammaNeg falls, never below 0.
    for (let i = 0; i < 200; i++) a.update(1);
    expect(a.current.gammaNeg).toBe(0);
    // The other parameters pass through unchanged.
    expect(built[built.length - 1]).toEqual({ ...params, gammaNeg: 0 });
  });

  it('ignores non-finite gaps (a batch without positives) and restores saved state', () => {
    const a = new AdaptiveAsymmetry(params, rebuild);
    expect(a.update(NaN).params.gammaNeg).toBe(4);
    const b = new AdaptiveAsymmetry(params, rebuild);
    b.restore({ gammaNeg: 2.5, smoothedGap: 0.3 });
    expect(b.loss().params.gammaNeg).toBe(2.5);
    expect(b.update(0.3).params.gammaNeg).toBeCloseTo(2.5 + 2 * (0.1 - 0.3), 12);
  });
});
