/**
 * The contract of a backbone plugin (`api.backbones.register(entry)`): the static shape (zod), and
 * a probe that builds it on a 64x64x3 input and checks what the FPN and the classifier rely on —
 * at least one feature map, strides increasing powers of two, each map of the declared channels
 * and of spatial size ceil(64 / stride), and a connected graph from the input.
 */
import { tf } from '../core/tf';
import { z } from '../core/schema';
import { checkContract, fn, identifier, text } from '../core/registry/contract';
import { PluginError, reason } from '../core/registry/plugin-guard';
import type { Backbone } from './backbone';
import { BackboneRegistry, type BackboneEntry } from './registry';

const backboneContract = z.object({ name: identifier(), description: text(), build: fn() }, { error: 'a backbone entry object { name, description, build }' });

const PROBE_SIZE = 64;

/**
 * What is wrong with a backbone's feature maps on a `size`x`size` input (see the file comment), or
 * undefined; the tfjs: backbone checks its taps with it at the run's image size.
 */
export function featureMapProblem(backbone: Pick<Backbone, 'features' | 'strides' | 'channels'>, size: number): string | undefined {
  const { features, strides, channels } = backbone;
  if (!Array.isArray(features) || features.length === 0) return 'returned no feature maps';
  if (!Array.isArray(strides) || strides.length !== features.length) return `returned ${features.length} feature maps but ${Array.isArray(strides) ? strides.length : 'no'} strides`;
  if (!Array.isArray(channels) || channels.length !== features.length) return `returned ${features.length} feature maps but ${Array.isArray(channels) ? channels.length : 'no'} channel counts`;
  for (let i = 0; i < features.length; i++) {
    const s = strides[i];
    if (!Number.isInteger(s) || s < 1 || (s & (s - 1)) !== 0 || (i > 0 && s <= strides[i - 1])) return `strides must be increasing powers of two, got [${strides.join(', ')}]`;
    const f = features[i];
    if (!(f instanceof tf.SymbolicTensor)) return `features[${i}] is not a tf.SymbolicTensor (build with tf.layers on the given input)`;
    const expected = [null, Math.ceil(size / s), Math.ceil(size / s), channels[i]];
    if (f.shape.join() !== expected.join()) return `features[${i}] has shape [${f.shape.map(String).join(', ')}], expected [${expected.map(String).join(', ')}] for stride ${s} and ${channels[i]} channels on a ${size}x${size} input`;
  }
  return undefined;
}

/** @throws PluginError naming `source` when the entry breaks the contract or its probe. */
export function checkBackboneEntry(candidate: unknown, source: string): BackboneEntry {
  const entry = checkContract<BackboneEntry>(backboneContract, candidate, source);
  const where = `plugin ${source}: backbone '${entry.name}'`;
  let backbone: Backbone;
  try {
    backbone = new BackboneRegistry([entry]).create(entry.name, { inputShape: [PROBE_SIZE, PROBE_SIZE, 3] });
  } catch (err) {
    throw new PluginError(`${where}: build() failed on a ${PROBE_SIZE}x${PROBE_SIZE}x3 input (${reason(err)})`);
  }
  const problem = featureMapProblem(backbone, PROBE_SIZE);
  if (problem) throw new PluginError(`${where}: build() ${problem}`);
  try {
    tf.model({ inputs: backbone.inputs, outputs: backbone.features }).dispose();
  } catch (err) {
    throw new PluginError(`${where}: its feature maps do not form a model from the input (${reason(err)})`);
  }
  return entry;
}
