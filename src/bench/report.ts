/**
 * Turns suite results into the issue's targets (each a side-by-side ratio or a same-run
 * comparison), a printed table, and `bench/results.json`.
 */
import * as fs from 'fs';
import * as path from 'path';
import type { SuiteResults } from './suite';
import { median } from './timing';

export type TargetStatus = 'pass' | 'FAIL' | 'n/a';

export interface TargetCheck {
  name: string;
  /** The measured figure; null when not measured (see `note`). */
  value: number | null;
  target: string;
  status: TargetStatus;
  note?: string;
}

function check(name: string, value: number | null | undefined, target: string, ok: (v: number) => boolean, note?: string): TargetCheck {
  if (value === null || value === undefined) return { name, value: null, target, status: 'n/a', note: note ?? 'not run' };
  return { name, value, target, status: ok(value) ? 'pass' : 'FAIL', ...(note ? { note } : {}) };
}

export function targetChecks(r: SuiteResults): TargetCheck[] {
  const torch = r.throughput?.torch;
  const memory = r.memory;
  return [
    check('tfjs / PyTorch CPU, reference CNN images/s', r.tfjs_over_torch, '>= 0.5', (v) => v >= 0.5,
      torch && 'absent' in torch ? `PyTorch: ${torch.absent}` : torch ? `tfjs ${torch.tfjsBackend}${torch.tfjsThreads ? ` ${torch.tfjsThreads} thread(s)` : ''}, torch ${torch.torchVersion} ${torch.threads} threads` : undefined),
    check('ASL / BCE training-step time', r.asl_over_bce, '<= 1.05', (v) => v <= 1.05),
    ...(r.detection?.workloads.length || r.detection?.failed.length
      ? [
        ...r.detection.workloads.map((w) => check(`detection (${w.workload}): target assignment + loss share of step`, w.shareOfStep, '< 0.15', (v) => v < 0.15)),
        ...r.detection.failed.map((f) => check(`detection (${f.workload}): target assignment + loss share of step`, null, '< 0.15', () => false, `failed: ${f.reason}`)),
      ]
      : [check('detection: target assignment + loss share of step', null, '< 0.15', () => false)]),
    check('pipeline images/s / training images/s', r.pipeline?.pipelineOverTraining, '>= 3', (v) => v >= 3),
    check(
      `live tensors after step ${memory?.steps ?? 'N'} - after step ${memory?.tensorsFromStep ?? 10}`,
      memory ? memory.tensorsAfterLastStep - memory.tensorsAfterFromStep : null, '= 0', (v) => v === 0,
      memory ? `${memory.tensorsAfterFromStep} → ${memory.tensorsAfterLastStep}` : undefined,
    ),
    check(`RSS growth step ${memory?.rssFromStep ?? 100} → ${memory?.steps ?? 'N'} (%)`, memory?.rssGrowthPercent, '< 5', (v) => v < 5),
  ];
}

const fmt = (v: number | null | undefined, digits = 2): string => (v === null || v === undefined ? '—' : v.toFixed(digits));

function rows(table: string[][]): string {
  const widths = table[0].map((_, c) => Math.max(...table.map((row) => row[c].length)));
  return table.map((row) => row.map((cell, c) => cell.padEnd(widths[c])).join('  ').trimEnd()).join('\n');
}

