/**
 * `--backbone tfjs:PATH --taps a,b,c`: a user's TF.js layers model (e.g. a Keras MobileNetV2 run
 * through tensorflowjs_converter) as the backbone — timm's `features_only=True` for a model the
 * user brings. The model is rebuilt from its config at the run's input size (tfjs-model-file.ts)
 * with the weights of its shards (the pretrained start), and its feature maps are the outputs of
 * the tap layers, shallow to deep. Their strides follow from their sizes and are checked as every
 * backbone's are (backbone-contract.ts); layers no tap depends on (a classifier top) are dropped.
 * Every kept layer trains, whatever `trainable` the file says: freezing is the run's decision
 * (--freeze-backbone-epochs, --backbone-lr-mult), as for the built-in backbones.
 */
import { tf } from '../core/tf';
import { reason } from '../core/registry/plugin-guard';
import { matchWeights } from '../core/engine/init-from';
import type { Backbone } from './backbone';
import { featureMapProblem } from './backbone-contract';
import { layersUnder } from './backbone-layers';
import { registerCustomLayers } from './custom-layers';
import type { BackboneFactory, BackboneOptions } from './registry';
import { readTfjsModelFile, type ModelConfig } from './tfjs-model-file';

const SCHEME = 'tfjs';
/** Strides a suggested tap may have: stride 1 and 2 maps are too large for an FPN level. */
const SUGGESTED_STRIDES = [4, 8, 16, 32, 64];

function deserialize(modelConfig: ModelConfig, file: string): tf.LayersModel {
  registerCustomLayers();
  const known = tf.serialization.SerializationMap.getMap().classNameMap[modelConfig.className];
  if (!known) throw new Error(`${file}: model class '${modelConfig.className}' is not one TF.js builds (Functional, Model or Sequential)`);
  try {
    return known[1](known[0], modelConfig.config as tf.serialization.ConfigDict) as tf.LayersModel;
  } catch (err) {
    throw new Error(`${file}: TF.js cannot build the model (${reason(err)})`);
  }
}

const spatialOf = (shape: tf.Shape): number | undefined => (shape.length === 4 && shape[1] != null ? shape[1] : undefined);

/** The deepest layer of each stride in SUGGESTED_STRIDES whose map is exactly ceil(size / stride) square: a starting point for --taps. */
function suggestedTaps(model: tf.LayersModel, size: number): string[] {
  const deepest = new Map<number, string>();
  for (const layer of model.layers) {
    if (layer.inboundNodes.length !== 1 || Array.isArray(layer.outputShape[0])) continue;
    const shape = layer.outputShape as tf.Shape;
    const h = spatialOf(shape);
    const stride = SUGGESTED_STRIDES.find((s) => h === Math.ceil(size / s) && shape[2] === h);
    if (stride !== undefined) deepest.set(stride, layer.name);
  }
  return [...deepest.entries()].sort(([a], [b]) => a - b).map(([, name]) => name);
}

/** The outputs of the tap layers, checked to be single 4-D feature maps. */
function tapOutputs(model: tf.LayersModel, file: string, spec: string, taps: readonly string[], size: number): tf.SymbolicTensor[] {
  const hint = () => {
    const suggested = suggestedTaps(model, size);
    return suggested.length > 0 ? `e.g. --taps ${suggested.join(',')} (the deepest layer at each stride)` : `its layers: ${model.layers.slice(0, 12).map((l) => l.name).join(', ')}, …`;
  };
  if (taps.length === 0) throw new Error(`--backbone tfjs:${spec}: needs --taps, the layers whose outputs are the feature maps, shallow to deep; ${hint()}`);
  return taps.map((name) => {
    const layer = model.layers.find((l) => l.name === name);
    if (!layer) throw new Error(`--taps: ${file} has no layer '${name}'; ${hint()}`);
    if (layer.inboundNodes.length !== 1) throw new Error(`--taps: layer '${name}' of ${file} is applied ${layer.inboundNodes.length} times; tap a layer applied once`);
    const output = layer.output;
    if (Array.isArray(output) || output.shape.length !== 4) {
      const shape = Array.isArray(output) ? `${output.length} outputs` : `[${output.shape.map(String).join(', ')}]`;
      throw new Error(`--taps: layer '${name}' of ${file} outputs ${shape}, not a 4-D feature map [N, H, W, C]`);
    }
    return output;
  });
}

/** Writes the file's weights into the kept layers; every one of theirs must be in the file, of its shape. */
function loadWeights(model: tf.LayersModel, kept: Set<tf.layers.Layer>, weights: tf.NamedTensorMap, file: string): void {
  const keptNames = new Set([...kept].flatMap((l) => l.weights.map((w) => w.originalName)));
  const { report, pairs } = matchWeights(model, weights);
  const mismatched = report.mismatched.find(([name]) => keptNames.has(name));
  if (mismatched) throw new Error(`${file}: weight '${mismatched[0]}' does not fit the model (${mismatched[1]})`);
  const missing = report.missing.find((name) => keptNames.has(name));
  if (missing) throw new Error(`${file}: weight '${missing}' of the model is in none of its shards`);
  for (const [variable, tensor] of pairs) if (keptNames.has(variable.originalName)) variable.write(tensor);
}

function checkOptions(spec: string, options: BackboneOptions): void {
  const { widthMultiplier = 1, stemStride, prefix = '' } = options;
  if (widthMultiplier !== 1) throw new Error(`--width ${widthMultiplier}: applies to the built-in backbones; tfjs:${spec} has the model's own widths`);
  if (stemStride === 1) throw new Error(`model.stemStride 1: applies to the built-in backbones; tfjs:${spec} has the model's own strides`);
  if (prefix !== '') throw new Error(`backbone 'tfjs:${spec}': a layer-name prefix ('${prefix}') cannot apply to a model file's layers`);
}

/** `tfjs:PATH`: bound in the composition root. */
export const tfjsBackbones: BackboneFactory = {
  scheme: SCHEME,
  create(spec: string, options: BackboneOptions): Backbone {
    checkOptions(spec, options);
    const size = options.inputShape[0];
    const { file, modelConfig, weights } = readTfjsModelFile(spec, options.inputShape);
    let model: tf.LayersModel | undefined;
    try {
      model = deserialize(modelConfig, file);
      const features = tapOutputs(model, file, spec, options.taps ?? [], size);
      const channels = features.map((f) => f.shape[3] as number);
      // The nominal stride; a map a row short of it (floored) is then the contract's shape error, not a stride of 12.5.
      const strides = features.map((f) => 2 ** Math.round(Math.log2(size / (f.shape[1] as number))));
      const problem = featureMapProblem({ features, strides, channels }, size);
      if (problem) {
        // 'valid' padding (Keras' stride-2 blocks) floors where 'same' rounds up: exact only on a multiple of the stride.
        const hint = problem.startsWith('features[') ? "; an --image-size divisible by the deepest tap's stride keeps every map exact" : '';
        throw new Error(`--taps ${options.taps!.join(',')}: on ${file} at --image-size ${size}, ${problem}${hint}`);
      }
      const kept = layersUnder(features);
      loadWeights(model, kept, weights, file);
      for (const layer of model.layers) {
        if (kept.has(layer)) layer.trainable = true;
        else for (const w of layer.weights) w.dispose();
      }
      return { name: `${SCHEME}:${spec}`, inputs: model.inputs[0], features, strides, channels };
    } catch (err) {
      for (const w of model?.weights ?? []) w.dispose();
      throw err;
    } finally {
      tf.dispose(Object.values(weights));
    }
  },
};
