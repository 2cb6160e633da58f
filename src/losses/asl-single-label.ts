/**
 * `asl-single-label`: the official `ASLSingleLabel` (softmax, focusing weight (1 - p)^gammaPos on
 * the target class and p^gammaNeg on the others, label smoothing eps, reduction 'mean' over the
 * batch). The computation lives in softmax-asymmetric.ts.
 */
import { defineLoss, type BuiltinLossParams } from './define-loss';
import { REDUCTION_RULE } from './params';
import { softmaxAsymmetricLossOp } from './softmax-asymmetric';

export type AslSingleLabelParams = BuiltinLossParams & {
  gammaPos: number;
  gammaNeg: number;
  /** Label smoothing, as the reference's `eps`. */
  eps: number;
};

export const aslSingleLabelPlugin = defineLoss<AslSingleLabelParams>({
  name: 'asl-single-label',
  counterpart: 'asl',
  kind: 'softmax',
  description: 'Asymmetric Loss for single-label classification (ASLSingleLabel): softmax, focusing, label smoothing eps',
  defaults: { gammaPos: 0, gammaNeg: 4, eps: 0.1, reduction: 'mean' },
  rules: {
    gammaPos: { type: 'number', min: 0 },
    gammaNeg: { type: 'number', min: 0 },
    eps: { type: 'number', min: 0, max: 1 },
    reduction: REDUCTION_RULE,
  },
  body: ({ gammaPos, gammaNeg, eps }, logits, classIds) => (summed) =>
    softmaxAsymmetricLossOp({ gammaPos, gammaNeg, smoothing: eps }, classIds, logits.shape[1], summed)(logits),
});
