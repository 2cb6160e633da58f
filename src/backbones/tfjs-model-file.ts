/**
 * The model file behind `--backbone tfjs:PATH`: PATH is a TF.js layers model's model.json or the
 * folder holding it (what tensorflowjs_converter writes for a Keras model: model.json + weight
 * shards). Read here: its weights by saved name, and its Keras model config (camel-cased as
 * tfjs-layers deserialises it) with the input's size set to the run's — a model converted with
 * input_shape=(None, None, 3) adapts to any --image-size, a fixed other size is refused.
 */
import * as fs from 'fs';
import * as path from 'path';
import { tf } from '../core/tf';
import { readLayersModelFolder } from '../core/engine/model-io';

const MODEL_JSON = 'model.json';

/** A Keras-style `{ className, config }` object, camel-cased. */
export interface ModelConfig {
  className: string;
  config: Record<string, unknown>;
}

export interface TfjsModelFile {
  /** The model.json, as the messages name it. */
  file: string;
  /** The model's config, its input shape [null, H, W, C] set to the run's. */
  modelConfig: ModelConfig;
  /** Weights by saved name (`<layer>/<weight>`); the caller disposes them. */
  weights: tf.NamedTensorMap;
}

/** The model.json that `spec` names: the file itself or the one in the folder. */
function modelJsonOf(spec: string): string {
  const stat = fs.statSync(spec, { throwIfNoEntry: false });
  // --resume rebuilds the model from the file too (its weights then come from the checkpoint).
  if (!stat) throw new Error(`--backbone tfjs:${spec}: no such file or folder (training and --resume read the model from it; eval and predict use the run's own model/)`);
  if (stat.isFile()) {
    if (path.basename(spec) !== MODEL_JSON) throw new Error(`--backbone tfjs:${spec}: expected a TF.js layers model's ${MODEL_JSON} or the folder holding it`);
    return spec;
  }
  const inside = path.join(spec, MODEL_JSON);
  if (!fs.existsSync(inside)) throw new Error(`--backbone tfjs:${spec}: the folder holds no ${MODEL_JSON} (a TF.js layers model: model.json + weight shards)`);
  return inside;
}

/**
 * tfjs-layers' convertPythonicToTs, which it does not export: keys and string values go from
 * snake_case to camelCase (`channels_last` → `channelsLast`), except names — a `name` value and
 * the layer name opening each entry of `inbound_nodes`, `input_layers` and `output_layers`.
 */
function pythonicToTs(value: unknown, key?: string): unknown {
  const camel = (s: string) => (s.length <= 1 ? s : s.replace(/_+(\w|$)/g, (_m, c: string) => c.toUpperCase()));
  if (typeof value === 'string') return camel(value);
  if (Array.isArray(value)) {
    const holdsNames = key === 'inboundNodes' || key === 'inputLayers' || key === 'outputLayers';
    return value.map((item, i) => (holdsNames && i === 0 && typeof item === 'string' ? item : pythonicToTs(item, key)));
  }
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value).map(([k, v]) => (k === 'name' && typeof v === 'string' ? [k, v] : [camel(k), pythonicToTs(v, camel(k))])),
  );
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const shapeText = (shape: readonly unknown[]) => `[${shape.map((d) => (d == null ? 'null' : String(d))).join(', ')}]`;

/** The config of the layer that declares the model's input shape: its one InputLayer (functional) or first layer (Sequential). */
function inputLayerConfig(model: ModelConfig, file: string): Record<string, unknown> {
  const layers = Array.isArray(model.config.layers) ? (model.config.layers as unknown[]).filter(isObject) : [];
  if (model.className === 'Sequential') {
    const first = layers[0]?.config;
    if (!isObject(first)) throw new Error(`${file}: a Sequential model without layers`);
    return first;
  }
  const inputs = layers.filter((l) => l.className === 'InputLayer');
  if (inputs.length !== 1 || !isObject(inputs[0].config)) throw new Error(`${file}: the model has ${inputs.length} inputs; a backbone takes one image input`);
  return inputs[0].config;
}

/**
 * Sets the model's input to `inputShape` [H, W, C] where it declares none (null) or the same.
 * @throws Error naming the file and both shapes when the model's own input is fixed otherwise.
 */
function setInputShape(model: ModelConfig, file: string, inputShape: [number, number, number]): void {
  const config = inputLayerConfig(model, file);
  const declared = config.batchInputShape;
  if (!Array.isArray(declared)) throw new Error(`${file}: its input layer declares no input shape (batch_input_shape)`);
  const wanted = [null, ...inputShape];
  const fits = declared.length === 4 && declared.every((d, i) => i === 0 || d == null || d === wanted[i]);
  if (!fits) {
    throw new Error(
      `${file}: the model's input is ${shapeText(declared)}, this run feeds ${shapeText(wanted)} (--image-size ${inputShape[0]}; images are RGB, gray replicated); `
        + 'convert the model with input_shape=(None, None, 3) or set --image-size to its size',
    );
  }
  config.batchInputShape = wanted;
}

/**
 * Reads the model of `tfjs:<spec>` for a run whose images are `inputShape` [H, W, C].
 * @throws Error (one line, naming the file) on a missing model.json or shard, a truncated shard, a
 *   graph model, or an input shape the run cannot feed.
 */
export function readTfjsModelFile(spec: string, inputShape: [number, number, number]): TfjsModelFile {
  const file = modelJsonOf(spec);
  // A converter's folder has no SHA256SUMS; the shards' sizes are still checked against model.json.
  const { modelTopology, weightSpecs, weightData } = readLayersModelFolder(path.dirname(file), () => undefined);
  const topology = isObject(modelTopology) && isObject(modelTopology.model_config) ? modelTopology.model_config : modelTopology;
  if (!isObject(topology) || typeof topology.class_name !== 'string' || !isObject(topology.config)) {
    throw new Error(
      `${file}: not a TF.js layers model (no Keras model config in its modelTopology; a graph model cannot be a backbone): `
        + 'convert with tensorflowjs_converter --input_format keras (or keras_saved_model) --output_format tfjs_layers_model',
    );
  }
  // Keras 3 tags each layer with its `module` and nests inbound nodes as objects; tfjs-layers reads neither (tensorflow/tfjs#8358).
  if (Array.isArray(topology.config.layers) && topology.config.layers.some((l) => isObject(l) && 'module' in l)) {
    throw new Error(`${file}: written in Keras 3's model format, which TF.js cannot read; convert from Keras 2 (TensorFlow 2.15, or tf-keras with TF_USE_LEGACY_KERAS=1)`);
  }
  const modelConfig = pythonicToTs(topology) as ModelConfig;
  setInputShape(modelConfig, file, inputShape);
  return { file, modelConfig, weights: tf.io.decodeWeights(weightData, weightSpecs) };
}
