import { tf } from '../../../src/core/tf';
import { initBackend } from '../../../src/core/backend/init';
import { adam, adamw, sgd, type OptimizerConfig } from '../../../src/core/engine/optimizers';

/** torch.optim update rules written out in float64 on plain numbers: the oracle. */
function torchStep(name: OptimizerConfig['name'], p: number[], g: number[], st: { m: number[]; v: number[]; t: number }, o: { lr: number; wd: number; b1: number; b2: number; eps: number; mu: number; nesterov: boolean }, decay: boolean) {
  st.t += 1;
  return p.map((pi, i) => {
    const wd = decay ? o.wd : 0;
    let gi = g[i];
    if (name === 'sgd') {
      if (wd) gi += wd * pi;
      st.m[i] = o.mu * st.m[i] + gi;
      gi = o.nesterov ? gi + o.mu * st.m[i] : st.m[i];
      return pi - o.lr * gi;
    }
    let q = pi;
    if (name === 'adamw') q = pi * (1 - o.lr * wd);
    if (name === 'adam' && wd) gi += wd * pi;
    st.m[i] = o.b1 * st.m[i] + (1 - o.b1) * gi;
    st.v[i] = o.b2 * st.v[i] + (1 - o.b2) * gi * gi;
    const denom = Math.sqrt(st.v[i]) / Math.sqrt(1 - o.b2 ** st.t) + o.eps;
    return q - (o.lr / (1 - o.b1 ** st.t)) * (st.m[i] / denom);
  });
}

// On wasm, Adam runs as one kernel (engine/adam-update.ts); on cpu, composed from tf ops.
const BACKENDS = ['cpu', 'wasm'] as const;
const CASES = (['adam', 'adamw', 'sgd'] as const).flatMap((name) => BACKENDS.map((backend) => [name, backend] as const));

describe.each(CASES)('%s matches torch.optim (%s)', (name, backend) => {
  beforeAll(() => initBackend(backend));
  it('over 5 steps on a matrix (decayed) and a bias (not decayed)', () => {
    const o = { lr: 0.05, wd: 0.1, b1: 0.9, b2: 0.999, eps: 1e-8, mu: 0.9, nesterov: name === 'sgd' };
    const config: OptimizerConfig = { name, weightDecay: o.wd, beta1: o.b1, beta2: o.b2, eps: o.eps, momentum: o.mu, nesterov: o.nesterov };
    const start = tf.memory().numTensors;
    const w0 = [0.5, -1.5, 2, 0.25];
    const b0 = [0.3, -0.7];
    const w = tf.tidy(() => tf.variable(tf.tensor2d(w0, [2, 2])));
    const b = tf.tidy(() => tf.variable(tf.tensor1d(b0)));
    const opt = { adam, adamw, sgd }[name].create([w, b], config);
    const before = tf.memory().numTensors;
    let wRef = w0;
    let bRef = b0;
    const sw = { m: [0, 0, 0, 0], v: [0, 0, 0, 0], t: 0 };
    const sb = { m: [0, 0], v: [0, 0], t: 0 };
    for (let k = 0; k < 5; k++) {
      const gw = wRef.map((x, i) => Math.sin(x + i + k)); // any gradient will do: the update rule is what is tested
      const gb = bRef.map((x, i) => Math.cos(x - i * k));
      const grads = [tf.tensor2d(gw, [2, 2]), tf.tensor1d(gb)];
      opt.step(grads, o.lr);
      grads.forEach((g) => g.dispose());
      wRef = torchStep(name, wRef, gw, sw, o, true);
      bRef = torchStep(name, bRef, gb, sb, o, false);
    }
    expect(tf.memory().numTensors).toBe(before);
    Array.from(w.dataSync()).forEach((v, i) => expect(v).toBeCloseTo(wRef[i], 5));
    Array.from(b.dataSync()).forEach((v, i) => expect(v).toBeCloseTo(bRef[i], 5));
    expect(opt.stepCount).toBe(5);
    opt.dispose();
    w.dispose();
    b.dispose();
    expect(tf.memory().numTensors).toBe(start);
  });
});
