/**
 * `ce`: softmax cross-entropy with optional label smoothing, as torch's
 * `CrossEntropyLoss(label_smoothing=s)`: per sample -Σ_c [(1 - s)·t_c + s/C]·log_softmax(x)_c,
 * reduction 'mean' over the batch. It is the softmax ASL of softmax-asymmetric.ts with both
 * gammas at 0, which skips the focusing weight entirely.
 */
import { defineLoss, type BuiltinLossParams } from './define-loss';
import { REDUCTION_RULE } from './params';
import { softmaxAsymmetricLossOp } from './softmax-asymmetric';

export type CrossEntropyParams = BuiltinLossParams & {
  labelSmoothing: number;
};

export const crossEntropyPlugin = defineLoss<CrossEntropyParams>({
  name: 'ce',
  kind: 'softmax',
  description: 'Softmax cross-entropy (CrossEntropyLoss) with optional label smoothing',
  defaults: { labelSmoothing: 0, reduction: 'mean' },
  rules: {
    labelSmoothing: { type: 'number', min: 0, max: 1 },
    reduction: REDUCTION_RULE,
  },
  body: ({ labelSmoothing }, logits, classIds) => (summed) =>
    softmaxAsymmetricLossOp({ gammaPos: 0, gammaNeg: 0, smoothing: labelSmoothing }, classIds, logits.shape[1], summed)(logits),
});
