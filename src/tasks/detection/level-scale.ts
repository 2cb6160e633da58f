/**
 * FCOS's learnable per-level scale: one scalar weight that multiplies the regression output of a
 * pyramid level, so that a head shared across levels can still predict level-specific ranges.
 * Saved models name the class `FcosLevelScale`; `registerDetectionLayers()` must have run before
 * `tf.loadLayersModel` reads a detection model.
 */
import { tf } from '../../core/tf';

type LayerArgs = NonNullable<ConstructorParameters<typeof tf.layers.Layer>[0]>;

export interface LevelScaleArgs extends LayerArgs {
  /** Initial value of the scale. Default 1. */
  initialValue?: number;
}

export class LevelScale extends tf.layers.Layer {
  static className = 'FcosLevelScale';

  readonly initialValue: number;
  private scale: tf.LayerVariable | null = null;

  constructor(args: LevelScaleArgs = {}) {
    super(args);
    this.initialValue = args.initialValue ?? 1;
    if (!Number.isFinite(this.initialValue)) throw new Error(`LevelScale: initialValue must be a finite number, got ${this.initialValue}`);
  }

  override build(): void {
    this.scale = this.addWeight('scale', [1], 'float32', tf.initializers.constant({ value: this.initialValue }));
    this.built = true;
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape | tf.Shape[] {
    return inputShape;
  }

  /** x [...] → x · scale, same shape. */
  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    const x = Array.isArray(inputs) ? inputs[0] : inputs;
    return tf.mul(x, this.scale!.read());
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), initialValue: this.initialValue };
  }
}

let registered = false;

/** Makes the detection head's custom layers known to `tf.loadLayersModel`; safe to call more than once. */
export function registerDetectionLayers(): void {
  if (registered) return;
  tf.serialization.registerClass(LevelScale);
  registered = true;
}
