/** Hand-made sweep results for the report tests: plain numbers whose statistics are easy to check by hand. */
import type { CellResult } from '../../src/compare/cell-result';
import type { SweepPlan } from '../../src/compare/plan';

export const PLAN: SweepPlan = {
  tasks: ['multilabel', 'singlelabel'],
  losses: ['bce', 'asl', 'focal', 'my-sigmoid'],
  seeds: [0, 1, 2],
  flags: { epochs: 2, 'image-size': 32 },
  data: {},
  configDir: '',
};

function ok(task: string, loss: string, lossUsed: string, seed: number, primary: number, extra: Record<string, number> = {}): CellResult {
  const primaryMetric = task === 'multilabel' ? 'mAP' : 'top1';
  return {
    task, loss, seed, status: 'ok', lossUsed, primaryMetric, runDir: `runs/${task}/${loss}/seed-${seed}`,
    metrics: { [primaryMetric]: primary, ...extra, perClassAP: { a: 0.5 } }, usedEma: seed === 0, epochs: 2, wallSeconds: 3 + seed, trainImagesPerSecond: 100,
    curve: [{ epoch: 1, trainLoss: 2 + seed, primary: primary - 5 }, { epoch: 2, trainLoss: 1, primary }],
    probability: task === 'multilabel'
      ? { source: 'step', x: [1, 2, 3], meanProbPositives: [0.5, 0.6, 0.7], meanProbNegatives: [0.5, 0.4, 0.3], probabilityGap: [0, 0, 0] }
      : undefined,
  };
}

function notApplicable(task: string, loss: string, seed: number): CellResult {
  return { task, loss, seed, status: 'n-a', lossUsed: null, primaryMetric: 'top1', reason: `${loss} is a sigmoid loss; singlelabel trains with softmax losses and no softmax form of it is known` };
}

/**
 * multilabel mAP: bce 40, 42, 44 (mean 42, sd 2); asl 43, 44, 48 (mean 45, sd √7, Δ 3, 2, 4);
 * focal 41, failed, 45 (Δ over seeds 0 and 2: 1, 1); my-sigmoid 30, 30, 30. APl is COCO's −1 (undefined) everywhere.
 * singlelabel top1: bce (ce) 50, 60, 70; asl (asl-single-label) 55, 60, 80; focal 50, 50, 50; my-sigmoid n/a.
 */
export function cells(): CellResult[] {
  const ml = (loss: string, values: number[]) => values.map((v, seed) => ok('multilabel', loss, loss, seed, v, { CF1: v / 2, APl: -1 }));
  const failed: CellResult = { task: 'multilabel', loss: 'focal', seed: 1, status: 'failed', lossUsed: 'focal', primaryMetric: 'mAP', reason: 'step 3: loss is NaN', runDir: 'runs/multilabel/focal/seed-1' };
  const focal = ml('focal', [41, 0, 45]);
  return [
    ...ml('bce', [40, 42, 44]),
    ...ml('asl', [43, 44, 48]),
    focal[0], failed, focal[2],
    ...ml('my-sigmoid', [30, 30, 30]),
    ...[50, 60, 70].map((v, s) => ok('singlelabel', 'bce', 'ce', s, v)),
    ...[55, 60, 80].map((v, s) => ok('singlelabel', 'asl', 'asl-single-label', s, v)),
    ...[50, 50, 50].map((v, s) => ok('singlelabel', 'focal', 'focal-softmax', s, v)),
    ...[0, 1, 2].map((s) => notApplicable('singlelabel', 'my-sigmoid', s)),
  ];
}
