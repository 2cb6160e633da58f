/**
 * The `asl-run` command line. Errors from bad input end the process with one line on stderr and a
 * non-zero exit code; set ASL_RUN_DEBUG=1 to see stack traces.
 */
import yargs from 'yargs';
import { BACKEND_NAMES } from '../core/backend/init';
import { TrainingInterrupted } from '../core/engine/trainer';
import { UsageError } from './usage-error';
import { lossesCommand } from './commands/losses';
import { trainCommand } from './commands/train';
import { evalCommand } from './commands/evaluate';
import { predictCommand } from './commands/predict';
import { dataCommand } from './commands/data';
import { compareCommand } from './commands/compare';
import { setupCommand } from './commands/setup';
import { schemaCommand } from './commands/schema';
import { doctorCommand } from './commands/doctor';
import { pretrainCommand } from './commands/pretrain';
import { pluginBehind } from '../core/registry/plugin-loader';

export const EXIT_USAGE = 2;
export const EXIT_FAILURE = 1;

const oneLine = (text: string) => text.replace(/\s*\n\s*/g, ' ');

/**
 * An error no step awaited (a plugin's floating promise or timer): one line, naming the plugin
 * whose code it came from, and exit. Checkpoints are written atomically, so the last one is intact.
 */
function onStrayError(err: unknown): void {
  if (process.env.ASL_RUN_DEBUG) console.error(err);
  const plugin = pluginBehind(err);
  const message = err instanceof Error ? err.message : String(err);
  process.stderr.write(`asl-run: ${plugin ? `plugin ${plugin}: ` : ''}asynchronous error outside any awaited step (${oneLine(message)}); stopped\n`);
  process.exit(EXIT_FAILURE);
}

/** Runs the CLI on `argv` (without node and script) and resolves to the exit code. */
export async function main(argv: string[]): Promise<number> {
  process.on('unhandledRejection', onStrayError);
  process.on('uncaughtException', onStrayError);
  const parser = yargs(argv)
    .scriptName('asl-run')
    .usage('$0 <command> [options]\n\nTrain and compare image models with the Asymmetric Loss (ASL) and its baselines.')
    .option('backend', {
      choices: BACKEND_NAMES,
      default: 'auto' as const,
      describe:
        "TensorFlow.js backend: auto = tfjs-node-gpu on a GPU, then a hardware WebGPU adapter, then tfjs-node (or the one 'asl-run setup tensorflow' built) on the CPU, then wasm; webgpu = Dawn on any adapter, software included (asl-run doctor shows what loads here)",
      global: true,
    })
    .option('threads', {
      type: 'string',
      describe: `wasm backend: compute threads, 'auto' (every core, at most 8) or 1-8; results do not depend on it (default: $ASL_RUN_THREADS, else auto)`,
      global: true,
    })
    .option('plugin', {
      type: 'string',
      array: true,
      default: [] as string[],
      describe: 'Load a loss plugin module (default export a LossPlugin, or register(registry)); repeatable',
      global: true,
    })
    .option('quiet', { type: 'boolean', default: false, describe: 'No progress output on stderr', global: true })
    .command(trainCommand)
    .command(evalCommand)
    .command(predictCommand)
    .command(lossesCommand)
    .command(dataCommand)
    .command(compareCommand)
    .command(pretrainCommand)
    .command(setupCommand)
    .command(schemaCommand)
    .command(doctorCommand)
    .strict()
    .recommendCommands()
    .help()
    .alias('help', 'h')
    .version()
    .wrap(Math.min(110, process.stdout.columns ?? 110))
    .exitProcess(false)
    .fail((msg, err) => {
      // yargs reports its own validation problems as YError: those are usage errors (exit 2). Throwing
      // is what stops yargs: if fail() returns, it goes on to run the command's handler anyway.
      if (err && err.name !== 'YError') throw err;
      const text = msg ?? err?.message ?? 'invalid command line';
      // A stray first word is a mistyped command, not an "argument" (train is the default command).
      const first = argv.find((word) => !word.startsWith('-'));
      if (first !== undefined && text === `Unknown argument: ${first}`) throw new UsageError(`unknown command '${first}' (see asl-run --help)`);
      // A mistyped flag reads like every other unknown key: `--epoch: unknown option (…)`.
      const flag = /^Unknown arguments?: ([^,]+)/.exec(text)?.[1];
      if (flag !== undefined && argv.some((word) => word === `--${flag}` || word.startsWith(`--${flag}=`))) {
        throw new UsageError(`--${flag}: unknown option (the command's --help lists the known ones)`);
      }
      throw new UsageError(text);
    });
  try {
    await parser.parseAsync();
  } catch (err) {
    if (process.env.ASL_RUN_DEBUG) console.error(err);
    // One line, also for yargs' multi-line messages (e.g. invalid choices).
    process.stderr.write(`asl-run: ${oneLine((err as Error).message)}\n`);
    if (err instanceof UsageError) return EXIT_USAGE;
    return err instanceof TrainingInterrupted ? err.exitCode : EXIT_FAILURE;
  }
  return 0;
}
