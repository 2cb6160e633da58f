/**
 * report.html: one self-contained page (inline CSS and SVG, no network) per sweep. Per task: the
 * summary table, learning curves per loss (train loss and the primary metric per epoch, mean over
 * seeds), the final primary metric with std error bars and per-seed dots, the paper's
 * probability analysis (mean predicted probability of positives and of negatives over training,
 * and their gap Δp) where the task logs it, and timings.
 *
 * A tiny inline script checks that every chart rendered with a non-empty box and records the
 * count in `<html data-charts-rendered>`, so a headless browser can verify the page.
 */
import type { CellResult, EpochPoint } from './cell-result';
import { describeFlags } from './markdown';
import type { SweepPlan } from './plan';
import { barChart, escapeXml, lineChart, LineSeries, PALETTE } from './svg-charts';
import { LossSummary, METHOD_NOTE, primaryTableHeader, primaryTableRow, TaskSummary } from './summary';
import { mean } from './statistics';

/** Mean over seeds of each x present in any seed's series. */
function meanCurve(cells: CellResult[], points: (c: CellResult) => [number, number][]): [number, number][] {
  const byX = new Map<number, number[]>();
  for (const c of cells) for (const [x, y] of points(c)) if (Number.isFinite(y)) byX.set(x, [...(byX.get(x) ?? []), y]);
  return [...byX.entries()].sort((a, b) => a[0] - b[0]).map(([x, ys]) => [x, mean(ys)]);
}

function curvePoints(c: CellResult, pick: (p: EpochPoint) => number | null): [number, number][] {
  return (c.curve ?? []).filter((p) => pick(p) !== null).map((p) => [p.epoch, pick(p)!]);
}

function colorOf(index: number): string {
  return PALETTE[index % PALETTE.length];
}

function htmlTable(head: string[], rows: string[][]): string {
  const th = head.map((h) => `<th>${escapeXml(h)}</th>`).join('');
  const trs = rows.map((r) => `<tr>${r.map((v) => `<td>${escapeXml(v)}</td>`).join('')}</tr>`).join('\n');
  return `<table><thead><tr>${th}</tr></thead><tbody>\n${trs}\n</tbody></table>`;
}

function timingTable(losses: LossSummary[]): string {
  const rows = losses.filter((l) => l.ok.length > 0).map((l) => [
    l.loss,
    mean(l.ok.map((c) => c.wallSeconds ?? NaN)).toFixed(1),
    mean(l.ok.map((c) => c.trainImagesPerSecond ?? NaN)).toFixed(0),
    String(l.ok.filter((c) => c.usedEma).length),
  ]);
  return rows.length > 0 ? htmlTable(['loss', 'wall s (mean)', 'train images/s (mean)', 'runs that kept EMA weights'], rows) : '';
}

function probabilityCharts(task: TaskSummary, drawn: LossSummary[]): string[] {
  const withProb = drawn.filter((l) => l.ok.some((c) => c.probability));
  if (withProb.length === 0) return [];
  const source = withProb[0].ok.find((c) => c.probability)!.probability!.source;
  const xLabel = source === 'step' ? 'training step (train batches)' : 'epoch (validation set)';
  const series = (l: LossSummary, key: 'meanProbPositives' | 'meanProbNegatives' | 'probabilityGap' | 'gammaNeg') =>
    meanCurve(l.ok, (c) => {
      const values = c.probability?.[key];
      return values ? c.probability!.x.map((x, i): [number, number] => [x, values[i]]) : [];
    });
  const colors = new Map(drawn.map((l, i) => [l.loss, colorOf(i)]));
  const probs: LineSeries[] = withProb.flatMap((l) => [
    { name: `${l.loss} positives`, color: colors.get(l.loss)!, points: series(l, 'meanProbPositives') },
    { name: `${l.loss} negatives`, color: colors.get(l.loss)!, dashed: true, points: series(l, 'meanProbNegatives') },
  ]);
  const gaps: LineSeries[] = withProb.map((l) => ({ name: l.loss, color: colors.get(l.loss)!, points: series(l, 'probabilityGap') }));
  const charts = [
    lineChart({ title: `${task.task}: mean p, positives (solid) / negatives (dashed)`, xLabel, integerX: true, yLabel: 'mean p' }, probs),
    lineChart({ title: `${task.task}: probability gap Δp = p̄(pos) − (1 − p̄(neg))`, xLabel, integerX: true, yLabel: 'Δp' }, gaps),
  ];
  // Adaptive asymmetry: how gammaNeg moved while steering Δp.
  const adaptive = withProb.filter((l) => l.ok.some((c) => c.probability?.gammaNeg));
  if (adaptive.length > 0) {
    const gammas: LineSeries[] = adaptive.map((l) => ({ name: l.loss, color: colors.get(l.loss)!, points: series(l, 'gammaNeg') }));
    charts.push(lineChart({ title: `${task.task}: gammaNeg under adaptive asymmetry`, xLabel, integerX: true, yLabel: 'gammaNeg' }, gammas));
  }
  return charts;
}

