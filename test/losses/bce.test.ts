/**
 * bce against torch's binary_cross_entropy_with_logits (float64 fixture: value, gradient and
 * elementwise loss; reductions sum and mean, per-element and per-class weights, logits ±30 and
 * ±100, all-zero and soft targets, a single class).
 */
import { initBackend } from '../../src/core/backend/init';
import { bcePlugin } from '../../src/losses/bce';
import { BACKENDS } from './harness';
import { expectTorchCase, torchCases } from './torch-reference';

it('bce sums by default, as the ASL reference', () => {
  expect(bcePlugin.kind).toBe('sigmoid');
  expect(bcePlugin.defaults).toEqual({ reduction: 'sum' });
});

describe.each(BACKENDS)('bce on %s', (backend) => {
  beforeAll(async () => {
    await initBackend(backend);
  });

  it.each(torchCases('bce'))('%s: value, gradient and elementwise loss match torch', (_, c) => expectTorchCase(bcePlugin, c));
});
