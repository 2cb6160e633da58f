/** `asl-run losses`: every registered loss (built-ins and --plugin files) with kind and defaults. */
import type { CommandModule } from 'yargs';
import { createContext, GlobalOptions } from '../context';

interface LossesArgs extends GlobalOptions {
  json: boolean;
}

export const lossesCommand: CommandModule<GlobalOptions, LossesArgs> = {
  command: 'losses',
  describe: 'List the registered losses (built-ins and --plugin files) with their kind and default parameters',
  builder: (y) => y.option('json', { type: 'boolean', default: false, describe: 'Print JSON instead of a table' }),
  handler: async (args) => {
    const { losses } = await createContext(args);
    const rows = losses.list().map(({ component: plugin, source }) => ({
      name: plugin.name,
      kind: plugin.kind,
      defaults: plugin.defaults,
      source,
      description: plugin.description ?? '',
    }));
    if (args.json) {
      process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
      return;
    }
    const width = Math.max(...rows.map((r) => r.name.length), 4);
    process.stdout.write(`${'name'.padEnd(width)}  kind     defaults\n`);
    for (const r of rows) {
      const where = r.source === 'built-in' ? '' : `  [${r.source}]`;
      process.stdout.write(`${r.name.padEnd(width)}  ${r.kind.padEnd(7)}  ${JSON.stringify(r.defaults)}${where}\n`);
    }
  },
};
