/**
 * ce against torch's cross_entropy (float64 fixture: value, gradient and per-sample loss; label
 * smoothing 0 / 0.1 / 0.3, reductions mean and sum, logits ±30 and ±100, a single class).
 */
import { initBackend } from '../../src/core/backend/init';
import { crossEntropyPlugin } from '../../src/losses/cross-entropy';
import { BACKENDS } from './harness';
import { expectTorchCase, torchCases } from './torch-reference';

it('ce defaults to no smoothing and mean reduction, as torch', () => {
  expect(crossEntropyPlugin.kind).toBe('softmax');
  expect(crossEntropyPlugin.defaults).toEqual({ labelSmoothing: 0, reduction: 'mean' });
});

describe.each(BACKENDS)('ce on %s', (backend) => {
  beforeAll(async () => {
    await initBackend(backend);
  });

  it.each(torchCases('ce'))('%s: value, gradient and per-sample loss match torch', (_, c) => expectTorchCase(crossEntropyPlugin, c));
});
