/**
 * `--profile`: where the wall time of a training run went. The run is cut into consecutive laps,
 * each charged to one section, so the sections add up to the wall time exactly:
 *
 *   setup       reading the data, building the model, restoring a checkpoint
 *   data        waiting for the loader's next batch (decode + augment not hidden by prefetch)
 *   step        forward, loss and backward, up to reading the loss and the gradient norm
 *   update      optimiser update (gradient clipping included)
 *   ema         EMA of the weights
 *   evaluation  evaluating the live and the EMA weights
 *   checkpoint  writing checkpoints
 *   logging     progress line, log.jsonl records, per-step task hooks
 *   final save  saving the final model
 *
 * Off, every call returns at once: no clock reads and no device syncs. On, a lap that queued
 * device work runs its `settle` first (read a value that depends on the work), so an
 * asynchronous GPU backend charges the work to its own section; wasm and cpu already finish
 * every op before it returns.
 */

export const PROFILE_SECTIONS = ['setup', 'data', 'step', 'update', 'ema', 'evaluation', 'checkpoint', 'logging', 'final save'] as const;
export type ProfileSection = (typeof PROFILE_SECTIONS)[number];

/** What each section measures, for the printed table. */
const SECTION_LABELS: Record<ProfileSection, string> = {
  setup: 'setup (data index, model, resume)',
  data: 'waiting for data',
  step: 'forward + loss + backward',
  update: 'optimiser update',
  ema: 'EMA',
  evaluation: 'evaluation',
  checkpoint: 'checkpoint writes',
  logging: 'logging and progress',
  'final save': 'final model save',
};

export interface ProfileEntry {
  section: ProfileSection;
  seconds: number;
  /** seconds / wallSeconds. */
  share: number;
}

export interface ProfileReport {
  /** From the profiler's start to the report; the sections' seconds add up to it. */
  wallSeconds: number;
  /** Every section, in PROFILE_SECTIONS order (zero when it never ran). */
  sections: ProfileEntry[];
}

export class Profiler {
  private readonly milliseconds = new Map<ProfileSection, number>(PROFILE_SECTIONS.map((s) => [s, 0]));
  private readonly started: number;
  private last: number;

  /** @param clock milliseconds (performance.now by default; tests pass a fake one). */
  constructor(
    readonly enabled: boolean,
    private readonly clock: () => number = () => performance.now(),
  ) {
    this.started = enabled ? clock() : 0;
    this.last = this.started;
  }

  /**
   * Charges the time since the previous lap (or the start) to `section`.
   * @param settle called first, only when enabled: waits for device work the section queued.
   */
  lap(section: ProfileSection, settle?: () => void): void {
    if (!this.enabled) return;
    settle?.();
    this.charge(section);
  }

  /** As `lap`, for a `settle` that waits asynchronously (a GPU read-back). */
  async settledLap(section: ProfileSection, settle: () => Promise<unknown>): Promise<void> {
    if (!this.enabled) return;
    await settle();
    this.charge(section);
  }

  private charge(section: ProfileSection): void {
    const now = this.clock();
    this.milliseconds.set(section, this.milliseconds.get(section)! + (now - this.last));
    this.last = now;
  }

  /** The sections so far; charges the time since the last lap to nothing (call it right after a lap). */
  report(): ProfileReport {
    if (!this.enabled) throw new Error('Profiler.report: profiling is off (pass --profile)');
    const wallSeconds = (this.last - this.started) / 1000;
    return {
      wallSeconds,
      sections: PROFILE_SECTIONS.map((section) => {
        const seconds = this.milliseconds.get(section)! / 1000;
        return { section, seconds, share: wallSeconds > 0 ? seconds / wallSeconds : 0 };
      }),
    };
  }
}

/** The report as a table: one line per section with seconds and share, then the total. */
export function formatProfile(report: ProfileReport): string {
  const width = Math.max(...Object.values(SECTION_LABELS).map((l) => l.length));
  const line = (label: string, seconds: number, share: number) =>
    `  ${label.padEnd(width)}  ${seconds.toFixed(2).padStart(9)} s  ${(100 * share).toFixed(1).padStart(5)} %`;
  return [
    `profile: where the wall time went (${report.wallSeconds.toFixed(1)} s)`,
    ...report.sections.map((e) => line(SECTION_LABELS[e.section], e.seconds, e.share)),
    line('total', report.wallSeconds, report.sections.reduce((s, e) => s + e.share, 0)),
  ].join('\n');
}
