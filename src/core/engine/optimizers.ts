/**
 * Adam, AdamW and SGD with momentum, written out (rather than tf.train.*) so that weight decay can
 * skip biases and norm parameters, the lr and beta1/momentum can change every step (OneCycle),
 * and the state is plain named tensors for checkpoints. Update rules follow torch.optim exactly.
 */
import { tf } from '../tf';
import { adamUpdate } from './adam-update';
import type { Named } from '../registry/registry';

export interface OptimizerConfig {
  /** A registered optimiser (built-in: adam, adamw, sgd). */
  name: string;
  /** L2 penalty added to the gradient (adam, sgd) or decoupled decay (adamw); never on rank ≤ 1 weights. */
  weightDecay: number;
  beta1: number;
  beta2: number;
  eps: number;
  /** SGD momentum. */
  momentum: number;
  nesterov: boolean;
}

/** What the trainer drives: one update per step, and the state a checkpoint keeps. */
export interface TrainingOptimizer {
  /** Number of updates applied so far (torch's `state['step']`). */
  readonly stepCount: number;
  /** Applies one update; `grads[i]` belongs to the i-th parameter; `momentum` overrides beta1/momentum for this step (OneCycle). */
  step(grads: tf.Tensor[], lr: number, momentum?: number): void;
  /** The state as named tensors (views of the live variables: read them before the next step). */
  state(): { step: number; tensors: Record<string, tf.Tensor> };
  loadState(state: { step: number; tensors: Record<string, tf.Tensor> }): void;
  dispose(): void;
}

/** An optimiser entry point, bound in the composition root or registered by a plugin. */
export interface OptimizerEntry extends Named {
  readonly description: string;
  /** An optimiser of `params` with the `train.optimizer` settings. */
  create(params: tf.Variable[], config: OptimizerConfig): TrainingOptimizer;
}

type UpdateRule = 'adam' | 'adamw' | 'sgd';

/** timm's rule: biases, norm scales/offsets (every weight of rank ≤ 1) get no weight decay. */
export function decays(variable: tf.Variable): boolean {
  return variable.shape.length > 1;
}

export class Optimizer implements TrainingOptimizer {
  /** Adam/AdamW: [m, v] per parameter; SGD: [buffer]. */
  private readonly slots: tf.Variable[][];
  private steps = 0;

  constructor(
    private readonly params: tf.Variable[],
    private readonly config: OptimizerConfig,
    private readonly rule: UpdateRule,
  ) {
    const perParam = rule === 'sgd' ? 1 : 2;
    this.slots = params.map((p) => Array.from({ length: perParam }, () => tf.tidy(() => tf.variable(tf.zerosLike(p), false))));
  }

  /** Number of updates applied so far (torch's `state['step']`). */
  get stepCount(): number {
    return this.steps;
  }

  /**
   * Applies one update. `grads[i]` belongs to `params[i]`; `momentum` overrides beta1 (Adam) or
   * the SGD momentum for this step, as OneCycle's momentum cycling does.
   */
  step(grads: tf.Tensor[], lr: number, momentum?: number): void {
    if (grads.length !== this.params.length) throw new Error(`optimizer: ${grads.length} gradients for ${this.params.length} parameters`);
    this.steps += 1;
    const c = this.config;
    tf.tidy(() => {
      this.params.forEach((p, i) => {
        const wd = decays(p) ? c.weightDecay : 0;
        let g = grads[i];
        if (this.rule === 'sgd') {
          const mu = momentum ?? c.momentum;
          if (wd > 0) g = g.add(p.mul(wd));
          const [buf] = this.slots[i];
          if (mu > 0) {
            buf.assign(buf.mul(mu).add(g));
            g = c.nesterov ? g.add(buf.mul(mu)) : buf;
          }
          p.assign(p.sub(g.mul(lr)));
          return;
        }
        const [beta1, beta2] = [momentum ?? c.beta1, c.beta2];
        const [m, v] = this.slots[i];
        const [p1, m1, v1] = adamUpdate(p, g, m, v, {
          decay: this.rule === 'adamw' && wd > 0 ? 1 - lr * wd : 1,
          l2: this.rule === 'adam' && wd > 0 ? wd : 0,
          beta1,
          beta2,
          eps: c.eps,
          secondMomentCorrection: Math.sqrt(1 - beta2 ** this.steps),
          stepSize: lr / (1 - beta1 ** this.steps),
        });
        p.assign(p1);
        m.assign(m1);
        v.assign(v1);
      });
    });
  }

  /** The state as named tensors (views of the live variables: read them before the next step). */
  state(): { step: number; tensors: Record<string, tf.Tensor> } {
    const tensors: Record<string, tf.Tensor> = {};
    this.slots.forEach((slots, i) => slots.forEach((s, k) => (tensors[`${i}/${k}`] = s)));
    return { step: this.steps, tensors };
  }

  loadState(state: { step: number; tensors: Record<string, tf.Tensor> }): void {
    this.slots.forEach((slots, i) =>
      slots.forEach((s, k) => {
        const saved = state.tensors[`${i}/${k}`];
        if (!saved || saved.shape.join() !== s.shape.join()) throw new Error(`optimizer state: slot ${i}/${k} missing or of the wrong shape`);
        s.assign(saved);
      }),
    );
    this.steps = state.step;
  }

  dispose(): void {
    this.slots.flat().forEach((s) => s.dispose());
  }
}

const entry = (rule: UpdateRule, description: string): OptimizerEntry => ({ name: rule, description, create: (params, config) => new Optimizer(params, config, rule) });

export const adam = entry('adam', 'Adam (torch.optim.Adam): weight decay as an L2 term in the gradient');
export const adamw = entry('adamw', 'AdamW (torch.optim.AdamW): decoupled weight decay');
export const sgd = entry('sgd', 'SGD with momentum, optionally Nesterov (torch.optim.SGD)');
