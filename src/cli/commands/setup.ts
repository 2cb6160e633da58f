/** `asl-run setup tensorflow`: builds tfjs-node's addon against a TensorFlow 2.x wheel (see docs/gpu.md). */
import type { Argv, CommandModule } from 'yargs';
import type { GlobalOptions } from '../context';
import { UsageError } from '../usage-error';
import { TENSORFLOW_DIR_ENV } from '../../core/backend/tensorflow-setup/installation';
import { setupTensorflow } from '../../core/backend/tensorflow-setup/setup';
import { WHEEL_PACKAGES } from '../../core/backend/tensorflow-setup/wheel';

interface TensorflowArgs extends GlobalOptions {
  wheel?: string;
  python?: string;
  package?: (typeof WHEEL_PACKAGES)[number];
  dir?: string;
  force: boolean;
}

const tensorflowCommand: CommandModule<GlobalOptions, TensorflowArgs> = {
  command: 'tensorflow',
  describe: 'Build the native tensorflow backend (tfjs-node) against a TensorFlow 2.x wheel, then verify it against wasm',
  builder: (y) =>
    y
      .option('wheel', { type: 'string', describe: 'A TensorFlow wheel file (tensorflow_cpu-… or tensorflow-…whl); default: download one with pip' })
      .option('python', { type: 'string', describe: 'Python 3 that runs pip and node-gyp (default python3)' })
      .option('package', { choices: WHEEL_PACKAGES, describe: 'Wheel pip downloads without --wheel: tensorflow-cpu (default) or tensorflow (the GPU build)' })
      .option('dir', { type: 'string', describe: `Setup folder (default $${TENSORFLOW_DIR_ENV}, else <cache>/tensorflow); runs find it through $${TENSORFLOW_DIR_ENV}` })
      .option('force', { type: 'boolean', default: false, describe: 'Rebuild even where a finished installation exists' })
      .conflicts('wheel', 'package') as unknown as Argv<TensorflowArgs>,
  handler: async (args) => {
    const log = (line: string) => {
      if (!args.quiet) process.stderr.write(`asl-run: ${line}\n`);
    };
    const result = await setupTensorflow({ dir: args.dir, wheel: args.wheel, python: args.python, package: args.package, force: args.force }, log);
    process.stdout.write(`${JSON.stringify({ installRoot: result.installRoot, alreadySetUp: result.alreadySetUp, ...result.verification, wheel: result.record.wheel })}\n`);
  },
};

export const setupCommand: CommandModule<GlobalOptions, GlobalOptions & { component: string }> = {
  command: 'setup <component>',
  describe: 'Install optional components: tensorflow (the native backend, built against a TensorFlow wheel)',
  builder: (y) => y.command(tensorflowCommand) as unknown as Argv<GlobalOptions & { component: string }>,
  // Reached only when no subcommand matched.
  handler: (args) => {
    throw new UsageError(`setup: unknown component '${args.component}' (choose tensorflow)`);
  },
};
