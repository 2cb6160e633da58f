/**
 * `npm run bench` entry: node dist/bench/run.js [--quick | --tiny] [--only a,b] [--backend name].
 * Prints the figures and target checks and writes them to bench/results.json (relative to the
 * current directory) under the main backend's name, beside other backends' last runs.
 */
// Host-read sites (figure 6) as src/ file:line: source maps apply to modules loaded after this.
process.setSourceMapsEnabled(true);
import { parseArgs } from 'util';
import { BACKEND_NAMES, type BackendName } from '../core/backend/init';
import { BENCH_NAMES, fullSettings, quickSettings, runSuite, tinySettings, type BenchName, type SuiteSettings } from './suite';
import { formatReport, readResults, targetChecks, writeResults } from './report';

const RESULTS_FILE = 'bench/results.json';

const USAGE = `usage: node dist/bench/run.js [--quick | --tiny] [--only ${BENCH_NAMES.join(',')}] [--backend ${BACKEND_NAMES.join('|')}]
  --quick    fewer steps and rounds, smaller task batches, no cpu backend (about two minutes)
  --tiny     32 px images, batches of 2-8, one or two steps of each figure: for a backend too slow
             for --quick (a software WebGPU adapter); its images/s compare with no other mode's
  --only     run only these benchmarks (comma-separated)
  --backend  run figure 1 on this backend only and figures 2-6 on it (default: figure 1 on every
             backend that loads, the rest on 'auto')
Figure 1 measures wasm with 1 thread and with every core; figures 2-6 use $ASL_RUN_THREADS, else
every core. bench/results.json keeps the last run of each main backend.`;

/** Settings from the command line; throws one line naming the bad option. */
function settingsFromArgs(argv: string[]): SuiteSettings {
  const { values } = parseArgs({
    args: argv,
    options: { quick: { type: 'boolean' }, tiny: { type: 'boolean' }, only: { type: 'string' }, backend: { type: 'string' }, help: { type: 'boolean' } },
    strict: true,
  });
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  if (values.quick && values.tiny) throw new Error('--quick and --tiny: choose one');
  const settings = values.tiny ? tinySettings() : values.quick ? quickSettings() : fullSettings();
  if (values.only !== undefined) {
    const names = values.only.split(',').map((s) => s.trim()).filter((s) => s !== '');
    const unknown = names.filter((n) => !(BENCH_NAMES as readonly string[]).includes(n));
    if (names.length === 0 || unknown.length > 0) {
      throw new Error(`--only: unknown benchmark '${unknown[0] ?? ''}' (choose from ${BENCH_NAMES.join(', ')})`);
    }
    settings.only = names as BenchName[];
  }
  if (values.backend !== undefined) {
    if (!(BACKEND_NAMES as readonly string[]).includes(values.backend)) {
      throw new Error(`--backend: unknown backend '${values.backend}' (choose one of ${BACKEND_NAMES.join(', ')})`);
    }
    const backend = values.backend as BackendName;
    settings.backend = backend;
    if (backend !== 'auto') settings.throughput.backends = [backend];
    // An explicit cpu request gets its reference-CNN step even under --quick.
    if (backend === 'cpu') settings.throughput.cpuSteps = Math.max(settings.throughput.cpuSteps, 1);
  }
  return settings;
}

async function main(): Promise<void> {
  const settings = settingsFromArgs(process.argv.slice(2));
  // Before minutes of benchmarks: a file this run could not merge into stops it now.
  readResults(RESULTS_FILE);
  const log = (line: string) => console.error(`[bench ${new Date().toISOString().slice(11, 19)}] ${line}`);
  const results = await runSuite(settings, log);
  const checks = targetChecks(results);
  console.log(formatReport(results, checks));
  console.log(`\nresults: ${writeResults(RESULTS_FILE, results, checks)}`);
}

main().catch((err: unknown) => {
  console.error(`bench: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
