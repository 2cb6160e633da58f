/**
 * Saving and loading tfjs-layers models as a folder in the TF.js layers format (`model.json` +
 * `weights.bin`), without tfjs-node's file:// handler. The folder loads unchanged in a browser
 * with `tf.loadLayersModel('…/model.json')`.
 */
import * as fs from 'fs';
import * as path from 'path';
import { tf } from '../tf';

const MODEL_JSON = 'model.json';
const WEIGHTS_BIN = 'weights.bin';

function toArrayBuffer(data: ArrayBuffer | ArrayBuffer[]): ArrayBuffer {
  return Array.isArray(data) ? tf.io.concatenateArrayBuffers(data) : data;
}

/** Writes `model` into `dir` (created if needed); files are written to temp names and renamed. */
export async function saveLayersModel(model: tf.LayersModel, dir: string, userDefinedMetadata?: Record<string, unknown>): Promise<void> {
  fs.mkdirSync(dir, { recursive: true });
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      const weights = artifacts.weightData ? Buffer.from(toArrayBuffer(artifacts.weightData as ArrayBuffer | ArrayBuffer[])) : Buffer.alloc(0);
      const modelJson = {
        modelTopology: artifacts.modelTopology,
        format: 'layers-model',
        generatedBy: `TensorFlow.js tfjs-layers v${tf.version.tfjs}`,
        convertedBy: null,
        weightsManifest: [{ paths: [WEIGHTS_BIN], weights: artifacts.weightSpecs ?? [] }],
        userDefinedMetadata,
      };
      for (const [name, content] of [[WEIGHTS_BIN, weights], [MODEL_JSON, JSON.stringify(modelJson)]] as const) {
        const tmp = path.join(dir, `${name}.tmp-${process.pid}`);
        fs.writeFileSync(tmp, content);
        fs.renameSync(tmp, path.join(dir, name));
      }
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON', weightDataBytes: weights.length } };
    }),
  );
}

/** Loads a folder written by saveLayersModel (or any single-shard layers-model folder). */
export async function loadLayersModel(dir: string): Promise<tf.LayersModel> {
  const jsonPath = path.join(dir, MODEL_JSON);
  let modelJson: { modelTopology: object; weightsManifest: { paths: string[]; weights: tf.io.WeightsManifestEntry[] }[] };
  try {
    modelJson = JSON.parse(fs.readFileSync(jsonPath, 'utf8'));
  } catch (err) {
    throw new Error(`${jsonPath}: cannot read model (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
  const specs = modelJson.weightsManifest.flatMap((g) => g.weights);
  const buffers = modelJson.weightsManifest.flatMap((g) => g.paths.map((p) => fs.readFileSync(path.join(dir, p))));
  const weightData = tf.io.concatenateArrayBuffers(buffers.map((b) => new Uint8Array(b).buffer));
  return tf.loadLayersModel(tf.io.fromMemory({ modelTopology: modelJson.modelTopology, weightSpecs: specs, weightData }));
}

/**
 * Frees a model's weights. tfjs-layers counts one reference per place a layer is applied, so
 * `model.dispose()` alone leaves the weights of layers shared across positions (the detection
 * head's towers, applied once per pyramid level).
 */
export function disposeModel(model: tf.LayersModel): void {
  const weights = model.weights.map((w) => w.read());
  model.dispose();
  for (const w of weights) if (!w.isDisposed) w.dispose();
}
