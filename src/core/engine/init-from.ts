/**
 * `--init-from PATH`: start a run from the weights of an earlier run (its model/, any task) or of
 * a TF.js layers model (model.json + shards, e.g. tensorflowjs_converter's output for a Keras
 * model). Weights map by saved name (`<layer>/<weight>`) and shape; the rest keep their fresh
 * initialisation.
 *
 * The rule that keeps a typo or a wrong source from passing as fine-tuning: loading nothing is
 * always an error, and so is a backbone that does not load whole (a weight missing from the source
 * or of another shape) unless `model.initFromPartial` (--init-from-partial) allows it. Weights
 * outside the backbone (FPN, heads, the classifier) load where they match and are otherwise
 * initialised fresh, which is what fine-tuning onto other classes or another task needs.
 * `backboneOnly` loads the backbone alone (the built-in pretraining's classifier is MNIST's, so no
 * run should start from it, whatever its classes).
 */
import * as fs from 'fs';
import * as path from 'path';
import { tf } from '../tf';
import { readLayersModelFolder } from './model-io';
import { RUN_FILES } from './run-folder';
import { backboneWeightNames } from '../../backbones/backbone-layers';

export interface InitFromConfig {
  /** Run folder, TF.js layers model folder, or its model.json; '' for none. */
  initFrom: string;
  /** Allow a backbone that loads only in part. */
  initFromPartial: boolean;
  /** Load the backbone only: the rest keeps its fresh initialisation even where the source has it. */
  backboneOnly?: boolean;
}

/** What initialisation did, by target weight name. */
export interface InitFromReport {
  loaded: string[];
  /** Target weights whose source tensor has another shape (or dtype): [name, detail]. */
  mismatched: [string, string][];
  /** Target weights with no source tensor of their name. */
  missing: string[];
  /** Target weights left fresh because they are outside the backbone (backboneOnly). */
  outside: string[];
  /** Source tensors no target weight took. */
  unused: number;
}

const MODEL_JSON = 'model.json';

/** The folder holding model.json: a run's model/, the folder given, or the folder of the model.json given; whether it is a run's. */
function sourceFolder(source: string, label: string): { dir: string; run: boolean } {
  const stat = fs.statSync(source, { throwIfNoEntry: false });
  if (!stat) throw new Error(`${label}: no such file or folder`);
  if (stat.isFile()) {
    if (path.basename(source) === MODEL_JSON) return { dir: path.dirname(source), run: false };
    throw new Error(`${label}: expected a run folder, a TF.js layers model folder or its ${MODEL_JSON}`);
  }
  const runModel = path.join(source, RUN_FILES.model);
  if (fs.existsSync(path.join(runModel, MODEL_JSON))) return { dir: runModel, run: true };
  if (fs.existsSync(path.join(source, MODEL_JSON))) return { dir: source, run: false };
  throw new Error(`${label}: neither a run folder (no ${RUN_FILES.model}/${MODEL_JSON}) nor a TF.js layers model folder (no ${MODEL_JSON})`);
}

const shapeText = (shape: readonly (number | null)[]) => `[${shape.join(', ')}]`;

/**
 * Maps `source` onto `model` by name and shape (assigning nothing); the tensors of `source` stay the caller's.
 * @param only the names that may load (the rest are reported `outside`); all when absent
 */
export function matchWeights(model: tf.LayersModel, source: tf.NamedTensorMap, only?: Set<string>): { report: InitFromReport; pairs: [tf.LayerVariable, tf.Tensor][] } {
  const report: InitFromReport = { loaded: [], mismatched: [], missing: [], outside: [], unused: 0 };
  const pairs: [tf.LayerVariable, tf.Tensor][] = [];
  const taken = new Set<string>();
  for (const weight of new Map(model.weights.map((w) => [w.originalName, w])).values()) {
    const name = weight.originalName;
    if (only && !only.has(name)) {
      report.outside.push(name);
      continue;
    }
    const tensor = source[name];
    if (!tensor) {
      report.missing.push(name);
      continue;
    }
    taken.add(name);
    if (tensor.dtype !== weight.dtype || tensor.shape.join() !== weight.shape.join()) {
      report.mismatched.push([name, `${shapeText(tensor.shape)} ${tensor.dtype} in the source, ${shapeText(weight.shape)} ${weight.dtype} in the model`]);
      continue;
    }
    report.loaded.push(name);
    pairs.push([weight, tensor]);
  }
  report.unused = Object.keys(source).filter((k) => !taken.has(k)).length;
  return { report, pairs };
}

