/**
 * The zod building blocks of the plugin contracts, and the check that turns a contract violation
 * into one PluginError line naming the file, the component and the field.
 */
import { parseOrThrow, z } from '../schema';
import { PluginError } from './plugin-guard';

/** A component name: an identifier (letters, digits, . _ -). */
export const identifier = () => z.string({ error: 'an identifier string' }).regex(/^[a-z0-9][a-z0-9._-]*$/i, { error: 'an identifier string (letters, digits, . _ -)' });

export const fn = () => z.custom<(...args: never[]) => unknown>((v) => typeof v === 'function', { error: 'must be a function' });

export const text = () => z.string({ error: 'a string' }).min(1, { error: 'a non-empty string' });

/**
 * Checks `candidate` against `contract`; the error is `plugin <source>: <field path>: expected …`.
 * @throws PluginError
 */
export function checkContract<T>(contract: z.ZodType, candidate: unknown, source: string): T {
  try {
    parseOrThrow(contract, candidate, (keyPath) => [`plugin ${source}`, ...(keyPath.length > 0 ? [keyPath.join('.')] : [])].join(': '));
  } catch (err) {
    throw new PluginError((err as Error).message);
  }
  return candidate as T;
}
