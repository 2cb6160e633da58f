/**
 * Saving and loading tfjs-layers models as a folder in the TF.js layers format (`model.json` +
 * `weights.bin`), without tfjs-node's file:// handler. The folder loads unchanged in a browser
 * with `tf.loadLayersModel('…/model.json')`. Both files are listed in the folder's SHA256SUMS and
 * checked on every load.
 */
import * as fs from 'fs';
import * as path from 'path';
import { tf } from '../tf';
import { makeFolder, writeFileAtomic } from './safe-files';
import { CHECKSUM_FILE, formatChecksums, readChecksums, verifyChecksum } from './weights-checksum';

const MODEL_JSON = 'model.json';
const WEIGHTS_BIN = 'weights.bin';

function toArrayBuffer(data: ArrayBuffer | ArrayBuffer[]): ArrayBuffer {
  return Array.isArray(data) ? tf.io.concatenateArrayBuffers(data) : data;
}

/** Writes `model` into `dir` (created if needed); files are written to temp names and renamed, their checksums last. */
export async function saveLayersModel(model: tf.LayersModel, dir: string, userDefinedMetadata?: Record<string, unknown>): Promise<void> {
  makeFolder(dir, 'model folder');
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
      const files: [string, string | Uint8Array][] = [[WEIGHTS_BIN, weights], [MODEL_JSON, JSON.stringify(modelJson)]];
      for (const [name, content] of [...files, [CHECKSUM_FILE, formatChecksums(files)]]) writeFileAtomic(path.join(dir, name), [content]);
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON', weightDataBytes: weights.length } };
    }),
  );
}

function readModelFile(file: string): Buffer {
  try {
    return fs.readFileSync(file);
  } catch (err) {
    throw new Error(`${file}: cannot read model (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
}

/**
 * The topology and weights of a folder written by saveLayersModel (or any layers-model folder,
 * e.g. tensorflowjs_converter's: shards listed in model.json), each file checked against
 * SHA256SUMS. A folder without one loads with a `note`, its weights' size still checked against
 * model.json.
 */
export function readLayersModelFolder(dir: string, note: (line: string) => void): { modelTopology: object; weightSpecs: tf.io.WeightsManifestEntry[]; weightData: ArrayBuffer } {
  const sums = readChecksums(dir);
  if (!sums) note(`asl-run: ${dir} has no ${CHECKSUM_FILE} (saved before checksums were written); loading it unverified`);
  const jsonPath = path.join(dir, MODEL_JSON);
  const jsonBytes = readModelFile(jsonPath);
  if (sums) verifyChecksum(dir, MODEL_JSON, jsonBytes, sums);
  let modelJson: { modelTopology: object; weightsManifest: { paths: string[]; weights: tf.io.WeightsManifestEntry[] }[] };
  try {
    modelJson = JSON.parse(jsonBytes.toString('utf8'));
  } catch (err) {
    throw new Error(`${jsonPath}: cannot read model (${(err as Error).message})`);
  }
  if (!Array.isArray(modelJson?.weightsManifest)) throw new Error(`${jsonPath}: not a TF.js layers model (no weightsManifest)`);
  const specs = modelJson.weightsManifest.flatMap((g) => g.weights);
  const names = modelJson.weightsManifest.flatMap((g) => g.paths);
  const buffers = names.map((name) => readModelFile(path.join(dir, name)));
  const needed = specs.reduce((s, w) => s + tf.util.sizeFromShape(w.shape) * tf.util.bytesPerElement(w.dtype as tf.DataType), 0);
  const found = buffers.reduce((s, b) => s + b.length, 0);
  if (found !== needed) {
    const file = names.length === 1 ? path.join(dir, names[0]) : `${dir} (${names.join(', ')})`;
    throw new Error(`${file}: ${found < needed ? 'truncated' : 'too long'} (${found} bytes; model.json describes ${needed})`);
  }
  if (sums) names.forEach((name, i) => verifyChecksum(dir, name, buffers[i], sums));
  const weightData = tf.io.concatenateArrayBuffers(buffers.map((b) => new Uint8Array(b).buffer));
  return { modelTopology: modelJson.modelTopology, weightSpecs: specs, weightData };
}

/** Loads a layers-model folder, checked as readLayersModelFolder checks it. */
export async function loadLayersModel(dir: string, note: (line: string) => void): Promise<tf.LayersModel> {
  return tf.loadLayersModel(tf.io.fromMemory(readLayersModelFolder(dir, note)));
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
