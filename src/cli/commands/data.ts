/** `asl-run data make NAME --out DIR` and `asl-run data list`: the built-in datasets. */
import type { Argv, CommandModule } from 'yargs';
import type { GlobalOptions } from '../context';
import { BUILTIN_DATASETS, writeBuiltinDataset } from '../../core/data/builtin';
import { parseJsonFlag } from '../../core/config';
import { inFile } from '../../core/schema';
import { UsageError } from '../usage-error';

interface MakeArgs extends GlobalOptions {
  name: string;
  out: string;
  options?: string;
}

const makeCommand: CommandModule<GlobalOptions, MakeArgs> = {
  command: 'make <name>',
  describe: 'Write a built-in dataset (in the on-disk format users bring) into --out',
  builder: (y) =>
    y
      .positional('name', { type: 'string', choices: BUILTIN_DATASETS.map((d) => d.name), describe: 'Built-in dataset' })
      .option('out', { type: 'string', demandOption: true, describe: 'Folder to write (must be absent or empty)' })
      .option('options', { type: 'string', describe: 'Generator options as JSON, e.g. \'{"trainCount":500,"missingLabels":0.3}\' (see `data list`)' }) as unknown as Argv<MakeArgs>,
  handler: (args) => {
    const options = args.options ? parseJsonFlag('--options', args.options) : {};
    const root = writeBuiltinDataset(args.name, args.out, options, inFile('--options'));
    process.stdout.write(`${root}\n`);
  },
};

const listCommand: CommandModule<GlobalOptions, GlobalOptions> = {
  command: 'list',
  describe: 'List the built-in datasets with their options',
  handler: () => {
    for (const d of BUILTIN_DATASETS) {
      process.stdout.write(`${d.name} (${d.task}, ${d.format}): ${d.description}\n`);
      for (const [k, v] of Object.entries(d.defaults)) process.stdout.write(`    ${k} = ${v}  ${d.optionHelp[k]}\n`);
    }
  },
};

export const dataCommand: CommandModule<GlobalOptions, GlobalOptions & { command: string }> = {
  command: 'data <command>',
  describe: 'Built-in datasets: list, make',
  builder: (y) => y.command(makeCommand).command(listCommand) as unknown as Argv<GlobalOptions & { command: string }>,
  // Reached only when no subcommand matched.
  handler: (args) => {
    throw new UsageError(`data: unknown command '${args.command}' (choose list or make)`);
  },
};
