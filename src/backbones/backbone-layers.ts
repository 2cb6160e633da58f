/**
 * Which layers of a built model are its backbone's: fine-tuning (--freeze-backbone-epochs,
 * --backbone-lr-mult, --init-from's rule that the backbone loads whole) needs them, and layer names
 * cannot tell a plugin backbone's layers from the head's. The registry marks, as it builds a
 * backbone, every layer between the image input and the feature maps.
 */
import { tf } from '../core/tf';

const marked = new WeakSet<tf.layers.Layer>();

/**
 * Marks the layers that compute `features` (the backbone sub-graph, walked back to its inputs).
 * Anything but symbolic tensors is passed over: the task's checks of the backbone name that.
 */
export function markBackboneLayers(features: unknown): void {
  const symbolic = Array.isArray(features) ? features.filter((f): f is tf.SymbolicTensor => f instanceof tf.SymbolicTensor) : [];
  const pending = symbolic.map((f) => f.sourceLayer as tf.layers.Layer);
  while (pending.length > 0) {
    const layer = pending.pop()!;
    if (marked.has(layer)) continue;
    marked.add(layer);
    for (const node of layer.inboundNodes) pending.push(...(node.inboundLayers as tf.layers.Layer[]));
  }
}

/** The saved names (`<layer>/<weight>`) of the weights of `model`'s backbone layers, trainable or not. */
export function backboneWeightNames(model: tf.LayersModel): Set<string> {
  return new Set(model.layers.filter((l) => marked.has(l)).flatMap((l) => l.weights.map((w) => w.originalName)));
}
