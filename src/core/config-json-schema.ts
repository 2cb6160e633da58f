/**
 * The JSON Schema of a config file (`--config FILE`), emitted from the zod schemas that check it,
 * so that editors complete and check the files in configs/ (they name it with `$schema`) and the
 * two cannot disagree. `npm run schema` (`asl-run schema`) writes configs/config.schema.json.
 *
 * What JSON Schema cannot say stays with zod: relations between options (cropRatioMin <= cropRatioMax,
 * detection's levelBounds per stride), a loss's parameters (checked by the loss named in `loss`).
 */
import { z } from './schema';
import { baseRunConfig, runConfigSchema } from './run-config';
import type { TaskRegistry } from './registry/task-registry';

type JsonSchema = { [key: string]: unknown };

/** The key a config file may hold to name its schema; the loader drops it. */
export const SCHEMA_KEY = '$schema';

/** draft-07: the draft editors (VS Code, JetBrains IDEs) and Ajv's default class check in full, `if`/`then` included. */
function toJsonSchema(schema: z.ZodType): JsonSchema {
  const { $schema: _draft, ...body } = z.toJSONSchema(schema, { target: 'draft-7', io: 'input', unrepresentable: 'throw', override: anyOfBranches }) as JsonSchema;
  return body;
}

/**
 * A discriminated union (detection's options, one branch per head) as `anyOf`: without `required`
 * (withoutRequired), a file that leaves out the discriminator may match several branches, which
 * `oneOf` would reject.
 */
function anyOfBranches({ jsonSchema }: { jsonSchema: JsonSchema }): void {
  if (!jsonSchema.oneOf) return;
  jsonSchema.anyOf = jsonSchema.oneOf;
  delete jsonSchema.oneOf;
}

/** A config file sets only what differs from the task's defaults, so no key is required anywhere. */
function withoutRequired(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(withoutRequired);
  if (typeof node !== 'object' || node === null) return node;
  return Object.fromEntries(Object.entries(node).filter(([key]) => key !== 'required').map(([key, value]) => [key, withoutRequired(value)]));
}

/**
 * The schema of a config file for the tasks in `tasks`: the run config, with `taskOptions` checked
 * by the schema of the task the file names (or of the default task when it names none).
 */
export function configJsonSchema(tasks: TaskRegistry): JsonSchema {
  const run = withoutRequired(toJsonSchema(runConfigSchema)) as JsonSchema & { properties: JsonSchema };
  const defaultTask = baseRunConfig().task;
  const perTask = tasks.names().map((name) => ({
    if: { properties: { task: { const: name } }, ...(name === defaultTask ? {} : { required: ['task'] }) },
    then: { properties: { taskOptions: withoutRequired(toJsonSchema(tasks.get(name).optionsSchema)) } },
  }));
  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    title: 'asl-run config file',
    description: `A run's config for \`asl-run --config FILE\`: the keys that differ from the task's defaults (a run's config.json lists them all); command-line flags override it.`,
    ...run,
    properties: {
      [SCHEMA_KEY]: { type: 'string', description: 'This schema, for editors; ignored by asl-run' },
      ...run.properties,
      task: { enum: tasks.names(), description: `The task (default ${defaultTask}); it decides which taskOptions exist` },
    },
    allOf: perTask,
  };
}

/** The schema as the committed file holds it. */
export function configJsonSchemaText(tasks: TaskRegistry): string {
  return `${JSON.stringify(configJsonSchema(tasks), null, 2)}\n`;
}
