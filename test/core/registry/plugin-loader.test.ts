import { createHash } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { tf } from '../../../src/core/tf';
import { initBackend } from '../../../src/core/backend/init';
import { LossRegistry } from '../../../src/core/registry/loss-registry';
import type { LossParams } from '../../../src/losses/loss-plugin';
import { PluginError } from '../../../src/core/registry/plugin-guard';
import { components } from '../../components';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'plugins-'));
function pluginFile(name: string, body: string): string {
  const file = path.join(dir, `${name}.js`);
  fs.writeFileSync(file, body);
  return file;
}

/** A plugin whose compute returns `expr` (a JS expression over tf, logits, targets, options). */
function lossModule(name: string, expr: string, extra = ''): string {
  return pluginFile(name, `
    const tf = require(${JSON.stringify(require.resolve('@tensorflow/tfjs'))});
    module.exports = { default: {
      name: ${JSON.stringify(name)}, kind: 'sigmoid', defaults: { scale: 1 },
      validate: (p) => ({ scale: 1, ...p }),
      create: (params) => ({ name: ${JSON.stringify(name)}, kind: 'sigmoid', params,
        compute: (logits, targets, options = {}) => tf.tidy(() => ${expr}) }),
      ${extra}
    } };`);
}

describe('loadPluginFile', () => {
  beforeAll(() => initBackend('cpu'));

  it('registers a valid default-export plugin, records its file and content hash, and leaves no tensors behind', async () => {
    const c = components();
    const registry = c.losses;
    const before = tf.memory().numTensors;
    const file = lossModule('sq', `options.reduction === 'none' ? logits.square() : logits.square().sum()`);
    const sha256 = createHash('sha256').update(fs.readFileSync(file)).digest('hex');
    expect(await c.plugins.load(file)).toEqual({ path: path.resolve(file), sha256, registered: ['losses:sq'] });
    expect(c.pluginFiles.list()).toEqual([{ path: path.resolve(file), sha256 }]);
    expect(tf.memory().numTensors).toBe(before);
    expect(registry.entry('sq').source).toBe(file);
    const value = tf.tidy(() => registry.create('sq').compute(tf.tensor2d([[1, 2]]), tf.tensor2d([[0, 1]])).dataSync()[0]);
    expect(value).toBe(5);
  });

  it('loads the example register(registry, { tf }) plugin', async () => {
    const c = components();
    expect((await c.plugins.load(path.resolve(__dirname, '../../../examples/plugins/poly-loss.js'))).registered).toEqual(['losses:poly-bce']);
  });

  it('awaits an async register(registry, { tf })', async () => {
    const file = pluginFile('async-ok', `
      exports.register = async (registry, { tf }) => {
        await new Promise((resolve) => setTimeout(resolve, 5));
        registry.register({ name: 'late', kind: 'sigmoid', defaults: {}, validate: (p) => p,
          create: (params) => ({ name: 'late', kind: 'sigmoid', params,
            compute: (logits, targets, options = {}) => options.reduction === 'none' ? logits.abs() : logits.abs().sum() }) });
      };`);
    const c = components();
    const registry = c.losses;
    expect((await c.plugins.load(file)).registered).toEqual(['losses:late']);
    expect(registry.has('late')).toBe(true);
  });

  it.each([
    ['nonscalar', lossModule('nonscalar', 'logits.square()'), /^plugin .*nonscalar\.js: loss 'nonscalar': compute\(\) returned shape \[3, 4\] for logits of shape \[3, 4\], expected a scalar$/],
    ['nan', lossModule('nan', `options.reduction === 'none' ? logits : tf.scalar(NaN)`), /^plugin .*nan\.js: loss 'nan': compute\(\) returned NaN on a small finite batch$/],
    ['shape', lossModule('shape', `options.reduction === 'none' ? logits.sum(1) : logits.sum()`), /^plugin .*shape\.js: loss 'shape': compute\(\) returned shape \[3\] for logits of shape \[3, 4\], expected shape \[3, 4\] \(reduction 'none'\)$/],
    ['throws', lossModule('throws', `(() => { throw new Error('boom'); })()`), /^plugin .*throws\.js: loss 'throws': compute\(\) failed on logits of shape \[3, 4\] \(boom\)$/],
    ['kind', pluginFile('kind', `module.exports = { name: 'k', kind: 'softmaxx', defaults: {}, validate: (p) => p, create: () => ({}) };`), /^plugin .*kind\.js: kind: expected one of 'sigmoid', 'softmax', got "softmaxx"$/],
    ['nothing', pluginFile('nothing', `module.exports = 42;`), /^plugin .*nothing\.js: expected a LossPlugin object, got 42$/],
    ['syntax', pluginFile('syntax', `module.exports = {`), /plugin .*syntax\.js: cannot load \(/],
    ['missing', path.join(dir, 'does-not-exist.js'), /plugin .*does-not-exist\.js: cannot load \(file not found\)/],
    ['empty-register', pluginFile('empty-register', `exports.register = () => {};`), /register\(api\) registered nothing/],
    ['no-create', pluginFile('no-create', `module.exports = { name: 'nc', kind: 'sigmoid', defaults: {}, validate: (p) => p };`), /^plugin .*no-create\.js: create: must be a function$/],
    ['bad-defaults', pluginFile('bad-defaults', `module.exports = { name: 'bd', kind: 'sigmoid', defaults: { w: [1] }, validate: (p) => p, create: () => ({}) };`), /^plugin .*bad-defaults\.js: defaults\.w: expected a number, boolean or string, got \[1\]$/],
    ['bad-create', pluginFile('bad-create', `module.exports = { name: 'bc', kind: 'sigmoid', defaults: {}, validate: (p) => p, create: () => { throw new Error('no GPU'); } };`), /^plugin .*bad-create\.js: loss 'bc': failed to create with its defaults \(no GPU\)$/],
    ['async-reject', pluginFile('async-reject', `exports.register = async () => { await null; throw new Error('no licence'); };`), /^plugin .*async-reject\.js: register\(\) failed \(no licence\)$/],
    ['async-empty', pluginFile('async-empty', `exports.register = async () => {};`), /^plugin .*async-empty\.js: register\(api\) registered nothing$/],
  ])('rejects a %s plugin with a message naming the file', async (_label, file, message) => {
    const before = tf.memory().numTensors;
    await expect(components().plugins.load(file)).rejects.toThrow(PluginError);
    await expect(components().plugins.load(file)).rejects.toThrow(message);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('undoes every registration of a file that fails later (a replaced built-in comes back)', async () => {
    const good = `{ name: 'ok-loss', kind: 'sigmoid', defaults: {}, validate: (p) => p,
      create: (params) => ({ name: 'ok-loss', kind: 'sigmoid', params, compute: (l, t, o = {}) => o.reduction === 'none' ? l.abs() : l.abs().sum() }) }`;
    const file = pluginFile('partly-bad', `exports.register = (api) => {
      api.losses.register(${good});
      api.losses.register({ ...${good}, name: 'bce', description: 'replacement' }, { replace: true });
      api.losses.register({ ...${good}, name: 'nan-loss', create: (params) => ({ name: 'nan-loss', kind: 'sigmoid', params,
        compute: (l, t, o = {}) => o.reduction === 'none' ? l : l.sum().mul(NaN) }) });
    };`);
    const c = components();
    const bce = c.losses.entry('bce');
    await expect(c.plugins.load(file)).rejects.toThrow(/^plugin .*partly-bad\.js: loss 'nan-loss': compute\(\) returned NaN on a small finite batch$/);
    expect(c.losses.has('ok-loss')).toBe(false);
    expect(c.losses.has('nan-loss')).toBe(false);
    expect(c.losses.entry('bce')).toEqual(bce);
    expect(c.pluginFiles.list()).toEqual([]);
  });

  it('checks a plugin task for the traits and options schema compare and the trainer read', async () => {
    const file = pluginFile('task-without-traits', `exports.register = (api) => api.tasks.register({
      name: 'seg', description: 'segmentation', defaults: () => ({}), prepare: async () => ({}), predict: async () => [], optionsSchema: {} });`);
    await expect(components().plugins.load(file)).rejects.toThrow(/^plugin .*task-without-traits\.js: traits: expected an object \{ lossKind, primaryMetric, metricDirection \}, got nothing$/);
  });

  it('refuses to register a name twice unless replacing', async () => {
    const c = components();
    const file = lossModule('twice', `options.reduction === 'none' ? logits : logits.sum()`);
    await c.plugins.load(file);
    await expect(c.plugins.load(file)).rejects.toThrow(/plugin .*twice\.js: loss 'twice' is already registered \(from .*twice\.js\)/);
  });
});

describe('LossRegistry', () => {
  it('lists known names for an unknown one', () => {
    const registry = new LossRegistry();
    registry.register({ name: 'b', kind: 'sigmoid', defaults: {}, validate: (p) => p as LossParams, create: () => ({}) as never });
    registry.register({ name: 'a', kind: 'softmax', defaults: {}, validate: (p) => p as LossParams, create: () => ({}) as never });
    expect(registry.names()).toEqual(['a', 'b']);
    expect(() => registry.get('c')).toThrow("unknown loss 'c' (known: a, b)");
  });
});
