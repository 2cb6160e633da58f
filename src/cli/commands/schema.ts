/** `asl-run schema`: the JSON Schema of a config file (configs/config.schema.json is its output). */
import type { CommandModule } from 'yargs';
import type { GlobalOptions } from '../context';
import { createContainer, TOKENS } from '../../core/container';
import type { TaskRegistry } from '../../core/registry/task-registry';
import { configJsonSchemaText } from '../../core/config-json-schema';

export const schemaCommand: CommandModule<GlobalOptions, GlobalOptions> = {
  command: 'schema',
  describe: 'Print the JSON Schema of a config file (--config), which configs/*.json name with "$schema" so editors complete and check them',
  // No backend: the schema is the registered tasks' options, nothing is computed.
  handler: () => {
    process.stdout.write(configJsonSchemaText(createContainer().get<TaskRegistry>(TOKENS.TaskRegistry)));
  },
};