/** The one line a run prints; `label` names the source as the user gave it (`--init-from runs/sl`). */
export function describeInitFrom(label: string, report: InitFromReport, backboneLoaded: number, backboneTotal: number): string {
  const fresh = report.mismatched.length + report.missing.length + report.outside.length;
  const total = report.loaded.length + fresh;
  const parts = [
    report.outside.length > 0 ? `${report.outside.length} outside the backbone (e.g. ${report.outside[0]})` : '',
    report.mismatched.length > 0 ? `${report.mismatched.length} shape mismatch (e.g. ${report.mismatched[0][0]})` : '',
    report.missing.length > 0 ? `${report.missing.length} not in the source (e.g. ${report.missing[0]})` : '',
  ].filter(Boolean);
  return `asl-run: ${label}: loaded ${report.loaded.length} of ${total} weight tensors (backbone ${backboneLoaded} of ${backboneTotal}); `
    + `${fresh} initialised fresh${parts.length > 0 ? `: ${parts.join(', ')}` : ''}; ${report.unused} source tensors unused`;
}

/**
 * Initialises `model` from `config.initFrom` (see the file comment for the rule), logging one line.
 * @param label names the source in the line and in errors (default `--init-from <source>`; --pretrained names its cache entry)
 * @throws Error (one line, naming the source) on an unreadable source, nothing loaded, or a partial backbone without initFromPartial
 */
export function initFrom(model: tf.LayersModel, config: InitFromConfig, log: (line: string) => void, label = `--init-from ${config.initFrom}`): InitFromReport {
  const { dir, run } = sourceFolder(config.initFrom, label);
  // A converter's folder has no SHA256SUMS by design; a run folder without one is worth the note.
  const { weightSpecs, weightData } = readLayersModelFolder(dir, run ? log : () => undefined);
  const tensors = tf.io.decodeWeights(weightData, weightSpecs);
  try {
    const backbone = backboneWeightNames(model);
    if (config.backboneOnly && backbone.size === 0) throw new Error(`${label}: the model has no backbone layers to load into`);
    const { report, pairs } = matchWeights(model, tensors, config.backboneOnly ? backbone : undefined);
    if (report.loaded.length === 0) {
      const example = report.mismatched[0] ? `'${report.mismatched[0][0]}': ${report.mismatched[0][1]}` : `the model's '${report.missing[0]}' is not among its ${Object.keys(tensors).length} tensors`;
      throw new Error(`${label}: no weight of the model matches the source by name and shape (${example}); nothing to load`);
    }
    const backboneFailed = [...report.mismatched.map(([n, why]) => [n, why]), ...report.missing.map((n) => [n, 'not in the source'])].filter(([n]) => backbone.has(n));
    if (backboneFailed.length > 0 && !config.initFromPartial) {
      const [name, why] = backboneFailed[0];
      throw new Error(
        `${label}: ${backboneFailed.length} of the backbone's ${backbone.size} weight tensors do not load (first: '${name}', ${why}); `
          + 'check --backbone and --width, or add --init-from-partial to load the rest',
      );
    }
    for (const [weight, tensor] of pairs) weight.write(tensor);
    log(describeInitFrom(label, report, backbone.size - backboneFailed.length, backbone.size));
    return report;
  } finally {
    tf.dispose(Object.values(tensors));
  }
}
