/**
 * Generic loss-parameter validation: merge user parameters over a plugin's defaults, reject
 * unknown names (listing the known ones) and check each value's type and range. Every message
 * is one line, `<loss>: <param> must be …, got …`, so a typo in a config file is easy to find.
 */
import type { LossParams, LossParamValue, Reduction } from './loss-plugin';

/** A finite number, optionally bounded; `*Open` makes that bound exclusive. */
export interface NumberRule {
  type: 'number';
  min?: number;
  max?: number;
  minOpen?: boolean;
  maxOpen?: boolean;
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

/** `a number >= 0`, `a number in [0, 1)`, … */
function describeNumberRule(rule: NumberRule): string {
  const { min, max } = rule;
  if (min !== undefined && max !== undefined) {
    return `a number in ${rule.minOpen ? '(' : '['}${min}, ${max}${rule.maxOpen ? ')' : ']'}`;
  }
  if (min !== undefined) return `a number ${rule.minOpen ? '>' : '>='} ${min}`;
  if (max !== undefined) return `a number ${rule.maxOpen ? '<' : '<='} ${max}`;
  return 'a finite number';
}

function describeRule(rule: ParamRule): string {
  switch (rule.type) {
    case 'number':
      return describeNumberRule(rule);
    case 'boolean':
      return 'true or false';
    case 'choice':
      return `one of ${rule.choices.map((c) => `'${c}'`).join(', ')}`;
  }
}

function satisfies(rule: ParamRule, value: LossParamValue): boolean {
  switch (rule.type) {
    case 'number': {
      if (typeof value !== 'number' || !Number.isFinite(value)) return false;
      const { min, max } = rule;
      if (min !== undefined && (rule.minOpen ? value <= min : value < min)) return false;
      if (max !== undefined && (rule.maxOpen ? value >= max : value > max)) return false;
      return true;
    }
    case 'boolean':
      return typeof value === 'boolean';
    case 'choice':
      return typeof value === 'string' && rule.choices.includes(value);
  }
}

/** Shows the offending value as the user wrote it, with its type when that is the problem. */
function describeValue(value: unknown): string {
  if (typeof value === 'string') return `'${value}' (a string)`;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (value === null) return 'null';
  return Array.isArray(value) ? 'an array' : `${typeof value}`;
}

/**
 * Merges `given` over `defaults` and checks every parameter against `rules`.
 * @throws Error `<loss>: unknown parameter 'x' (known: a, b)` or `<loss>: <param> must be …, got …`.
 */
export function validateParams<P extends LossParams>(
  loss: string,
  defaults: Readonly<P>,
  rules: ParamRules<P>,
  given: Partial<LossParams>,
): P {
  if (typeof given !== 'object' || given === null || Array.isArray(given)) {
    throw new Error(`${loss}: parameters must be an object, got ${describeValue(given)}`);
  }
  const known = Object.keys(defaults);
  for (const name of Object.keys(given)) {
    if (!known.includes(name)) throw new Error(`${loss}: unknown parameter '${name}' (known: ${known.join(', ')})`);
  }
  const merged: LossParams = { ...defaults };
  for (const [name, value] of Object.entries(given)) {
    if (value !== undefined) merged[name] = value;
  }
  for (const name of known) {
    const rule = rules[name as keyof P];
    if (!satisfies(rule, merged[name])) {
      throw new Error(`${loss}: ${name} must be ${describeRule(rule)}, got ${describeValue(merged[name])}`);
    }
  }
  return merged as P;
}
