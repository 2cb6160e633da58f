/**
 * Fine-tuning's backbone learning rate, as mmdetection and timm users set it: frozen for the first
 * `freezeBackboneEpochs` epochs, then `backboneLrMult` × the schedule's lr. Frozen weights are left
 * out of the update entirely (no weight decay, Adam moments untouched: torch's
 * requires_grad=False); batch norm's moving statistics keep updating in training mode, as in timm,
 * since they are not the optimiser's.
 */
import type { tf } from '../tf';
import { backboneWeightNames } from '../../backbones/backbone-layers';
import type { TrainingOptimizer } from './optimizers';

export class BackboneLr {
  /** Per trainable weight (model.trainableWeights order): whether it is the backbone's; undefined when the backbone trains like the rest. */
  private readonly isBackbone?: boolean[];

  constructor(model: tf.LayersModel, private readonly config: { freezeBackboneEpochs: number; backboneLrMult: number }) {
    if (config.freezeBackboneEpochs === 0 && config.backboneLrMult === 1) return;
    const names = backboneWeightNames(model);
    this.isBackbone = model.trainableWeights.map((w) => names.has(w.originalName));
    if (!this.isBackbone.some(Boolean)) throw new Error('--freeze-backbone-epochs / --backbone-lr-mult: the model has no backbone layers to apply them to');
  }

  /** The per-parameter lr multipliers of `epoch` (0-based), or undefined when all are 1. */
  at(epoch: number): number[] | undefined {
    const backbone = epoch < this.config.freezeBackboneEpochs ? 0 : this.config.backboneLrMult;
    return this.isBackbone?.map((b) => (b ? backbone : 1));
  }

  /** Refuses an optimiser (a plugin's) that cannot take per-parameter multipliers when they are needed. */
  check(optimizer: TrainingOptimizer, name: string): void {
    if (this.isBackbone && !optimizer.setLrMultipliers) {
      throw new Error(`--freeze-backbone-epochs / --backbone-lr-mult: optimizer '${name}' has no per-parameter learning rates (setLrMultipliers)`);
    }
  }

  /** Sets `epoch`'s multipliers (a resumed run starts at any epoch). */
  apply(optimizer: TrainingOptimizer, epoch: number): void {
    const multipliers = this.at(epoch);
    if (multipliers) optimizer.setLrMultipliers!(multipliers);
  }
}
