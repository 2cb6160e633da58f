import { checkBuiltinGenerator } from '../../../../src/core/data/builtin/generator-contract';
import { MNIST_FOLDER } from '../../../../src/core/data/builtin/mnist-folder';
import { PluginError } from '../../../../src/core/registry/plugin-guard';
import { components } from '../../../components';

describe('the contract of a plugin-registered built-in dataset', () => {
  it('holds for every generator the composition root registers', () => {
    const registered = components().datasets.list();
    expect(registered.length).toBeGreaterThanOrEqual(4);
    for (const { component } of registered) expect(checkBuiltinGenerator(component, 'builtin')).toBe(component);
  });

  const base = { ...MNIST_FOLDER, name: 'mine' };
  const spec = { default: 5, min: 1, max: 20, integer: true, help: 'images' };
  it.each<[string, unknown, string]>([
    ['a task no reader serves', { ...base, task: 'segmentation' }, `task: expected one of 'multilabel', 'singlelabel', 'detection', got "segmentation"`],
    ['a default outside its range', { ...base, options: { n: { ...spec, default: 30 } } }, 'options.n.default: the default must lie in [min, max]'],
    ['an empty range', { ...base, options: { n: { ...spec, min: 10, max: 2 } } }, 'options.n.max: min must not exceed max'],
    ['a fractional default of an integer option', { ...base, options: { n: { ...spec, default: 2.5 } } }, 'options.n.default: an integer option needs integer default, min and max'],
    ['an option without help', { ...base, options: { n: { ...spec, help: undefined } } }, 'options.n.help: expected a string, got nothing'],
    ['a reader option of the wrong type', { ...base, readerOptions: { allowEmpty: 1 } }, 'readerOptions.allowEmpty: expected true or false, got 1'],
    ['no writer', { ...base, write: 'write' }, 'write: must be a function'],
  ])('refuses %s with one line naming the file and the field', (_what, candidate, problem) => {
    let thrown: unknown;
    try {
      checkBuiltinGenerator(candidate, '/plugins/data.js');
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(PluginError);
    expect((thrown as Error).message).toBe(`plugin /plugins/data.js: ${problem}`);
  });
});
