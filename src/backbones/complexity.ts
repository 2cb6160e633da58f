/**
 * Size and cost of a layers model: parameter count and multiply-accumulates (MACs) per input
 * sample, for model summaries and for choosing a backbone. FLOPs are commonly quoted as 2 × MACs.
 *
 * Only layers with a kernel are counted (conv, depthwise conv, dense): each kernel weight is used
 * once per output position, or once per input position for transposed convolutions. Normalisation,
 * activations, additions and pooling are a few percent on top and are left out.
 */
import { tf } from '../core/tf';

export interface ModelComplexity {
  /** Trainable and non-trainable weights (batch-norm moving statistics included). */
  params: number;
  /** Multiply-accumulates of kernel layers for one sample. */
  macs: number;
}

function product(dims: readonly (number | null)[], what: string): number {
  return dims.reduce<number>((acc, d) => {
    if (d == null) throw new Error(`modelComplexity: ${what} has an unknown dimension; build the model with a fixed input size`);
    return acc * d;
  }, 1);
}

/** Positions (all dims but batch and channels) of a layer's only input or output. */
function positions(shape: tf.Shape | tf.Shape[], layerName: string): number {
  const single = (Array.isArray(shape[0]) ? (shape as tf.Shape[])[0] : shape) as tf.Shape;
  return product(single.slice(1, -1), `layer '${layerName}'`);
}

/** Counts params and per-sample MACs of `model`. */
export function modelComplexity(model: tf.LayersModel): ModelComplexity {
  let macs = 0;
  for (const layer of model.layers) {
    const kernels = layer.weights.filter((w) => /kernel$/.test(w.originalName));
    if (kernels.length === 0) continue;
    const transposed = /Transpose/.test(layer.getClassName());
    const at = positions(transposed ? layer.inboundNodes[0].inputShapes : layer.outputShape, layer.name);
    for (const kernel of kernels) macs += at * product(kernel.shape, `kernel of '${layer.name}'`);
  }
  return { params: model.countParams(), macs };
}
