/**
 * Per-parameter lr multipliers (--backbone-lr-mult, --freeze-backbone-epochs) against the update
 * rules: a multiplier m scales a parameter's step, decay included, by m; 0 leaves the parameter
 * and its optimiser state untouched (torch's requires_grad=False), and a thawed parameter starts
 * its bias correction at step 1 as torch's per-parameter state does.
 */
import { tf } from '../../../src/core/tf';
import { initBackend } from '../../../src/core/backend/init';
import { adam, adamw, sgd, type OptimizerConfig, type TrainingOptimizer } from '../../../src/core/engine/optimizers';

const ENTRIES = { adam, adamw, sgd };
const CASES = (['adam', 'adamw', 'sgd'] as const).flatMap((name) => (['cpu', 'wasm'] as const).map((backend) => [name, backend] as const));
const W0 = [0.5, -1.5, 2, 0.25];
const B0 = [0.3, -0.7];
const grads = (k: number) => [tf.tensor2d(W0.map((x, i) => Math.sin(x + i + k)), [2, 2]), tf.tensor1d(B0.map((x, i) => Math.cos(x - i * k)))];

describe.each(CASES)('%s with lr multipliers (%s)', (name, backend) => {
  const config: OptimizerConfig = { name, weightDecay: 0.1, beta1: 0.9, beta2: 0.999, eps: 1e-8, momentum: 0.9, nesterov: false };
  const lr = 0.05;
  let params: tf.Variable[] = [];
  let optimizers: TrainingOptimizer[] = [];
  const make = (multipliers?: number[]) => {
    const p = [tf.variable(tf.tensor2d(W0, [2, 2])), tf.variable(tf.tensor1d(B0))];
    params.push(...p);
    const opt = ENTRIES[name].create(p, config, multipliers);
    optimizers.push(opt);
    return { p, opt };
  };
  const step = (opt: TrainingOptimizer, k: number) => {
    const g = grads(k);
    opt.step(g, lr);
    tf.dispose(g);
  };
  const delta = (p: tf.Variable, start: number[]) => Array.from(p.dataSync()).map((v, i) => v - start[i]);

  beforeAll(() => initBackend(backend));
  afterEach(() => {
    optimizers.forEach((o) => o.dispose());
    tf.dispose(params);
    params = [];
    optimizers = [];
  });

  it('multiplier 0.1 moves the weight by 0.1 × the unscaled step, decay included; multiplier 1 is the plain update', () => {
    const plain = make();
    const scaled = make([0.1, 1]);
    step(plain.opt, 0);
    step(scaled.opt, 0);
    const full = delta(plain.p[0], W0);
    delta(scaled.p[0], W0).forEach((d, i) => expect(d / full[i]).toBeCloseTo(0.1, 4));
    expect(scaled.p[1].dataSync()).toEqual(plain.p[1].dataSync());
  });

  it('multiplier 0: no update, no decay, no moment or step; thawed, the first step is a fresh optimiser\'s first', () => {
    const { p, opt } = make([0, 1]);
    const before = tf.memory().numTensors;
    for (let k = 0; k < 3; k++) step(opt, k);
    expect(tf.memory().numTensors).toBe(before);
    expect(Array.from(p[0].dataSync())).toEqual(Array.from(new Float32Array(W0)));
    const state = opt.state();
    for (const [key, t] of Object.entries(state.tensors)) if (key.startsWith('0/')) expect(Array.from(t.dataSync()).every((v) => v === 0)).toBe(true);
    expect(state.paramSteps).toEqual([0, 3]);
    opt.setLrMultipliers!([1, 1]);
    step(opt, 3);
    const fresh = make();
    const g = grads(3);
    fresh.opt.step(g, lr);
    tf.dispose(g);
    expect(p[0].dataSync()).toEqual(fresh.p[0].dataSync());
  });

  it('keeps per-parameter step counts through state() and loadState()', () => {
    const { opt } = make([0, 1]);
    step(opt, 0);
    step(opt, 1);
    const saved = opt.state();
    const copy = make();
    copy.opt.loadState(saved);
    expect(copy.opt.state().paramSteps).toEqual([0, 2]);
    copy.opt.loadState({ step: saved.step, tensors: saved.tensors });
    expect(copy.opt.state().paramSteps).toEqual([2, 2]); // a checkpoint from before per-parameter counts
  });

  it('refuses multipliers of the wrong count or sign', () => {
    expect(() => make([1])).toThrow('optimizer: expected 2 lr multipliers ≥ 0, got 1');
    const { opt } = make();
    expect(() => opt.setLrMultipliers!([1, -1])).toThrow('optimizer: expected 2 lr multipliers ≥ 0, got 2');
  });
});
