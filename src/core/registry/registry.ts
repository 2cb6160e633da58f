/**
 * One registry of named components of one kind (losses, backbones, detection heads, assigners,
 * built-in datasets, optimisers, schedules, tasks). The composition root (src/core/container.ts)
 * binds one per kind, filled with the built-ins; `--plugin` files add to them (plugin-loader.ts).
 * Everything that resolves a component by name receives the registry of its kind by injection.
 */

/** A component: anything with a name (an identifier: letters, digits, `.`, `_`, `-`). */
export interface Named {
  readonly name: string;
}

export interface RegisterOptions {
  /** Replace an existing component of the same name instead of failing. */
  replace?: boolean;
  /** Where the component came from: a plugin file's path, or `built-in` (default). */
  source?: string;
}

export interface RegistryEntry<T> {
  component: T;
  /** A plugin file's path, or `built-in`. */
  source: string;
}

export class Registry<T extends Named> {
  private readonly entries = new Map<string, RegistryEntry<T>>();

  /**
   * @param kind what the components are, singular, for messages: `loss`, `backbone`, `detection head`
   * @param option the option that selects one, for messages (`--backbone`, `taskOptions.head`), or '' where the caller names it
   */
  constructor(
    readonly kind: string,
    readonly option: string,
    builtins: readonly T[] = [],
  ) {
    for (const component of builtins) this.register(component);
  }

  /** @throws Error when the name is taken and `replace` is not set. */
  register(component: T, options: RegisterOptions = {}): void {
    const existing = this.entries.get(component.name);
    if (existing && !options.replace) {
      throw new Error(`${this.kind} '${component.name}' is already registered (from ${existing.source}); pass { replace: true } to replace it`);
    }
    this.entries.set(component.name, { component, source: options.source ?? 'built-in' });
  }

  /** Puts back what was registered under `name` before: `previous`, or nothing (a failed plugin's registrations are undone so). */
  restore(name: string, previous: RegistryEntry<T> | undefined): void {
    if (previous) this.entries.set(name, previous);
    else this.entries.delete(name);
  }

  has(name: string): boolean {
    return this.entries.has(name);
  }

  /** @throws Error `<option>: unknown <kind> '<name>' (known: …)`. */
  get(name: string): T {
    return this.entry(name).component;
  }

  /** @throws Error `<option>: unknown <kind> '<name>' (known: …)`. */
  entry(name: string): RegistryEntry<T> {
    const found = this.entries.get(name);
    if (!found) throw new Error(`${this.option ? `${this.option}: ` : ''}unknown ${this.kind} '${name}' (known: ${this.names().join(', ')})`);
    return found;
  }

  /** Registered names, in registration order (the composition root's order for built-ins). */
  names(): string[] {
    return [...this.entries.keys()];
  }

  /** Every entry, in the order of `names()`. */
  list(): RegistryEntry<T>[] {
    return this.names().map((name) => this.entries.get(name)!);
  }
}
