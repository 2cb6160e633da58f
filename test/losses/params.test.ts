/** Parameter validation (src/losses/params.ts) through the built-in plugins: merging and messages. */
import { aslOptimizedPlugin, aslPlugin } from '../../src/losses/asymmetric';
import { aslSingleLabelPlugin } from '../../src/losses/asl-single-label';
import { bcePlugin } from '../../src/losses/bce';
import { crossEntropyPlugin } from '../../src/losses/cross-entropy';
import { focalPlugin, softmaxFocalPlugin } from '../../src/losses/focal';
import type { LossPlugin } from '../../src/losses/loss-plugin';

const builtins: LossPlugin[] = [aslPlugin, aslOptimizedPlugin, aslSingleLabelPlugin, bcePlugin, crossEntropyPlugin, focalPlugin, softmaxFocalPlugin];

describe('loss parameter validation', () => {
  it('gives each built-in a unique name, a reduction parameter, and its defaults for {}', () => {
    expect(new Set(builtins.map((p) => p.name)).size).toBe(builtins.length);
    for (const plugin of builtins) {
      expect(plugin.validate({})).toEqual(plugin.defaults);
      expect(['sum', 'mean', 'none']).toContain(plugin.defaults.reduction);
      expect(Object.isFrozen(plugin.defaults)).toBe(true);
    }
  });

  it('merges given parameters over the defaults; undefined keeps the default', () => {
    expect(aslPlugin.validate({ gammaNeg: 2, clip: 0, reduction: 'mean', gammaPos: undefined } as never)).toEqual({
      gammaNeg: 2, gammaPos: 1, clip: 0, eps: 1e-8, detachFocusing: true, adaptive: false, gapTarget: 0.1, gammaNegStep: 0.01, reduction: 'mean',
    });
  });

  it.each([
    [aslPlugin, { gamaNeg: 4 }, "asl: unknown parameter 'gamaNeg' (known: gammaNeg, gammaPos, clip, eps, detachFocusing, adaptive, gapTarget, gammaNegStep, reduction)"],
    [aslPlugin, { gammaNeg: -1 }, 'asl: gammaNeg: expected a number >= 0, got -1'],
    [aslPlugin, { gammaPos: '1' }, 'asl: gammaPos: expected a number >= 0, got "1"'],
    [aslPlugin, { clip: 1 }, 'asl: clip: expected a number in [0, 1), got 1'],
    [aslPlugin, { eps: 0 }, 'asl: eps: expected a number in (0, 1), got 0'],
    [aslPlugin, { gammaNeg: NaN }, 'asl: gammaNeg: expected a number >= 0, got NaN'],
    [aslPlugin, { gammaNeg: Infinity }, 'asl: gammaNeg: expected a number >= 0, got Infinity'],
    [aslOptimizedPlugin, { detachFocusing: 'yes' }, 'asl-optimized: detachFocusing: expected true or false, got "yes"'],
    [bcePlugin, { reduction: 'avg' }, 'bce: reduction: expected one of \'sum\', \'mean\', \'none\', got "avg"'],
    [focalPlugin, { alpha: 2 }, 'focal: alpha: expected a number <= 1, got 2'],
    [crossEntropyPlugin, { labelSmoothing: 1.5 }, 'ce: labelSmoothing: expected a number in [0, 1], got 1.5'],
    [aslSingleLabelPlugin, { eps: -0.1 }, 'asl-single-label: eps: expected a number in [0, 1], got -0.1'],
    [bcePlugin, null, 'bce: expected an object of parameters, got null'],
  ] as Array<[LossPlugin, unknown, string]>)('%#: rejects bad parameters with one line', (plugin, params, message) => {
    expect(() => plugin.validate(params as never)).toThrow(new Error(message));
  });

  it('re-validates in create() and exposes the frozen parameters on the loss', () => {
    expect(() => aslPlugin.create({ ...aslPlugin.defaults, gammaNeg: -2 })).toThrow('asl: gammaNeg: expected a number >= 0, got -2');
    const loss = focalPlugin.create(focalPlugin.validate({ gamma: 1 }));
    expect([loss.name, loss.kind]).toEqual(['focal', 'sigmoid']);
    expect(loss.params).toEqual({ gamma: 1, alpha: 0.25, reduction: 'sum' });
    expect(Object.isFrozen(loss.params)).toBe(true);
  });
});