function taskSection(task: TaskSummary, seeds: number): string {
  const parts = [`<section><h2>${escapeXml(task.task)} — ${escapeXml(task.primaryMetric)}</h2>`, htmlTable(primaryTableHeader(task), task.losses.map((l) => primaryTableRow(task, l, seeds)))];
  const drawn = task.losses.filter((l) => l.ok.length > 0);
  if (drawn.length > 0) {
    const colors = drawn.map((_, i) => colorOf(i));
    const lossCurves = drawn.map((l, i) => ({ name: l.loss, color: colors[i], points: meanCurve(l.ok, (c) => curvePoints(c, (p) => p.trainLoss)) }));
    const metricCurves = drawn.map((l, i) => ({ name: l.loss, color: colors[i], points: meanCurve(l.ok, (c) => curvePoints(c, (p) => p.primary)) }));
    const charts = [
      lineChart({ title: `${task.task}: training loss per epoch (each loss on its own scale)`, xLabel: 'epoch', yLabel: 'train loss', integerX: true }, lossCurves),
    ];
    if (metricCurves.some((s) => s.points.length > 0)) {
      charts.push(lineChart({ title: `${task.task}: validation ${task.primaryMetric} per epoch (live weights)`, xLabel: 'epoch', yLabel: task.primaryMetric, integerX: true }, metricCurves));
    }
    charts.push(
      barChart(
        { title: `${task.task}: final ${task.primaryMetric}, mean ± std over seeds (dots: seeds)`, xLabel: 'loss', yLabel: task.primaryMetric },
        drawn.map((l, i) => ({ name: l.loss, color: colors[i], mean: l.primary!.mean, error: l.primary!.std, values: l.ok.map((c) => Number(c.metrics![c.primaryMetric])) })),
      ),
      ...probabilityCharts(task, drawn),
    );
    parts.push(`<div class="charts">${charts.join('\n')}</div>`, '<h3>Timing</h3>', timingTable(drawn));
  }
  const failed = task.losses.flatMap((l) => l.failed);
  if (failed.length > 0) {
    parts.push('<h3>Failed cells</h3><ul>', ...failed.map((c) => `<li>${escapeXml(`${c.loss}/seed ${c.seed}: ${c.reason ?? 'unknown error'}`)}</li>`), '</ul>');
  }
  return `${parts.join('\n')}\n</section>`;
}

const STYLE = `
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; margin: 24px auto; max-width: 1180px; color: #222; padding: 0 16px; }
h1 { margin-bottom: 4px; } h2 { margin-top: 36px; border-bottom: 1px solid #ccc; padding-bottom: 4px; }
p.note { color: #555; font-size: 13px; }
table { border-collapse: collapse; margin: 10px 0; } th, td { border: 1px solid #ddd; padding: 4px 9px; text-align: left; }
th { background: #f4f4f4; } td { font-variant-numeric: tabular-nums; }
.charts { display: flex; flex-wrap: wrap; gap: 14px; }
svg.chart { background: #fff; border: 1px solid #e4e4e4; }
svg .title { font-size: 12.5px; font-weight: 600; } svg .tick { font-size: 11px; fill: #444; }
svg .label, svg .legend { font-size: 12px; fill: #222; } svg .grid { stroke: #eee; } svg .axes { fill: none; stroke: #999; }
`;

const SELF_CHECK = `
window.addEventListener('load', function () {
  var charts = document.querySelectorAll('svg.chart'), rendered = 0;
  for (var i = 0; i < charts.length; i++) { var box = charts[i].getBBox(); if (box.width > 0 && box.height > 0) rendered++; }
  document.documentElement.setAttribute('data-charts-rendered', rendered + '/' + charts.length);
});
`;

export function renderHtml(plan: SweepPlan, tasks: TaskSummary[]): string {
  return [
    '<!doctype html>',
    '<html lang="en"><head><meta charset="utf-8"><title>asl-run compare</title>',
    `<style>${STYLE}</style></head><body>`,
    '<h1>asl-run compare</h1>',
    `<p>Tasks: ${escapeXml(plan.tasks.join(', '))}. Losses: ${escapeXml(plan.losses.join(', '))}. Seeds: ${escapeXml(plan.seeds.join(', '))}. Flags: <code>${escapeXml(describeFlags(plan))}</code>.</p>`,
    `<p class="note">${escapeXml(METHOD_NOTE)}</p>`,
    ...tasks.map((t) => taskSection(t, plan.seeds.length)),
    `<script>${SELF_CHECK}</script>`,
    '</body></html>',
    '',
  ].join('\n');
}
