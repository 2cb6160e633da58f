/**
 * `asl-run doctor`: what to run first on a new machine. Which backends load and why the others do
 * not, the WebGPU adapters, and per loaded backend the reference CNN's loss and gradients against
 * wasm's and its training step's images/s. A table on stdout, or JSON with --json.
 */
import type { CommandModule } from 'yargs';
import type { GlobalOptions } from '../context';
import { UsageError } from '../usage-error';
import { tf } from '../../core/tf';
import { initBackend } from '../../core/backend/init';
import { formatAdapter, type AdapterProbe } from '../../core/backend/webgpu/adapter';
import { syntheticBatch } from '../../bench/workloads';
import {
  checkAdapters, checkBackends, compare, evaluate, referenceWeights, timeSteps,
  type BackendCheck, type DoctorBackend, type ParityResult, type SpeedResult, type WorkloadSize,
} from './doctor-checks';

interface DoctorArgs extends GlobalOptions {
  json: boolean;
  'batch-size': number;
  'image-size': number;
  seconds: number;
}

export interface DoctorReport {
  backends: BackendCheck[];
  webgpuAdapters: AdapterProbe[] | string;
  workload: WorkloadSize & { model: string; loss: string };
  parity: ParityResult[];
  speed: SpeedResult[];
  /** Backends that loaded but failed the parity or speed step, with the error. */
  failures: Array<{ backend: DoctorBackend; error: string }>;
}

/** wasm first: it is the reference the others are compared with. */
const MEASURE_ORDER: readonly DoctorBackend[] = ['wasm', 'webgpu', 'tensorflow', 'cpu'];

async function measure(backends: BackendCheck[], size: WorkloadSize, threads: string | undefined, seconds: number, log: (line: string) => void): Promise<Pick<DoctorReport, 'parity' | 'speed' | 'failures'>> {
  const report: Pick<DoctorReport, 'parity' | 'speed' | 'failures'> = { parity: [], speed: [], failures: [] };
  const loaded = MEASURE_ORDER.filter((name) => backends.some((b) => b.backend === name && b.loaded));
  if (!loaded.includes('wasm')) return report;
  await initBackend('wasm', { threads });
  const batch = syntheticBatch(size.batchSize, size.imageSize);
  const weights = await referenceWeights(size);
  const reference = await evaluate(size, weights, batch);
  for (const backend of loaded) {
    log(`asl-run doctor: measuring ${backend}…`);
    try {
      await initBackend(backend, { threads });
      report.parity.push(compare(backend, backend === 'wasm' ? reference : await evaluate(size, weights, batch), reference));
      report.speed.push({ backend, ...(await timeSteps(size, weights, batch, seconds * 1000)) });
    } catch (err) {
      report.failures.push({ backend, error: (err as Error).message.split('\n')[0] });
    }
  }
  return report;
}

const exp = (x: number) => (x === 0 ? '0' : x.toExponential(1));

function printTable(report: DoctorReport): void {
  const out: string[] = ['Backends'];
  for (const b of report.backends) out.push(`  ${b.backend.padEnd(10)} ${b.loaded ? 'loads     ' : 'no        '} ${b.detail}`);
  out.push('', 'WebGPU adapters (Dawn)');
  if (typeof report.webgpuAdapters === 'string') out.push(`  ${report.webgpuAdapters}`);
  else for (const p of report.webgpuAdapters) out.push(`  ${p.api.padEnd(10)} ${p.adapter ? `${formatAdapter(p.adapter)}${p.adapter.software ? ' — software: slower than wasm, never chosen by auto' : ''}` : `none: ${p.reason}`}`);
  const w = report.workload;
  out.push('', `Reference CNN (${w.model}), batch ${w.batchSize} of ${w.imageSize}x${w.imageSize}x3, ${w.loss}, Adam; against wasm`);
  out.push(`  ${'backend'.padEnd(10)} ${'loss'.padStart(9)} ${'loss rel.'.padStart(9)} ${'grad rel.'.padStart(9)} ${'1st step'.padStart(10)} ${'step'.padStart(9)} ${'images/s'.padStart(9)}`);
  for (const p of report.parity) {
    const s = report.speed.find((x) => x.backend === p.backend);
    const speed = s ? `${`${s.firstStepMs.toFixed(0)} ms`.padStart(10)} ${`${s.stepMs.toFixed(1)} ms`.padStart(9)} ${s.imagesPerSecond.toFixed(1).padStart(9)}` : '';
    const software = report.backends.find((b) => b.backend === p.backend)?.adapter?.software ? '  (software adapter)' : '';
    out.push(`  ${p.backend.padEnd(10)} ${p.loss.toFixed(5).padStart(9)} ${exp(p.lossRelDiff).padStart(9)} ${exp(p.gradientRelDiff).padStart(9)} ${speed}${software}`);
  }
  for (const f of report.failures) out.push(`  ${f.backend.padEnd(10)} failed: ${f.error}`);
  out.push('', 'grad rel.: over every gradient tensor, max |g − g_wasm| / max |g_wasm|. 1st step includes shader compilation on WebGPU.');
  process.stdout.write(`${out.join('\n')}\n`);
}

function positiveInteger(name: string, value: number, min: number): number {
  if (!Number.isInteger(value) || value < min) throw new UsageError(`--${name}: expected an integer >= ${min}, got ${value}`);
  return value;
}

export const doctorCommand: CommandModule<GlobalOptions, DoctorArgs> = {
  command: 'doctor',
  describe: 'Check this machine: which backends load (and why not), the WebGPU adapter, gradients against wasm, images/s of each',
  builder: (y) =>
    y
      .option('json', { type: 'boolean', default: false, describe: 'Print JSON instead of a table' })
      .option('batch-size', { type: 'number', default: 8, describe: 'Reference CNN batch (larger on a GPU for a realistic images/s)' })
      .option('image-size', { type: 'number', default: 32, describe: 'Reference CNN input size in pixels' })
      .option('seconds', { type: 'number', default: 2, describe: 'Time spent timing each backend after its first step' }),
  handler: async (args) => {
    const size = { batchSize: positiveInteger('batch-size', args['batch-size'], 1), imageSize: positiveInteger('image-size', args['image-size'], 8) };
    if (!(args.seconds > 0)) throw new UsageError(`--seconds: expected a number > 0, got ${args.seconds}`);
    const log = args.quiet ? () => undefined : (line: string) => process.stderr.write(`${line}\n`);
    const tensorsBefore = tf.memory().numTensors;
    const backends = await checkBackends(args.threads);
    const webgpuAdapters = checkAdapters();
    const measured = await measure(backends, size, args.threads, args.seconds, log);
    const report: DoctorReport = { backends, webgpuAdapters, workload: { ...size, model: 'reference-cnn', loss: 'sigmoid cross-entropy' }, ...measured };
    if (tf.memory().numTensors !== tensorsBefore) log(`asl-run doctor: ${tf.memory().numTensors - tensorsBefore} tensors left allocated`);
    if (args.json) process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    else printTable(report);
  },
};
