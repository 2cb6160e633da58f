/** `asl-run data make NAME --out DIR` and `asl-run data list`: the built-in datasets. */
import type { Argv, CommandModule } from 'yargs';
import { loadComponents, type GlobalOptions } from '../context';
import { describeDataset, writeBuiltinDataset, type DatasetRegistry } from '../../core/data/builtin';
import { TOKENS } from '../../core/container';
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
      .positional('name', { type: 'string', describe: 'Built-in dataset (see `data list`)' })
      .option('out', { type: 'string', demandOption: true, describe: 'Folder to write (must be absent or empty)' })
      .option('options', { type: 'string', describe: 'Generator options as JSON, e.g. \'{"trainCount":500,"missingLabels":0.3}\' (see `data list`)' }) as unknown as Argv<MakeArgs>,
  handler: async (args) => {
    const options = args.options ? parseJsonFlag('--options', args.options) : {};
    const datasets = (await loadComponents(args)).get<DatasetRegistry>(TOKENS.DatasetRegistry);
    const root = writeBuiltinDataset(datasets.get(args.name), args.out, options, inFile('--options'));
    process.stdout.write(`${root}\n`);
  },
};

const listCommand: CommandModule<GlobalOptions, GlobalOptions> = {
  command: 'list',
  describe: 'List the built-in datasets with their options',
  handler: async (args) => {
    const datasets = (await loadComponents(args)).get<DatasetRegistry>(TOKENS.DatasetRegistry);
    for (const d of datasets.list().map((e) => describeDataset(e.component))) {
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
