/**
 * Generic loss-parameter validation: merge user parameters over a plugin's defaults, reject
 * unknown names (listing the known ones) and check each value's type and range, with the zod
 * schema the rules describe. Every message is one line, `<loss>: <param>: expected …, got …`, as
 * for every other option, so a typo in a config file is easy to find.
 */
import type { LossParams, Reduction } from './loss-plugin';
import { isObject } from '../core/config';
import { bool, numberIn, oneOf, parseOrThrow, z, type Range } from '../core/schema';

/** A finite number, optionally bounded; `*Open` makes that bound exclusive. */
export interface NumberRule extends Range {
  type: 'number';
}

export interface BooleanRule {
  type: 'boolean';
}

export interface ChoiceRule {
  type: 'choice';
  choices: readonly string[];
}

export type ParamRule = NumberRule | BooleanRule | ChoiceRule;

/** One rule per parameter of `P`; the keys of the defaults and of the rules must agree. */
export type ParamRules<P extends LossParams> = { readonly [K in keyof P]: ParamRule };

export const REDUCTIONS: readonly Reduction[] = ['sum', 'mean', 'none'];

/** The rule every built-in loss uses for its `reduction` parameter. */
export const REDUCTION_RULE: ChoiceRule = { type: 'choice', choices: REDUCTIONS };

/** The zod schema of one rule: its error shows the rule ("a number >= 0", "one of 'sum', …"). */
function schemaOf(rule: ParamRule): z.ZodType {
  switch (rule.type) {
    case 'number':
      return numberIn(rule);
    case 'boolean':
      return bool();
    case 'choice':
      return oneOf(rule.choices as [string, ...string[]]);
  }
}

/** Built once per loss (adaptive ASL creates a loss every step). */
const schemas = new WeakMap<object, z.ZodType>();

/**
 * Merges `given` over `defaults` and checks every parameter against `rules`.
 * @throws ConfigError `<loss>: unknown parameter 'x' (known: a, b)` or `<loss>: <param>: expected …, got …`.
 */
export function validateParams<P extends LossParams>(
  loss: string,
  defaults: Readonly<P>,
  rules: ParamRules<P>,
  given: Partial<LossParams>,
): P {
  let schema = schemas.get(rules);
  if (!schema) {
    schema = z.strictObject(Object.fromEntries(Object.keys(defaults).map((name) => [name, schemaOf(rules[name as keyof P])])), { error: 'an object of parameters' });
    schemas.set(rules, schema);
  }
  const merged = isObject(given) ? { ...defaults, ...Object.fromEntries(Object.entries(given).filter(([, v]) => v !== undefined)) } : given;
  return parseOrThrow(schema, merged, (keyPath, unknownKey) => (unknownKey || keyPath.length === 0 ? loss : `${loss}: ${keyPath.join('.')}`), 'parameter') as P;
}
