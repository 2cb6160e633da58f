/**
 * Image classifier on a backbone: global average pooling of the deepest feature map, optional
 * dropout, and a dense layer producing LOGITS (no activation: the loss applies sigmoid for
 * multi-label or softmax for single-label training).
 *
 * image [N, H, W, C] → deepest features [N, h, w, K] → pooled [N, K] → logits [N, numClasses].
 */
import { tf } from '../core/tf';
import { applyLayer, Backbone } from './backbone';

export interface ClassifierOptions {
  /** Dropout rate before the dense layer, in [0, 1). Default 0 (no dropout layer). */
  dropout?: number;
  /**
   * Initialises every logit bias to log(p / (1 - p)) so that sigmoid outputs start at p (the
   * focal-loss / RetinaNet prior, which keeps many rare positives from swamping early training).
   * Default: biases 0.
   */
  priorProbability?: number;
}

/** Builds a `tf.LayersModel` mapping the backbone's input image to class logits. */
export function buildClassifier(backbone: Backbone, numClasses: number, options: ClassifierOptions = {}): tf.LayersModel {
  const { dropout = 0, priorProbability } = options;
  if (!Number.isInteger(numClasses) || numClasses < 1) {
    throw new Error(`classifier: numClasses must be a positive integer, got ${numClasses}`);
  }
  if (!(dropout >= 0 && dropout < 1)) throw new Error(`classifier: dropout must be in [0, 1), got ${dropout}`);
  if (priorProbability !== undefined && !(priorProbability > 0 && priorProbability < 1)) {
    throw new Error(`classifier: priorProbability must be in (0, 1), got ${priorProbability}`);
  }
  const deepest = backbone.features[backbone.features.length - 1];
  let x = applyLayer(tf.layers.globalAveragePooling2d({ name: 'head_pool' }), deepest);
  if (dropout > 0) x = applyLayer(tf.layers.dropout({ rate: dropout, name: 'head_dropout' }), x);
  const biasInitializer =
    priorProbability === undefined ? 'zeros' : tf.initializers.constant({ value: Math.log(priorProbability / (1 - priorProbability)) });
  const logits = applyLayer(tf.layers.dense({ units: numClasses, biasInitializer, name: 'head_logits' }), x);
  return tf.model({ inputs: backbone.inputs, outputs: logits, name: `${backbone.name}-classifier` });
}
