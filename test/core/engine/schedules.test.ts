import { cosineWithWarmup, oneCycle, ScheduleConfig } from '../../../src/core/engine/schedules';

const torchDefaults: ScheduleConfig = {
  name: 'onecycle', pctStart: 0.3, divFactor: 25, finalDivFactor: 1e4, cycleMomentum: true, baseMomentum: 0.85, maxMomentum: 0.95,
  warmupSteps: 0, warmupLr: 0, minLr: 0,
};

describe('OneCycle (torch.optim.lr_scheduler.OneCycleLR semantics)', () => {
  // Values of torch OneCycleLR(max_lr=1, total_steps=10) (pct_start 0.3, cos), computed from its documented formulas.
  const s = oneCycle(1, 10, torchDefaults);
  it('starts at max_lr/div_factor with max momentum', () => {
    expect(s.at(0).lr).toBeCloseTo(0.04, 12);
    expect(s.at(0).momentum).toBeCloseTo(0.95, 12);
  });
  it('peaks at step pct_start*total-1 with base momentum', () => {
    expect(s.at(2).lr).toBeCloseTo(1, 12);
    expect(s.at(2).momentum).toBeCloseTo(0.85, 12);
    expect(s.at(1).lr).toBeCloseTo(0.52, 12); // halfway on the cosine: (0.04 + 1) / 2
  });
  it('ends at initial/final_div_factor', () => {
    expect(s.at(9).lr).toBeCloseTo(0.04 / 1e4, 15);
    expect(s.at(9).momentum).toBeCloseTo(0.95, 12);
  });
  it('omits momentum when not cycling', () => {
    expect(oneCycle(1, 10, { ...torchDefaults, cycleMomentum: false }).at(3).momentum).toBeUndefined();
  });
  it('rejects fewer than two steps', () => {
    expect(() => oneCycle(1, 1, torchDefaults)).toThrow(/at least 2 steps/);
    // pctStart · totalSteps = 1: the warm-up is the first step alone, which is the peak.
    const single = oneCycle(1, 5, { ...torchDefaults, pctStart: 0.2 });
    expect(single.at(0).lr).toBe(1);
    for (let step = 0; step < 5; step++) expect(Number.isFinite(single.at(step).lr)).toBe(true);
  });
});

describe('cosine with warm-up', () => {
  const s = cosineWithWarmup(0.1, 11, { ...torchDefaults, name: 'cosine', warmupSteps: 2, warmupLr: 0.0, minLr: 0.001 });
  it('warms up linearly then decays to minLr at the last step', () => {
    expect(s.at(0).lr).toBeCloseTo(0, 12);
    expect(s.at(1).lr).toBeCloseTo(0.05, 12);
    expect(s.at(2).lr).toBeCloseTo(0.1, 12);
    expect(s.at(10).lr).toBeCloseTo(0.001, 12);
    expect(s.at(6).lr).toBeCloseTo((0.1 + 0.001) / 2, 12);
  });
});
