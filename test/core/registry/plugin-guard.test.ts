import { tf } from '../../../src/core/tf';
import { initBackend } from '../../../src/core/backend/init';
import { LossRegistry } from '../../../src/core/registry/loss-registry';
import { PluginError } from '../../../src/core/registry/plugin-guard';
import type { Loss, LossComputeOptions, LossKind, LossPlugin } from '../../../src/losses/loss-plugin';
import { bcePlugin } from '../../../src/losses/bce';

type Compute = (logits: tf.Tensor, targets: tf.Tensor, options: LossComputeOptions) => unknown;

/** A plugin whose compute is `compute`, registered from `source` (a file, as `--plugin` does). */
function registryWith(compute: Compute, kind: LossKind = 'sigmoid', source = '/plugins/p.js'): LossRegistry {
  const plugin: LossPlugin = {
    name: 'p', kind, defaults: {}, validate: (p) => ({ ...p }) as never,
    create: (params) => ({ name: 'p', kind, params, compute: compute as Loss['compute'] }),
  };
  const registry = new LossRegistry();
  registry.register(plugin, { source });
  return registry;
}

describe('a plugin loss created through the registry is guarded on every batch', () => {
  beforeAll(() => initBackend('cpu'));
  const logits = () => tf.zeros([5, 3]);
  const targets = () => tf.ones([5, 3]);

  it('passes a correct result through unchanged, for the default reduction and for none', () => {
    const registry = registryWith((l, _t, o) => (o.reduction === 'none' ? l.add(1) : l.add(2).sum()));
    const loss = registry.create('p');
    const before = tf.memory().numTensors;
    expect(tf.tidy(() => loss.compute(logits(), targets()).dataSync()[0])).toBe(30);
    expect(tf.tidy(() => loss.compute(logits(), targets(), { reduction: 'none' }).shape)).toEqual([5, 3]);
    expect(tf.memory().numTensors).toBe(before);
  });

  it.each<[string, Compute, LossComputeOptions, RegExp]>([
    ['a non-scalar', (l) => l.sum(1), {}, /^plugin \/plugins\/p\.js: loss 'p': compute\(\) returned shape \[5\] for logits of shape \[5, 3\], expected a scalar$/],
    ['a wrong elementwise shape', (l) => l.sum(1), { reduction: 'none' }, /expected shape \[5, 3\] \(reduction 'none'\)$/],
    ['a throw', () => { throw new Error('index out of range'); }, {}, /^plugin \/plugins\/p\.js: loss 'p': compute\(\) failed on logits of shape \[5, 3\] \(index out of range\)$/],
    ['a promise', async (l) => l.sum(), {}, /^plugin \/plugins\/p\.js: loss 'p': compute\(\) must return a tf\.Tensor synchronously, got a Promise$/],
    ['a number', () => 3, {}, /must return a tf\.Tensor synchronously, got number$/],
  ])('names the plugin file for %s, leaving no tensors behind', (_label, compute, options, message) => {
    const loss = registryWith(compute).create('p');
    const before = tf.memory().numTensors;
    const call = () => tf.tidy(() => loss.compute(logits(), targets(), options));
    expect(call).toThrow(PluginError);
    expect(call).toThrow(message);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('expects [N] from a softmax loss with reduction none', () => {
    const loss = registryWith((l) => l, 'softmax').create('p');
    expect(() => tf.tidy(() => loss.compute(logits(), tf.tensor1d([0, 1, 2, 0, 1], 'int32'), { reduction: 'none' }))).toThrow(/returned shape \[5, 3\] .*expected shape \[5\]/);
  });

  it('leaves built-in losses unguarded: their own errors reach the user as they are', () => {
    const registry = new LossRegistry();
    registry.register(bcePlugin as unknown as LossPlugin);
    const loss = registry.create('bce');
    const call = () => tf.tidy(() => loss.compute(tf.zeros([6]), tf.zeros([6])));
    expect(call).toThrow('bce: logits must be rank 2 [N, C], got shape [6]');
    expect(call).not.toThrow(PluginError);
  });
});
