/**
 * zod building blocks for user-facing options, and the one error line they produce.
 *
 * Every leaf schema carries the phrase its error shows ("an integer >= 1", "a number in [0, 1]"),
 * so a problem reads `<option>: expected <phrase>, got <value>` whichever check failed. Checks
 * that relate several options (custom issues) carry their whole message instead.
 */
import { z } from 'zod';
import { ConfigError } from './config';

export { z };

/** Bounds of a number option; `*Open` makes that bound exclusive. */
export interface Range {
  min?: number;
  max?: number;
  minOpen?: boolean;
  maxOpen?: boolean;
}

/** `a number >= 0`, `an integer in [1, 8]`, `a number in (0, 1)`, … */
function describeRange(noun: 'a number' | 'an integer', range: Range): string {
  const { min, max } = range;
  if (min !== undefined && max !== undefined) return `${noun} in ${range.minOpen ? '(' : '['}${min}, ${max}${range.maxOpen ? ')' : ']'}`;
  if (min !== undefined) return `${noun} ${range.minOpen ? '>' : '>='} ${min}`;
  if (max !== undefined) return `${noun} ${range.maxOpen ? '<' : '<='} ${max}`;
  return noun === 'a number' ? 'a finite number' : 'an integer';
}

function bounded(schema: z.ZodNumber, range: Range, error: string): z.ZodNumber {
  let out = schema;
  if (range.min !== undefined) out = range.minOpen ? out.gt(range.min, { error }) : out.gte(range.min, { error });
  if (range.max !== undefined) out = range.maxOpen ? out.lt(range.max, { error }) : out.lte(range.max, { error });
  return out;
}

/** A finite number within `range` (zod rejects NaN and ±Infinity). */
export function numberIn(range: Range = {}): z.ZodNumber {
  const error = describeRange('a number', range);
  return bounded(z.number({ error }), range, error);
}

/** A safe integer within `range`. */
export function integerIn(range: Range = {}): z.ZodNumber {
  const error = describeRange('an integer', range);
  return bounded(z.int({ error }), range, error);
}

export function oneOf<const T extends readonly [string, ...string[]]>(values: T) {
  return z.enum(values, { error: `one of ${values.map((v) => `'${v}'`).join(', ')}` });
}

export const bool = () => z.boolean({ error: 'true or false' });
export const text = () => z.string({ error: 'a string' });
export const nonEmptyText = (what: string) => z.string({ error: what }).min(1, { error: what });
/** A JSON object whose keys another owner checks (a loss's parameters, a generator's options). */
export const openObject = () => z.record(z.string(), z.unknown(), { error: 'an object' });

/** The user's value as they wrote it. */
function showValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (typeof value === 'number' && !Number.isFinite(value)) return String(value);
  return JSON.stringify(value);
}

function valueAt(root: unknown, keyPath: readonly PropertyKey[]): unknown {
  let node = root;
  for (const key of keyPath) node = typeof node === 'object' && node !== null ? (node as Record<PropertyKey, unknown>)[key] : undefined;
  return node;
}

/** The object schema that checks `value` at `node`: the node itself, or the option of a discriminated union that `value` selects. */
function objectFor(node: z.ZodType | undefined, value: unknown): z.ZodObject | undefined {
  if (node instanceof z.ZodDiscriminatedUnion) {
    const key = node.def.discriminator;
    const chosen = valueAt(value, [key]);
    return node.options.find((o): o is z.ZodObject => o instanceof z.ZodObject && (o.shape[key] as z.ZodType | undefined)?.safeParse(chosen).success === true);
  }
  return node instanceof z.ZodObject ? node : undefined;
}

/** Keys of the object schema that checks `value` at `keyPath` (for "known: …" in unknown-key errors). */
function knownKeys(schema: z.ZodType, value: unknown, keyPath: readonly PropertyKey[]): string[] {
  let node: z.ZodType | undefined = schema;
  keyPath.forEach((key, i) => {
    node = objectFor(node, valueAt(value, keyPath.slice(0, i)))?.shape[String(key)] as z.ZodType | undefined;
  });
  return Object.keys(objectFor(node, valueAt(value, keyPath))?.shape ?? {});
}

/**
 * How the option at `keyPath` is named in a message, e.g. `--epochs` or `configs/a.json: train.epochs`.
 * With `unknownKey`, `keyPath` ends in a key the schema does not know, and the message itself shows that path.
 */
export type IssueLabel = (keyPath: string[], unknownKey?: boolean) => string;

/** Options that are command-line flags of the same names (`--top`). */
export const asFlags: IssueLabel = (keyPath) => `--${keyPath.join('.')}`;

/** Options read from a JSON file: the file, then the key. */
export const inFile = (file: string): IssueLabel => (keyPath, unknownKey) => (unknownKey || keyPath.length === 0 ? file : `${file}: ${keyPath.join('.')}`);

/**
 * Parses `value` with `schema`; on failure throws ConfigError with the first problem as one line.
 * @param label names the option at a dotted key path (its source: a file, a flag).
 * @param noun what an unknown key is called in the message.
 */
export function parseOrThrow<S extends z.ZodType>(schema: S, value: unknown, label: IssueLabel, noun: 'option' | 'parameter' = 'option'): z.output<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const keyPath = issue.path.map(String);
  if (issue.code === 'unrecognized_keys') {
    const key = issue.keys[0];
    const parent = keyPath.join('.');
    const known = knownKeys(schema, value, issue.path);
    throw new ConfigError(
      `${label([...keyPath, key], true)}: unknown ${noun} '${[...keyPath, key].join('.')}' (known${parent ? ` under '${parent}'` : ''}: ${known.join(', ') || 'none'})`,
    );
  }
  if (issue.code === 'custom') throw new ConfigError(`${label(keyPath)}: ${issue.message}`);
  throw new ConfigError(`${label(keyPath)}: expected ${issue.message}, got ${showValue(valueAt(value, issue.path))}`);
}
