/**
 * Counts host reads: the calls that bring a tensor's values to JavaScript (`dataSync`, `data`,
 * and `arraySync`/`array`/`bufferSync`/`buffer`, which tfjs builds on those two). On a GPU each
 * one waits for the queued work and copies back, so the reads per training step are a budget.
 *
 * While a counter runs, tf.Tensor.prototype's two read methods are wrapped; `stop` puts tfjs's own
 * back, so nothing is paid when no counter runs. Reads a kernel makes of the backend directly
 * (not through a Tensor) are counted apart, on the backend active at `start`.
 */
import * as path from 'path';
import { tf } from '../tf';

export interface HostReadCounterOptions {
  /** Also tally where each read comes from (file:line of the first caller outside tfjs), which costs a stack trace per read. */
  sites?: boolean;
}

export interface HostReadTally {
  /** Tensor reads (dataSync, data and what builds on them). */
  reads: number;
  /** Backend reads made by kernels themselves, not on behalf of a tensor read. */
  kernelReads: number;
  /** Reads by call site, with `sites`; kernel reads under `kernel <kernel file> ← <site>`. */
  sites: Record<string, number>;
}

type Method = (...args: unknown[]) => unknown;
type BackendReads = { readSync: Method; read: Method };

const PACKAGE_ROOT = path.resolve(__dirname, '..', '..', '..');
const THIS_FILE = /host-reads\.(ts|js)/;
/** Frames of installed packages, of tfjs's sources (where its source maps point) and of Node itself. */
const FOREIGN_FRAME = /node_modules[\\/]|[\\/]tfjs-[\w-]+[\\/]src[\\/]|\(node:|at node:/;

const FRAME_LOCATION = /\(?([^()\s]+):(\d+):\d+\)?\s*$/;

/**
 * Where a read comes from: `caller` is the file of the frame that called the read method (for a
 * kernel read, the kernel's file), `site` the first frame outside this module, tfjs and Node, as
 * file:line relative to the package root.
 */
function callSite(): { caller: string; site: string } {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 64;
  const stack = new Error().stack ?? '';
  Error.stackTraceLimit = limit;
  const frames = stack.split('\n').slice(1).filter((line) => !THIS_FILE.test(line));
  const callerFile = FRAME_LOCATION.exec(frames[0] ?? '')?.[1];
  const location = frames.filter((line) => !FOREIGN_FRAME.test(line)).map((line) => FRAME_LOCATION.exec(line)).find((m) => m !== null);
  return {
    caller: callerFile ? path.basename(callerFile) : 'unknown',
    site: location ? `${path.relative(PACKAGE_ROOT, location[1]).split(path.sep).join('/')}:${location[2]}` : 'unknown',
  };
}

let running: HostReadCounter | undefined;

export class HostReadCounter {
  private readonly tally: HostReadTally = { reads: 0, kernelReads: 0, sites: {} };
  private readonly restore: (() => void)[] = [];
  /** Depth of tensor reads in progress: backend reads inside them are theirs, not a kernel's. */
  private tensorReadDepth = 0;

  private constructor(private readonly options: HostReadCounterOptions) {}

  /**
   * Starts counting; one counter at a time.
   * @throws Error when another counter is running
   */
  static start(options: HostReadCounterOptions = {}): HostReadCounter {
    if (running) throw new Error('HostReadCounter: a counter is already running (stop it first)');
    const counter = new HostReadCounter(options);
    counter.wrapTensorReads();
    counter.wrapBackendReads(tf.backend() as unknown as BackendReads);
    running = counter;
    return counter;
  }

  /** The counts so far (a copy). */
  counts(): HostReadTally {
    return { ...this.tally, sites: { ...this.tally.sites } };
  }

  /** Restores tfjs's methods and returns the final counts. Idempotent. */
  stop(): HostReadTally {
    this.restore.splice(0).reverse().forEach((undo) => undo());
    if (running === this) running = undefined;
    return this.counts();
  }

  private note(kind: 'reads' | 'kernelReads'): void {
    this.tally[kind]++;
    if (!this.options.sites) return;
    const { caller, site: where } = callSite();
    const site = kind === 'reads' ? where : `kernel ${caller} ← ${where}`;
    this.tally.sites[site] = (this.tally.sites[site] ?? 0) + 1;
  }

  private wrapTensorReads(): void {
    const proto = tf.Tensor.prototype as unknown as Record<'dataSync' | 'data', Method>;
    for (const name of ['dataSync', 'data'] as const) {
      const original = proto[name];
      const counter = this;
      proto[name] = function (this: tf.Tensor, ...args: unknown[]) {
        counter.note('reads');
        // tfjs asks the backend synchronously in both (data() before its first await).
        counter.tensorReadDepth++;
        try {
          return original.apply(this, args);
        } finally {
          counter.tensorReadDepth--;
        }
      };
      this.restore.push(() => {
        proto[name] = original;
      });
    }
  }

  private wrapBackendReads(backend: BackendReads): void {
    for (const name of ['readSync', 'read'] as const) {
      const hadOwn = Object.prototype.hasOwnProperty.call(backend, name);
      const original = backend[name];
      const counter = this;
      backend[name] = function (this: unknown, ...args: unknown[]) {
        if (counter.tensorReadDepth === 0) counter.note('kernelReads');
        return original.apply(this, args);
      };
      this.restore.push(() => {
        if (hadOwn) backend[name] = original;
        else delete (backend as Partial<BackendReads>)[name];
      });
    }
  }
}
