/**
 * The contract of the plugin component kinds without a probe of their own (assigners, built-in
 * datasets, optimisers, schedules, tasks): a name, a description, and the methods the kind's
 * users call. Each kind's interface documents what those methods must do.
 */
import { oneOf, z } from '../schema';
import { checkContract, fn, identifier, text } from './contract';
import type { Named } from './registry';

/**
 * @param fields the kind's other fields besides its methods (a task's `traits` and `optionsSchema`)
 * @throws PluginError `plugin <source>: <field>: …` when `candidate` lacks a field or a method.
 */
export function checkNamedComponent<T extends Named>(candidate: unknown, source: string, what: string, methods: readonly string[], fields: Record<string, z.ZodType> = {}): T {
  const shape = { name: identifier(), description: text(), ...Object.fromEntries(methods.map((m) => [m, fn()])), ...fields };
  return checkContract<T>(z.object(shape, { error: `a ${what} object { ${Object.keys(shape).join(', ')} }` }), candidate, source);
}

/** What a plugin task adds to the named contract: what `compare` and the trainer read, and its options' schema. */
export const TASK_FIELDS: Record<string, z.ZodType> = {
  traits: z.object(
    { lossKind: oneOf(['sigmoid', 'softmax']), primaryMetric: text(), metricDirection: oneOf(['max', 'min']) },
    { error: 'an object { lossKind, primaryMetric, metricDirection }' },
  ),
  optionsSchema: z.custom<z.ZodType>((v) => v instanceof z.ZodType, { error: 'a zod schema' }),
};
