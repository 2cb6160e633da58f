/**
 * The contract of the plugin component kinds without a probe of their own (assigners, built-in
 * datasets, optimisers, schedules, tasks): a name, a description, and the methods the kind's
 * users call. Each kind's interface documents what those methods must do.
 */
import { z } from '../schema';
import { checkContract, fn, identifier, text } from './contract';
import type { Named } from './registry';

/** @throws PluginError `plugin <source>: <field>: …` when `candidate` lacks a field or a method. */
export function checkNamedComponent<T extends Named>(candidate: unknown, source: string, what: string, methods: readonly string[]): T {
  const shape = Object.fromEntries([['name', identifier()], ['description', text()], ...methods.map((m) => [m, fn()])]);
  return checkContract<T>(z.object(shape, { error: `a ${what} object { name, description, ${methods.join(', ')} }` }), candidate, source);
}
