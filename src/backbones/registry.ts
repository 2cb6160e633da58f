/**
 * Backbones by name, in the manner of timm's model registry: each entry point is a small object
 * (src/backbones/entries.ts for the built-ins) that the composition root binds; `--plugin` files
 * register more. `create` checks the options and builds the entry on a new image input. A name
 * `<scheme>:<spec>` goes to the factory of that scheme instead (`tfjs:PATH`, tfjs-backbone.ts),
 * which builds a backbone from something outside the registry, input included.
 */
import { tf } from '../core/tf';
import { Registry, type Named } from '../core/registry/registry';
import { PluginError, reason } from '../core/registry/plugin-guard';
import type { Backbone, BackboneFeatures } from './backbone';
import { markBackboneLayers } from './backbone-layers';

export interface BackboneOptions {
  /** Input image shape [H, W, C]; fixed, because the FPN needs static feature sizes. */
  inputShape: [number, number, number];
  /** Scales every channel count (rounded to a multiple of 8). Default 1. */
  widthMultiplier?: number;
  /** Overrides the entry's stem stride (1 keeps full resolution for very small images). */
  stemStride?: 1 | 2;
  /** Prefix for every layer name, to keep two backbones in one model apart. Default ''. */
  prefix?: string;
  /** A factory backbone's feature maps: the names of the layers that output them, shallow to deep. */
  taps?: readonly string[];
}

/** One backbone entry point. */
export interface BackboneEntry extends Named {
  /** One line for `asl-run backbones` / listings. */
  readonly description: string;
  /**
   * The backbone body on `input` [N, H, W, C]: feature maps shallow to deep with their strides
   * (increasing) and channels. Layer names must start with `prefix`.
   * @param stemStride the user's override of the entry's own stem stride, if any
   */
  build(input: tf.SymbolicTensor, widthMultiplier: number, stemStride: 1 | 2 | undefined, prefix: string): BackboneFeatures;
}

/** Backbones named `<scheme>:<spec>`, built from `spec` (a file, …) rather than registered one by one. */
export interface BackboneFactory {
  /** The name's prefix before `:`, e.g. `tfjs`. */
  readonly scheme: string;
  /** The backbone of `spec` on a new input of `options.inputShape`, named `<scheme>:<spec>`; one-line errors name the option or file at fault. */
  create(spec: string, options: BackboneOptions): Backbone;
}

export class BackboneRegistry extends Registry<BackboneEntry> {
  private readonly factories: readonly BackboneFactory[];

  constructor(builtins: readonly BackboneEntry[] = [], factories: readonly BackboneFactory[] = []) {
    super('backbone', '--backbone', builtins);
    this.factories = factories;
  }

  /** The factory that builds `name`, when `name` is `<scheme>:<spec>` of a known scheme. */
  private factoryFor(name: string): BackboneFactory | undefined {
    const colon = name.indexOf(':');
    return colon > 0 ? this.factories.find((f) => f.scheme === name.slice(0, colon)) : undefined;
  }

  /** Whether `name` is built by a factory from something outside the registry (a model file), whose weights come with it. */
  isFactoryBuilt(name: string): boolean {
    return this.factoryFor(name) !== undefined;
  }

  /**
   * Builds backbone `name` on a new input: per-stage feature maps (shallow to deep) with their
   * strides and channels; see `Backbone`.
   * @throws Error on an unknown name (listing the known ones) or invalid options.
   */
  create(name: string, options: BackboneOptions): Backbone {
    const { inputShape, widthMultiplier = 1, stemStride, prefix = '' } = options;
    if (inputShape.length !== 3 || inputShape.some((d) => !Number.isInteger(d) || d < 1)) {
      throw new Error(`backbone '${name}': inputShape must be [H, W, C] of positive integers, got [${inputShape.join(', ')}]`);
    }
    if (!(widthMultiplier > 0) || !Number.isFinite(widthMultiplier)) {
      throw new Error(`backbone '${name}': widthMultiplier must be a positive number, got ${widthMultiplier}`);
    }
    if (stemStride !== undefined && stemStride !== 1 && stemStride !== 2) {
      throw new Error(`backbone '${name}': stemStride must be 1 or 2, got ${stemStride}`);
    }
    const factory = this.factoryFor(name);
    if (factory) {
      const backbone = factory.create(name.slice(factory.scheme.length + 1), options);
      markBackboneLayers(backbone.features);
      return backbone;
    }
    if (options.taps && options.taps.length > 0) {
      const forms = this.factories.map((f) => `--backbone ${f.scheme}:…`).join(' or ');
      throw new Error(`--taps: applies to a backbone read from a model file (${forms}), not to '${name}'`);
    }
    const { component: entry, source } = this.entry(name);
    const inputs = tf.input({ shape: inputShape, name: `${prefix}image` });
    const built = source === 'built-in' ? entry.build(inputs, widthMultiplier, stemStride, prefix) : this.buildPlugin(entry, source, inputs, options);
    markBackboneLayers(built.features);
    return { name, inputs, ...built };
  }

  private buildPlugin(entry: BackboneEntry, source: string, inputs: tf.SymbolicTensor, options: BackboneOptions): BackboneFeatures {
    const { inputShape, widthMultiplier = 1, stemStride, prefix = '' } = options;
    try {
      return entry.build(inputs, widthMultiplier, stemStride, prefix);
    } catch (err) {
      throw new PluginError(`plugin ${source}: backbone '${entry.name}': build() failed for input [${inputShape.join(', ')}] (${reason(err)})`);
    }
  }
}
