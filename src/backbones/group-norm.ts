/**
 * Group Normalization (Wu & He, ECCV 2018) as a serialisable tfjs-layers layer; tfjs-layers ships
 * none. Channels-last: the channels of an input [N, ...spatial, C] are split into `groups` groups
 * of C / groups, each normalised over its channels and all spatial positions, per sample; then a
 * per-channel affine (gamma, beta). Unlike batch norm it does not depend on the batch, so it
 * suits the small batches of detection heads.
 *
 * Computed with reshape + moments rather than `tf.batchNorm`, whose gradient throws when called
 * without offset and scale (NOTES-tfjs.md); the standardisation has its closed-form gradient.
 *
 * Saved models name the class `GroupNormalization`; `registerCustomLayers()` (custom-layers.ts)
 * must have run before `tf.loadLayersModel` reads such a model.
 */
import { tf } from '../core/tf';

type LayerArgs = NonNullable<ConstructorParameters<typeof tf.layers.Layer>[0]>;

export interface GroupNormalizationArgs extends LayerArgs {
  /** Number of channel groups; must divide the channel count. Default 32. */
  groups?: number;
  /** Added to the variance before the square root. Default 1e-5 (as torch.nn.GroupNorm). */
  epsilon?: number;
  /** Learn a per-channel offset beta. Default true. */
  center?: boolean;
  /** Learn a per-channel scale gamma. Default true. */
  scale?: boolean;
}

export class GroupNormalization extends tf.layers.Layer {
  static className = 'GroupNormalization';

  readonly groups: number;
  readonly epsilon: number;
  readonly center: boolean;
  readonly scale: boolean;
  private gamma: tf.LayerVariable | null = null;
  private beta: tf.LayerVariable | null = null;

  constructor(args: GroupNormalizationArgs = {}) {
    super(args);
    this.groups = args.groups ?? 32;
    this.epsilon = args.epsilon ?? 1e-5;
    this.center = args.center ?? true;
    this.scale = args.scale ?? true;
    if (!Number.isInteger(this.groups) || this.groups < 1) {
      throw new Error(`GroupNormalization: groups must be a positive integer, got ${this.groups}`);
    }
    if (!(this.epsilon > 0)) throw new Error(`GroupNormalization: epsilon must be > 0, got ${this.epsilon}`);
  }

  override build(inputShape: tf.Shape | tf.Shape[]): void {
    const shape = singleShape(inputShape);
    const channels = shape[shape.length - 1];
    if (shape.length < 2 || channels == null) {
      throw new Error(`GroupNormalization '${this.name}': needs input [N, ..., C] with known C, got [${shape.join(', ')}]`);
    }
    if (channels % this.groups !== 0) {
      throw new Error(`GroupNormalization '${this.name}': ${channels} channels are not divisible by ${this.groups} groups`);
    }
    if (this.scale) this.gamma = this.addWeight('gamma', [channels], 'float32', tf.initializers.ones());
    if (this.center) this.beta = this.addWeight('beta', [channels], 'float32', tf.initializers.zeros());
    this.built = true;
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    return singleShape(inputShape);
  }

  /** x [N, ...spatial, C] → same shape. */
  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    const x = Array.isArray(inputs) ? singleTensor(inputs, this.name) : inputs;
    return tf.tidy(() => {
      const shape = x.shape;
      const channels = shape[shape.length - 1];
      // [N, ...spatial, G, C/G]: statistics over every axis except batch (0) and group.
      const grouped = tf.reshape(x, [...shape.slice(0, -1), this.groups, channels / this.groups]);
      const groupAxis = grouped.rank - 2;
      const axes = Array.from({ length: grouped.rank }, (_, i) => i).filter((i) => i !== 0 && i !== groupAxis);
      const normalised = tf.reshape(standardize(grouped, axes, this.epsilon), shape);
      const scaled = this.gamma ? tf.mul(normalised, this.gamma.read()) : normalised;
      return this.beta ? tf.add(scaled, this.beta.read()) : scaled;
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), groups: this.groups, epsilon: this.epsilon, center: this.center, scale: this.scale };
  }
}

/**
 * x̂ = (x − mean)/√(var + ε) over `axes`, with the closed-form gradient
 * dx = r·(dx̂ − mean(dx̂) − x̂·mean(dx̂·x̂)) instead of autodiff through the moments (which costs
 * about three times the kernels).
 */
function standardize(x: tf.Tensor, axes: number[], epsilon: number): tf.Tensor {
  const op = tf.customGrad((input, save) => {
    const { mean, variance } = tf.moments(input as tf.Tensor, axes, true);
    const rstd = tf.rsqrt(tf.add(variance, epsilon));
    const standardized = tf.mul(tf.sub(input as tf.Tensor, mean), rstd);
    (save as tf.GradSaveFunc)([standardized, rstd]);
    return {
      value: standardized,
      gradFunc: (dy: tf.Tensor, [xHat, r]: tf.Tensor[]) =>
        tf.mul(r, tf.sub(tf.sub(dy, tf.mean(dy, axes, true)), tf.mul(xHat, tf.mean(tf.mul(dy, xHat), axes, true)))),
    };
  });
  return op(x);
}

function singleShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
  // A Shape is an array of numbers/nulls; a list of shapes is an array of arrays.
  if (inputShape.length > 0 && Array.isArray(inputShape[0])) {
    const shapes = inputShape as tf.Shape[];
    if (shapes.length !== 1) throw new Error(`GroupNormalization: expects one input, got ${shapes.length}`);
    return shapes[0];
  }
  return inputShape as tf.Shape;
}

function singleTensor(inputs: tf.Tensor[], layerName: string): tf.Tensor {
  if (inputs.length !== 1) throw new Error(`GroupNormalization '${layerName}': expects one input, got ${inputs.length}`);
  return inputs[0];
}
