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
  for (const layer of layersUnder(symbolic)) marked.add(layer);
}

/** The layers that `features` depend on, walked back to the inputs (input layers included). */
export function layersUnder(features: readonly tf.SymbolicTensor[]): Set<tf.layers.Layer> {
  const found = new Set<tf.layers.Layer>();
  const pending = features.map((f) => f.sourceLayer as tf.layers.Layer);
  while (pending.length > 0) {
    const layer = pending.pop()!;
    if (found.has(layer)) continue;
    found.add(layer);
    for (const node of layer.inboundNodes) pending.push(...(node.inboundLayers as tf.layers.Layer[]));
  }
  return found;
}

/** The saved names (`<layer>/<weight>`) of the weights of `model`'s backbone layers, trainable or not. */
export function backboneWeightNames(model: tf.LayersModel): Set<string> {
  return new Set(model.layers.filter((l) => marked.has(l)).flatMap((l) => l.weights.map((w) => w.originalName)));
}
