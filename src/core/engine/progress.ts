/**
 * Progress output: a redrawn bar per epoch on a TTY (loss, lr, images/s, ETA), plain lines
 * every `logEvery` steps otherwise (CI logs, pipes). Always on stderr.
 */
export interface StepStatus {
  epoch: number;
  epochs: number;
  batch: number;
  batches: number;
  loss: number;
  lr: number;
  imagesPerSecond: number;
  /** Moving average of the wall time per batch, for the ETA. */
  secondsPerBatch: number;
}

export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '?';
  const s = Math.round(seconds);
  const m = Math.floor(s / 60);
  return m > 0 ? `${m}m${String(s % 60).padStart(2, '0')}s` : `${s}s`;
}

export class Progress {
  private readonly tty: boolean;

  constructor(
    private readonly stream: NodeJS.WriteStream | undefined,
    private readonly logEvery: number,
  ) {
    this.tty = Boolean(stream?.isTTY);
  }

  step(s: StepStatus): void {
    if (!this.stream) return;
    const remaining = (s.batches - s.batch) * s.secondsPerBatch;
    const text =
      `epoch ${s.epoch + 1}/${s.epochs} ${s.batch}/${s.batches} loss ${s.loss.toPrecision(4)} ` +
      `lr ${s.lr.toExponential(2)} ${s.imagesPerSecond.toFixed(0)} img/s`;
    if (this.tty) {
      const width = 24;
      const filled = Math.round((width * s.batch) / s.batches);
      this.stream.write(`\r[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${text} ETA ${formatDuration(remaining)}\x1b[K`);
      if (s.batch === s.batches) this.stream.write('\n');
    } else if (s.batch % this.logEvery === 0 || s.batch === s.batches) {
      this.stream.write(`${text}\n`);
    }
  }

  line(text: string): void {
    if (!this.stream) return;
    this.stream.write(this.tty ? `\r\x1b[K${text}\n` : `${text}\n`);
  }
}
