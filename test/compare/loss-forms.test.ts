import { LossRegistry } from '../../src/core/registry/loss-registry';
import { aslOptimizedPlugin, aslPlugin } from '../../src/losses/asymmetric';
import { aslSingleLabelPlugin } from '../../src/losses/asl-single-label';
import { bcePlugin } from '../../src/losses/bce';
import { crossEntropyPlugin } from '../../src/losses/cross-entropy';
import { focalPlugin, softmaxFocalPlugin } from '../../src/losses/focal';
import type { LossPlugin } from '../../src/losses/loss-plugin';
import { chooseLoss, TASK_TRAITS } from '../../src/compare/loss-forms';

/** A plugin that only has a sigmoid form (as a user's plugin might). */
const sigmoidOnly = { ...bcePlugin, name: 'my-sigmoid' } as LossPlugin;

function registry(withSoftmaxFocal: boolean): LossRegistry {
  const r = new LossRegistry();
  const plugins = [aslPlugin, aslOptimizedPlugin, aslSingleLabelPlugin, bcePlugin, focalPlugin, crossEntropyPlugin, sigmoidOnly];
  for (const p of [...plugins, ...(withSoftmaxFocal ? [softmaxFocalPlugin] : [])]) r.register(p as LossPlugin);
  return r;
}

describe('which loss a --losses name trains on each task', () => {
  const losses = registry(true);

  it('uses the documented pairs on single-label and the names themselves on sigmoid tasks', () => {
    expect(chooseLoss('asl', 'singlelabel', losses)).toEqual({ applicable: true, loss: 'asl-single-label' });
    expect(chooseLoss('bce', 'singlelabel', losses)).toEqual({ applicable: true, loss: 'ce' });
    expect(chooseLoss('focal', 'singlelabel', losses)).toEqual({ applicable: true, loss: 'focal-softmax' });
    for (const task of ['multilabel', 'detection']) {
      expect(chooseLoss('asl', task, losses)).toEqual({ applicable: true, loss: 'asl' });
      expect(chooseLoss('focal', task, losses)).toEqual({ applicable: true, loss: 'focal' });
      // A softmax name on a sigmoid task goes through its pair as well.
      expect(chooseLoss('ce', task, losses)).toEqual({ applicable: true, loss: 'bce' });
    }
    expect(chooseLoss('ce', 'singlelabel', losses)).toEqual({ applicable: true, loss: 'ce' });
  });

  it('reports a sigmoid-only loss as n/a on single-label, never swapping it', () => {
    const choice = chooseLoss('my-sigmoid', 'singlelabel', losses);
    expect(choice).toEqual({ applicable: false, reason: 'my-sigmoid is a sigmoid loss; singlelabel trains with softmax losses and no softmax form of it is known' });
    expect(chooseLoss('my-sigmoid', 'multilabel', losses)).toEqual({ applicable: true, loss: 'my-sigmoid' });
    expect(chooseLoss('asl-optimized', 'singlelabel', losses).applicable).toBe(false);
  });

  it('reports focal on single-label as n/a when focal-softmax is not registered', () => {
    expect(chooseLoss('focal', 'singlelabel', registry(false))).toEqual({ applicable: false, reason: 'the softmax form of focal (focal-softmax) is not registered' });
  });

  it('rejects unknown losses and tasks with one clear line', () => {
    expect(() => chooseLoss('nope', 'multilabel', losses)).toThrow("--losses: unknown loss 'nope' (known: ");
    expect(() => chooseLoss('asl', 'segmentation', losses)).toThrow("--tasks: compare does not know task 'segmentation'");
  });

  it('knows the kind and primary metric of every task', () => {
    expect(TASK_TRAITS).toEqual({
      multilabel: { lossKind: 'sigmoid', primaryMetric: 'mAP' },
      singlelabel: { lossKind: 'softmax', primaryMetric: 'top1' },
      detection: { lossKind: 'sigmoid', primaryMetric: 'AP' },
    });
  });
});
