/**
 * results.md: per task, the primary metric (mean ± std over seeds) with the paired difference to
 * the baseline, every metric, and the cells that were n/a or failed. Holds no timings or paths,
 * so a sweep run in shards renders the same file as one run in one process.
 */
import type { SweepPlan } from './plan';
import { formatMeanStd, METHOD_NOTE, primaryTableHeader, primaryTableRow, TaskSummary } from './summary';

/** Escapes the characters that would break a table cell. */
function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

function row(values: string[]): string {
  return `| ${values.map(cell).join(' | ')} |`;
}

function table(header: string[], rows: string[][]): string[] {
  return [row(header), row(header.map(() => '---')), ...rows.map(row)];
}

/** The flags every cell ran with, as they would be typed. */
export function describeFlags(plan: SweepPlan): string {
  const flags = Object.keys(plan.flags).sort().map((k) => `--${k} ${String(plan.flags[k])}`);
  return flags.length > 0 ? flags.join(' ') : '(task defaults)';
}

function taskSection(task: TaskSummary, seeds: number): string[] {
  const lines = [`## ${task.task} — ${task.primaryMetric || 'no finished cell'}`, ''];
  lines.push(...table(primaryTableHeader(task), task.losses.map((l) => primaryTableRow(task, l, seeds))));
  const applicable = task.losses.filter((l) => l.notApplicable === undefined);
  if (task.metricNames.length > 0 && applicable.length > 0) {
    lines.push('', 'Every metric (mean ± std over the finished seeds):', '');
    lines.push(...table(['metric', ...applicable.map((l) => l.loss)], task.metricNames.map((m) => [m, ...applicable.map((l) => formatMeanStd(l.metrics[m]))])));
  }
  const failed = task.losses.flatMap((l) => l.failed);
  if (failed.length > 0) {
    lines.push('', 'Failed cells (rerun `compare` to retry them):', '');
    for (const c of failed) lines.push(`- ${c.task}/${c.loss}/seed ${c.seed}: ${c.reason ?? 'unknown error'}`);
  }
  return [...lines, ''];
}

export function renderMarkdown(plan: SweepPlan, tasks: TaskSummary[]): string {
  const lines = [
    '# asl-run compare',
    '',
    `Tasks: ${plan.tasks.join(', ')}. Losses: ${plan.losses.join(', ')}. Seeds: ${plan.seeds.join(', ')}. Flags: ${describeFlags(plan)}.`,
    '',
    METHOD_NOTE,
    '',
    ...tasks.flatMap((t) => taskSection(t, plan.seeds.length)),
  ];
  return `${lines.join('\n').trimEnd()}\n`;
}
