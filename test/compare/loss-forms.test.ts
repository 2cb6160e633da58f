import { LossRegistry } from '../../src/core/registry/loss-registry';
import { aslOptimizedPlugin, aslPlugin } from '../../src/losses/asymmetric';
import { aslSingleLabelPlugin } from '../../src/losses/asl-single-label';
import { bcePlugin } from '../../src/losses/bce';
import { crossEntropyPlugin } from '../../src/losses/cross-entropy';
import { focalPlugin, softmaxFocalPlugin } from '../../src/losses/focal';
import type { LossPlugin } from '../../src/losses/loss-plugin';
import { chooseLoss } from '../../src/compare/loss-forms';
import { components } from '../components';

const { tasks } = components();
const task = (name: string) => tasks.get(name);

/** A plugin that only has a sigmoid form (as a user's plugin might). */
const sigmoidOnly = { ...bcePlugin, name: 'my-sigmoid', counterpart: undefined } as LossPlugin;

function registry(withSoftmaxFocal: boolean): LossRegistry {
  const r = new LossRegistry();
  const plugins = [aslPlugin, aslOptimizedPlugin, aslSingleLabelPlugin, bcePlugin, focalPlugin, crossEntropyPlugin, sigmoidOnly];
  for (const p of [...plugins, ...(withSoftmaxFocal ? [softmaxFocalPlugin] : [])]) r.register(p as LossPlugin);
  return r;
}

describe('which loss a --losses name trains on each task', () => {
  const losses = registry(true);

  it('uses the documented pairs on single-label and the names themselves on sigmoid tasks', () => {
    expect(chooseLoss('asl', task('singlelabel'), losses)).toEqual({ applicable: true, loss: 'asl-single-label' });
    expect(chooseLoss('bce', task('singlelabel'), losses)).toEqual({ applicable: true, loss: 'ce' });
    expect(chooseLoss('focal', task('singlelabel'), losses)).toEqual({ applicable: true, loss: 'focal-softmax' });
    for (const task of ['multilabel', 'detection']) {
      expect(chooseLoss('asl', tasks.get(task), losses)).toEqual({ applicable: true, loss: 'asl' });
      expect(chooseLoss('focal', tasks.get(task), losses)).toEqual({ applicable: true, loss: 'focal' });
      // A softmax name on a sigmoid task goes through its pair as well.
      expect(chooseLoss('ce', tasks.get(task), losses)).toEqual({ applicable: true, loss: 'bce' });
    }
    expect(chooseLoss('ce', task('singlelabel'), losses)).toEqual({ applicable: true, loss: 'ce' });
  });

  it('reports a sigmoid-only loss as n/a on single-label, never swapping it', () => {
    const choice = chooseLoss('my-sigmoid', task('singlelabel'), losses);
    expect(choice).toEqual({ applicable: false, reason: 'my-sigmoid is a sigmoid loss; singlelabel trains with softmax losses and no softmax form of it is known' });
    expect(chooseLoss('my-sigmoid', task('multilabel'), losses)).toEqual({ applicable: true, loss: 'my-sigmoid' });
    expect(chooseLoss('asl-optimized', task('singlelabel'), losses).applicable).toBe(false);
  });

  it('reports focal on single-label as n/a when focal-softmax is not registered', () => {
    expect(chooseLoss('focal', task('singlelabel'), registry(false))).toEqual({ applicable: false, reason: 'the softmax form of focal (focal-softmax) is not registered' });
  });

  it('rejects unknown losses and tasks with one clear line', () => {
    expect(() => chooseLoss('nope', task('multilabel'), losses)).toThrow("--losses: unknown loss 'nope' (known: ");
    expect(() => task('segmentation')).toThrow("--task: unknown task 'segmentation' (known: multilabel, singlelabel, detection)");
  });

  it("reads each task's loss kind and primary metric from the task definition", () => {
    expect(Object.fromEntries(tasks.list().map(({ component: t }) => [t.name, t.traits]))).toEqual({
      multilabel: { lossKind: 'sigmoid', primaryMetric: 'mAP', metricDirection: 'max' },
      singlelabel: { lossKind: 'softmax', primaryMetric: 'top1', metricDirection: 'max' },
      detection: { lossKind: 'sigmoid', primaryMetric: 'AP', metricDirection: 'max' },
    });
  });

  it('pairs a plugin loss through the counterpart its plugin declares, in either direction', () => {
    const r = registry(true);
    r.register({ ...crossEntropyPlugin, name: 'my-softmax', counterpart: 'my-sigmoid' } as LossPlugin);
    expect(chooseLoss('my-sigmoid', task('singlelabel'), r)).toEqual({ applicable: true, loss: 'my-softmax' });
    expect(chooseLoss('my-softmax', task('multilabel'), r)).toEqual({ applicable: true, loss: 'my-sigmoid' });
  });
});
