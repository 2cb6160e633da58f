/**
 * Learning-rate schedules, stepped once per iteration. `at(step)` is a pure function of the step,
 * so a resumed run needs no schedule state.
 */
import type { Named } from '../registry/registry';

export interface ScheduleValue {
  lr: number;
  /** Adam's beta1 / SGD's momentum where the schedule cycles it (OneCycle), else undefined. */
  momentum?: number;
}

export interface Schedule {
  at(step: number): ScheduleValue;
}

/**
 * One flat object for every schedule (so a config file can switch `name` without restructuring);
 * each schedule reads its own fields.
 */
export interface ScheduleConfig {
  /** A registered schedule (built-in: onecycle, cosine, constant). */
  name: string;
  /** onecycle: fraction of the steps spent increasing the lr (torch `pct_start`). */
  pctStart: number;
  /** onecycle: initial lr = maxLr / divFactor. */
  divFactor: number;
  /** onecycle: final lr = initial lr / finalDivFactor. */
  finalDivFactor: number;
  /** onecycle: cycle Adam's beta1 / SGD momentum inversely to the lr between the two bounds (torch `cycle_momentum`). */
  cycleMomentum: boolean;
  baseMomentum: number;
  maxMomentum: number;
  /** cosine: linear warm-up from warmupLr to the base lr over this many steps. */
  warmupSteps: number;
  warmupLr: number;
  /** cosine: lower bound reached at the last step. */
  minLr: number;
}

/** A schedule entry point, bound in the composition root or registered by a plugin. */
export interface ScheduleEntry extends Named {
  readonly description: string;
  /** The schedule of a run of `totalSteps` steps at base (peak) lr `baseLr` with the `train.schedule` settings. */
  create(baseLr: number, totalSteps: number, config: ScheduleConfig): Schedule;
}

function cosineAnneal(start: number, end: number, pct: number): number {
  return end + ((start - end) / 2) * (Math.cos(Math.PI * pct) + 1);
}

/** torch.optim.lr_scheduler.OneCycleLR with anneal_strategy 'cos' and three_phase False. */
export function oneCycle(maxLr: number, totalSteps: number, c: ScheduleConfig): Schedule {
  if (totalSteps < 2) throw new Error(`schedule onecycle: needs at least 2 steps, got ${totalSteps}`);
  const initialLr = maxLr / c.divFactor;
  const minLr = initialLr / c.finalDivFactor;
  const warmEnd = c.pctStart * totalSteps - 1;
  const lastEnd = totalSteps - 1;
  return {
    at(step: number): ScheduleValue {
      const warming = step <= warmEnd;
      const [from, to] = warming ? [0, warmEnd] : [warmEnd, lastEnd];
      // pctStart · totalSteps = 1 makes the warm-up a single point (torch divides by zero there): its end, the peak.
      const pct = to === from ? 1 : (step - from) / (to - from);
      const lr = warming ? cosineAnneal(initialLr, maxLr, pct) : cosineAnneal(maxLr, minLr, pct);
      if (!c.cycleMomentum) return { lr };
      const momentum = warming ? cosineAnneal(c.maxMomentum, c.baseMomentum, pct) : cosineAnneal(c.baseMomentum, c.maxMomentum, pct);
      return { lr, momentum };
    },
  };
}

/** Linear warm-up then half-cosine decay to minLr at the last step (timm's CosineLRScheduler, per step, no restarts). */
export function cosineWithWarmup(baseLr: number, totalSteps: number, c: ScheduleConfig): Schedule {
  const warmup = Math.min(c.warmupSteps, totalSteps - 1);
  return {
    at(step: number): ScheduleValue {
      if (step < warmup) return { lr: c.warmupLr + ((baseLr - c.warmupLr) * step) / warmup };
      const span = Math.max(1, totalSteps - 1 - warmup);
      return { lr: cosineAnneal(baseLr, c.minLr, Math.min(1, (step - warmup) / span)) };
    },
  };
}

export const oneCycleSchedule: ScheduleEntry = { name: 'onecycle', description: "torch's OneCycleLR (cosine), momentum cycled inversely", create: oneCycle };
export const cosineSchedule: ScheduleEntry = { name: 'cosine', description: "Linear warm-up, then cosine decay to minLr (timm's CosineLRScheduler)", create: cosineWithWarmup };
export const constantSchedule: ScheduleEntry = { name: 'constant', description: 'The base lr at every step', create: (lr) => ({ at: () => ({ lr }) }) };
