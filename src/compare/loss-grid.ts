/**
 * Parameter grids over losses for `compare`: `--loss-grid 'asl={"gammaNeg":[1,2,4],"clip":[0,0.05]}'`
 * replaces `asl` in the sweep's losses by one variant per combination of the listed values, each an
 * ordinary loss of the sweep with its own run folders, rows and paired differences. A variant is
 * named by its loss and parameters, `asl@gammaNeg=1,clip=0` (keys in the order given, later keys
 * varying fastest), which is also its folder name: a sweep rerun with the same grid finds its cells.
 */
import { ConfigError } from '../core/config';
import { parseOrThrow, z } from '../core/schema';

/** A loss of the sweep as trained: the registered (or counterpart) name and its parameters. */
export interface LossVariant {
  loss: string;
  params: Record<string, unknown>;
}

/** One grid per loss name: parameter → the values to try. */
export type LossGrids = Record<string, Record<string, unknown[]>>;

// A value becomes part of its variant's folder name: a string stays a plain name.
const plainText = z.string().regex(/^[A-Za-z0-9._-]+$/, { error: "a plain string (letters, digits, '.', '_', '-')" });
const scalar = z.union([z.number(), plainText, z.boolean()], { error: 'a number, string or boolean' });
const gridSchema = z.record(z.string(), z.array(scalar, { error: 'a list of values' }).min(1, { error: 'at least one value' }), { error: 'an object of parameter lists' });

/** Parses the `--loss-grid LOSS=JSON` values; each names a loss of `losses` once. */
export function parseLossGrids(values: readonly string[], losses: readonly string[]): LossGrids {
  const grids: LossGrids = {};
  for (const value of values) {
    const eq = value.indexOf('=');
    const loss = eq > 0 ? value.slice(0, eq).trim() : '';
    if (!loss) throw new ConfigError(`--loss-grid ${value}: expected LOSS=JSON, e.g. asl='{"gammaNeg":[1,2,4]}'`);
    if (!losses.includes(loss)) throw new ConfigError(`--loss-grid ${loss}: not in --losses (${losses.join(', ')})`);
    if (grids[loss] !== undefined) throw new ConfigError(`--loss-grid: two grids for ${loss}`);
    let json: unknown;
    try {
      json = JSON.parse(value.slice(eq + 1));
    } catch (err) {
      throw new ConfigError(`--loss-grid ${loss}: not JSON (${(err as Error).message})`);
    }
    const grid = parseOrThrow(gridSchema, json, (keyPath) => `--loss-grid ${[loss, ...keyPath].join('.')}`);
    if (Object.keys(grid).length === 0) throw new ConfigError(`--loss-grid ${loss}: give at least one parameter with its values`);
    grids[loss] = grid;
  }
  return grids;
}

/** Every combination of the grid's values, the last parameter varying fastest. */
function combinations(grid: Record<string, unknown[]>): Record<string, unknown>[] {
  return Object.entries(grid).reduce<Record<string, unknown>[]>(
    (partial, [key, values]) => partial.flatMap((params) => values.map((v) => ({ ...params, [key]: v }))),
    [{}],
  );
}

export function variantName(loss: string, params: Record<string, unknown>): string {
  return `${loss}@${Object.entries(params).map(([k, v]) => `${k}=${String(v)}`).join(',')}`;
}

/**
 * The sweep's losses with every gridded one replaced by its variants, in place, and what each name
 * trains; a loss without a grid trains as itself with the task's default parameters.
 */
export function expandLosses(losses: readonly string[], grids: LossGrids): { losses: string[]; variants: Record<string, LossVariant> } {
  const variants: Record<string, LossVariant> = {};
  const expanded = losses.flatMap((loss) => {
    if (grids[loss] === undefined) {
      variants[loss] = { loss, params: {} };
      return [loss];
    }
    return combinations(grids[loss]).map((params) => {
      const name = variantName(loss, params);
      variants[name] = { loss, params };
      return name;
    });
  });
  return { losses: expanded, variants };
}
