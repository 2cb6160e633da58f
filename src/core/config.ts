/**
 * Run configuration: plain JSON a user can read and diff. A run's config is resolved as
 * task defaults ← `--config FILE` ← command-line flags, each layer checked by the config's schema
 * (src/core/run-config.ts), and written fully resolved into the run folder.
 */
import * as fs from 'fs';
import { parseJson } from './data/formats/json-file';

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

export class ConfigError extends Error {}

export function isObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function kind(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  return typeof v;
}

/**
 * Overlays `override` on `base`, recursing where both hold an object; anything else in `override`
 * replaces. Nothing is checked here: the merged result goes through the config's schema, which
 * names the key that is unknown or wrong.
 */
export function deepMerge<T>(base: T, override: JsonObject): T {
  const out: JsonObject = { ...(base as JsonObject) };
  for (const [key, value] of Object.entries(override)) {
    const current = out[key];
    out[key] = isObject(current) && isObject(value) ? deepMerge(current, value) : value;
  }
  return out as T;
}

/** Reads a JSON config file; errors name the file (and position for syntax errors). */
export function readJsonFile(file: string): unknown {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError(`${file}: cannot read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
  return parseConfigJson(text, file);
}

/** JSON with the located syntax error of the data readers, reported as a ConfigError. */
function parseConfigJson(text: string, source: string): unknown {
  try {
    return parseJson(text, source);
  } catch (err) {
    throw new ConfigError((err as Error).message);
  }
}

/** Parses a JSON flag value such as --loss-params '{"gammaNeg":4}'. */
export function parseJsonFlag(flag: string, text: string): JsonObject {
  const value = parseConfigJson(text, flag);
  if (!isObject(value)) throw new ConfigError(`${flag}: must be a JSON object, got ${kind(value)}`);
  return value;
}

/** Sets `obj[a][b]…` from a dotted path, creating objects on the way (for flag overrides). */
export function setPath(obj: JsonObject, dotted: string, value: JsonValue): void {
  const keys = dotted.split('.');
  let node = obj;
  for (const key of keys.slice(0, -1)) node = (node[key] = isObject(node[key]) ? node[key] : {}) as JsonObject;
  node[keys[keys.length - 1]] = value;
}
