/**
 * Backbones by name, in the manner of timm's model registry: each entry point is a small object
 * (src/backbones/entries.ts for the built-ins) that the composition root binds; `--plugin` files
 * register more. `create` checks the options and builds the entry on a new image input.
 */
import { tf } from '../core/tf';
import { Registry, type Named } from '../core/registry/registry';
import { PluginError, reason } from '../core/registry/plugin-guard';
import type { Backbone, BackboneFeatures } from './backbone';

export interface BackboneOptions {
  /** Input image shape [H, W, C]; fixed, because the FPN needs static feature sizes. */
  inputShape: [number, number, number];
  /** Scales every channel count (rounded to a multiple of 8). Default 1. */
  widthMultiplier?: number;
  /** Overrides the entry's stem stride (1 keeps full resolution for very small images). */
  stemStride?: 1 | 2;
  /** Prefix for every layer name, to keep two backbones in one model apart. Default ''. */
  prefix?: string;
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

export class BackboneRegistry extends Registry<BackboneEntry> {
  constructor(builtins: readonly BackboneEntry[] = []) {
    super('backbone', '--backbone', builtins);
  }

  /**
   * Builds backbone `name` on a new input: per-stage feature maps (shallow to deep) with their
   * strides and channels; see `Backbone`.
   * @throws Error on an unknown name (listing the known ones) or invalid options.
   */
  create(name: string, options: BackboneOptions): Backbone {
    const entry = this.get(name);
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
    const inputs = tf.input({ shape: inputShape, name: `${prefix}image` });
    const { source } = this.entry(name);
    if (source === 'built-in') return { name, inputs, ...entry.build(inputs, widthMultiplier, stemStride, prefix) };
    try {
      return { name, inputs, ...entry.build(inputs, widthMultiplier, stemStride, prefix) };
    } catch (err) {
      throw new PluginError(`plugin ${source}: backbone '${name}': build() failed for input [${inputShape.join(', ')}] (${reason(err)})`);
    }
  }
}