/** The human-readable summary printed at the end of a run. */
export function formatReport(r: SuiteResults, checks: TargetCheck[]): string {
  const m = r.machine;
  const out: string[] = [
    `asl-run bench (${r.mode}), ${r.seconds.toFixed(0)} s — ${m.cpuModel}, ${m.cores} cores, node ${m.node}, tfjs ${m.tfjs}, main backend ${m.backend.detail}`,
    '',
  ];
  if (r.throughput) {
    const t = r.throughput;
    out.push('1. Training throughput (images/s, median step)');
    const batchOf = (pick: (b: (typeof t.backends)[number]) => { batchSize: number } | null) => t.backends.map(pick).find((rate) => rate)?.batchSize ?? '—';
    const table = [['backend', `reference CNN (batch ${batchOf((b) => b.referenceCnn)})`, `multi-label resnet-tiny + ASL (batch ${batchOf((b) => b.multiLabel)})`]];
    for (const b of t.backends) {
      table.push([b.detail, b.referenceCnn ? `${fmt(b.referenceCnn.imagesPerSecond, 1)} (${b.referenceCnn.stepMs.length} steps)` : '—',
        b.multiLabel ? `${fmt(b.multiLabel.imagesPerSecond, 1)} (${b.multiLabel.stepMs.length} steps)` : '— (not run on this backend)']);
    }
    if ('tfjsOverTorch' in t.torch) {
      table.push([`PyTorch ${t.torch.torchVersion} CPU, ${t.torch.threads} threads`, fmt(median(t.torch.torchImagesPerSecond), 1), '— (not run)']);
    }
    out.push(rows(table));
    for (const u of t.unavailable) out.push(`  ${u.backend}: unavailable — ${u.reason}`);
    if ('absent' in t.torch) out.push(`  PyTorch: absent — ${t.torch.absent}`);
    const native = t.nativeTorch;
    if ('tfjsOverTorch' in native) {
      out.push(
        `  tensorflow / PyTorch ${native.torchVersion} CPU (${native.threads} threads), reference CNN: ${fmt(native.tfjsOverTorch, 3)} ` +
          `(median of ${native.tfjsImagesPerSecond.length} alternating rounds; ${fmt(median(native.tfjsImagesPerSecond), 1)} vs ${fmt(median(native.torchImagesPerSecond), 1)} images/s)`,
      );
    } else if (t.backends.some((b) => b.backend === 'tensorflow')) {
      out.push(`  tensorflow / PyTorch: not measured — ${native.absent}`);
    }
    out.push('');
  }
  if (r.lossStep) {
    const l = r.lossStep;
    out.push(`2. Training step, batch ${l.batchSize}: ASL ${fmt(median(l.aslStepMs), 0)} ms, BCE ${fmt(median(l.bceStepMs), 0)} ms (median of ${l.rounds} interleaved rounds)`, '');
  }
  if (r.detection) {
    for (const w of r.detection.workloads) {
      const assignment = w.targetMs ? `target assignment ${fmt(median(w.targetMs), 1)} ms/batch` : 'target assignment inside the loss';
      out.push(
        `3. Detection ${w.workload} (${w.task}, batch ${w.batchSize}, ${w.imageSize} px, median of ${w.rounds} interleaved rounds): ${assignment}, ` +
          `step ${fmt(median(w.stepMs), 0)} ms, step with a trivial loss ${fmt(median(w.trivialLossStepMs), 0)} ms → loss ${fmt(w.lossMs, 0)} ms`,
      );
    }
    for (const f of r.detection.failed) out.push(`3. Detection ${f.workload}: failed — ${f.reason}`);
    out.push('');
  }
  if (r.pipeline) {
    const p = r.pipeline;
    out.push(`4. Pipeline ${fmt(median(p.pipelineImagesPerSecond), 0)} images/s (decode + augment, ${p.images} images/epoch) vs training ${fmt(median(p.trainingImagesPerSecond), 1)} images/s`, '');
  }
  if (r.memory) {
    const mem = r.memory;
    out.push(
      `5. Memory over ${mem.steps} steps (batch ${mem.batchSize}, ${fmt(mem.medianStepMs, 0)} ms/step): tensors ${mem.tensorsAfterFromStep} → ${mem.tensorsAfterLastStep}, ` +
        `RSS ${fmt(mem.rssAfterFromStepMiB, 0)} → ${fmt(mem.rssAfterLastStepMiB, 0)} MiB, peak RSS of the bench process ${fmt(mem.peakRssMiB, 0)} MiB`,
      '',
    );
  }
  if (r.tasks) {
    out.push(`6. Trainer steps on ${m.backend.name} (images/s over timed steps; host reads per step, by site)`);
    for (const w of r.tasks.workloads) {
      const rate = w.imagesPerSecond === null ? 'not timed' : `${fmt(w.imagesPerSecond, 1)} images/s`;
      out.push(`  ${w.workload} (${w.task}, batch ${w.batchSize}, ${w.imageSize} px): ${rate}, ${fmt(w.hostReadsPerStep, 1)} host reads/step` +
        (w.kernelReadsPerStep > 0 ? ` + ${fmt(w.kernelReadsPerStep, 1)} kernel reads/step` : ''));
      for (const [site, n] of Object.entries(w.hostReadSites)) out.push(`      ${fmt(n, 1)}  ${site}`);
    }
    for (const f of r.tasks.failed) out.push(`  ${f.workload}: failed — ${f.reason}`);
    out.push('');
  }
  out.push('Targets (ratios measured side by side in this run)');
  out.push(rows([['figure', 'value', 'target', 'status', 'note'], ...checks.map((c) => [c.name, fmt(c.value, 3), c.target, c.status, c.note ?? ''])]));
  return out.join('\n');
}

/** bench/results.json: the last run on each main backend (figures 2-6's), keyed by its name. */
export interface ResultsFile {
  byBackend: Record<string, SuiteResults & { targets: TargetCheck[] }>;
}

/**
 * The results already in `file` (none when it does not exist); a single run written in the
 * one-run layout is kept under its backend.
 * @throws Error naming the file when it is not a results file (so a bench run cannot lose it)
 */
export function readResults(file: string): ResultsFile {
  if (!fs.existsSync(file)) return { byBackend: {} };
  let parsed: unknown;
  try {
    parsed = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (err) {
    throw new Error(`${file}: not a bench results file (${(err as Error).message}); move it away to start a new one`);
  }
  const value = parsed as Partial<ResultsFile> & { machine?: { backend?: { name?: unknown } } };
  if (value && typeof value.byBackend === 'object' && value.byBackend !== null) return { byBackend: value.byBackend };
  const backend = value?.machine?.backend?.name;
  if (typeof backend === 'string') return { byBackend: { [backend]: parsed as ResultsFile['byBackend'][string] } };
  throw new Error(`${file}: not a bench results file (no 'byBackend' and no run's machine.backend.name); move it away to start a new one`);
}

/**
 * Writes this run's results and target checks into `file` (its folder is created) under the run's
 * main backend, keeping the other backends' runs; returns the absolute path.
 */
export function writeResults(file: string, r: SuiteResults, checks: TargetCheck[]): string {
  const absolute = path.resolve(file);
  const { byBackend } = readResults(absolute);
  const merged: ResultsFile = { byBackend: { ...byBackend, [r.machine.backend.name]: { ...r, targets: checks } } };
  fs.mkdirSync(path.dirname(absolute), { recursive: true });
  const temporary = `${absolute}.${process.pid}.tmp`;
  fs.writeFileSync(temporary, `${JSON.stringify(merged, null, 2)}\n`);
  fs.renameSync(temporary, absolute);
  return absolute;
}
