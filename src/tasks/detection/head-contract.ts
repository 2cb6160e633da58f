/**
 * The contract of a plugin's detection head (`api.detectionHeads.register(head)`): its shape
 * (zod), then a probe that runs every part once on a tiny pyramid (32x32 input, 2 classes, the
 * head's default options): the layers' output against the declared layout, the training items,
 * the loss and its gradient, the decoder, and no tensor left behind. A broken head fails at
 * start-up with one line naming its file; what it does wrong later, on real batches, is caught by
 * guardPluginHead, which the detection task puts around every plugin head, and names the file too.
 */
import { tf } from '../../core/tf';
import { integerIn, nonEmptyText, openObject, parseOrThrow, z } from '../../core/schema';
import { LossRegistry } from '../../core/registry/loss-registry';
import { PluginError, reason } from '../../core/registry/plugin-guard';
import { bcePlugin } from '../../losses/bce';
import { focalPlugin } from '../../losses/focal';
import type { LossTerms } from '../../core/engine/task';
import type { DetectionHead, HeadLoss } from './head';
import { headOptions, sharedOptionsShape } from './options';
import { levelRows } from './model';
import { locationGrid } from './locations';
import { detectImage } from './postprocess';

const fn = () => z.custom<(...args: never[]) => unknown>((v) => typeof v === 'function', { error: 'must be a function' });

/** The static contract of a DetectionHead (extra fields are allowed). */
export const detectionHeadContract = z.object(
  {
    name: z.string({ error: 'an identifier string' }).regex(/^[a-z0-9][a-z0-9._-]*$/i, { error: 'an identifier string (letters, digits, . _ -)' }),
    description: z.string({ error: 'a string' }),
    defaultLoss: nonEmptyText('a loss name'),
    optionsSchema: z.instanceof(z.ZodObject, { error: "a zod object schema of the head's own options (zod from require('asl-run').detection.z)" }),
    defaults: openObject(),
    checkOptions: fn().optional(),
    extraColumns: integerIn({ min: 0 }),
    decoder: z.object({ scores: fn(), corners: fn() }, { error: 'an object with scores() and corners()' }),
    buildHead: fn(),
    trainingItem: fn(),
    createLoss: fn(),
  },
  { error: 'a DetectionHead object' },
);

const PROBE_SIZE = 32;
const PROBE_CLASSES = 2;

/** Runs `part` of the head, turning what it throws into a PluginError naming the file, the head and the part. */
function guarded<T>(where: string, part: string, run: () => T): T {
  try {
    return run();
  } catch (err) {
    if (err instanceof PluginError) throw err;
    throw new PluginError(`${where}: ${part} failed (${reason(err)})`);
  }
}

function checkTerms(where: string, terms: unknown): LossTerms {
  const t = terms as LossTerms | undefined;
  const scalar = (v: unknown) => v instanceof tf.Tensor && v.rank === 0;
  if (!t || !scalar(t.total) || typeof t.parts !== 'object' || !Object.values(t.parts).every(scalar)) {
    throw new PluginError(`${where}: loss() must return { total: a scalar tensor, parts: { name: a scalar tensor } }`);
  }
  return t;
}

/** `head` with every call into it guarded: what it throws, or returns wrongly, names `source`. */
export function guardPluginHead(head: DetectionHead, source: string): DetectionHead {
  const where = `plugin ${source}: detection head '${head.name}'`;
  const guardLoss = (loss: HeadLoss): HeadLoss => ({
    loss: (outputs, items) => checkTerms(where, guarded(where, 'loss()', () => loss.loss(outputs, items))),
    diagnostics: loss.diagnostics && ((outputs, items) => guarded(where, 'diagnostics()', () => loss.diagnostics!(outputs, items))),
  });
  return {
    ...head,
    checkOptions: head.checkOptions && ((options, problem) => guarded(where, 'checkOptions()', () => head.checkOptions!(options, problem))),
    decoder: {
      scores: (...args) => guarded(where, 'decoder.scores()', () => head.decoder.scores(...args)),
      corners: (...args) => guarded(where, 'decoder.corners()', () => head.decoder.corners(...args)),
    },
    buildHead: (input) => guarded(where, 'buildHead()', () => head.buildHead(input)),
    trainingItem: (grid, options) => {
      const itemOf = guarded(where, 'trainingItem()', () => head.trainingItem(grid, options));
      return (boxes) => guarded(where, 'trainingItem()', () => itemOf(boxes));
    },
    createLoss: (context) => guardLoss(guarded(where, 'createLoss()', () => head.createLoss(context))),
  };
}

/** Feature maps like an FPN's at `strides` on a 32x32 input: average pooling, then a 1x1 conv to `channels`. */
function probePyramid(strides: number[], channels: number): { input: tf.SymbolicTensor; features: tf.SymbolicTensor[] } {
  const input = tf.input({ shape: [PROBE_SIZE, PROBE_SIZE, 3] });
  const features = strides.map((s, i) => {
    const pooled = tf.layers.averagePooling2d({ poolSize: s, strides: s, padding: 'same', name: `probe_pool${i}` }).apply(input) as tf.SymbolicTensor;
    return tf.layers.conv2d({ filters: channels, kernelSize: 1, name: `probe_lateral${i}` }).apply(pooled) as tf.SymbolicTensor;
  });
  return { input, features };
}

/** Every part of the (guarded) head once on the tiny pyramid; throws PluginError naming `where`. */
async function probe(head: DetectionHead, where: string, losses: LossRegistry): Promise<void> {
  const options = guarded(where, 'its default options', () => headOptions(head, { head: head.name }));
  const { strides, levelBounds, channels } = options;
  if (strides.some((s) => s > PROBE_SIZE)) throw new PluginError(`${where}: default strides ${JSON.stringify(strides)} exceed the probe's ${PROBE_SIZE}-pixel input`);
  const before = tf.memory().numTensors;
  const columns = PROBE_CLASSES + head.extraColumns;
  const { input, features } = probePyramid(strides, channels);
  const maps = head.buildHead({ features, strides, numClasses: PROBE_CLASSES, options });
  if (!Array.isArray(maps) || maps.length !== features.length) throw new PluginError(`${where}: buildHead() must return one map per level (${features.length})`);
  // Every weight of the pyramid and the head, to dispose whatever the probe finds.
  const built = guarded(where, 'buildHead()', () => tf.model({ inputs: input, outputs: maps }));
  try {
    maps.forEach((map, i) => {
      const [, h, w, c] = map.shape;
      const [, fh, fw] = features[i].shape;
      if (map.shape.length !== 4 || h !== fh || w !== fw || c !== columns) {
        throw new PluginError(`${where}: buildHead() level ${i} is [${map.shape.map((d) => d ?? 'batch').join(', ')}], its layout needs [batch, ${fh}, ${fw}, ${columns}] (2 classes + extraColumns ${head.extraColumns})`);
      }
    });
    const model = tf.model({ inputs: input, outputs: levelRows(maps, strides, columns) });
    const grid = locationGrid(PROBE_SIZE, PROBE_SIZE, strides, levelBounds);
    const itemOf = head.trainingItem(grid, options);
    const items = [
      itemOf({ boxes: [[4, 6, 14, 12], [16, 14, 14, 16]], labels: [0, 1], ignore: [false, false] }),
      itemOf({ boxes: [], labels: [], ignore: [] }),
    ];
    // Any sigmoid loss serves the probe; a plugin head's default may be another plugin's loss.
    const criterion = losses.create(losses.has(head.defaultLoss) ? head.defaultLoss : 'bce');
    const headLoss = head.createLoss({ grid, numClasses: PROBE_CLASSES, options, criterion, losses });
    const x = tf.randomUniform([2, PROBE_SIZE, PROBE_SIZE, 3], -1, 1, 'float32', 7);
    try {
      // What a head reads of its predictions before the tape (YOLOX's assignment), as on a GPU backend.
      const prepare = async () => {
        if (!headLoss.prepare) return;
        const outputs = tf.tidy(() => model.apply(x, { training: true }) as tf.Tensor3D);
        await headLoss.prepare(outputs, items).finally(() => outputs.dispose());
      };
      // Once outside the gradient tape first: a loss that throws there leaves no half-recorded tape behind.
      await prepare();
      tf.tidy(() => {
        headLoss.loss(model.apply(x, { training: true }) as tf.Tensor3D, items);
      });
      await prepare();
      const [value, gradSum, outputs] = tf.tidy(() => {
        const { value, grads } = tf.variableGrads(() => headLoss.loss(model.apply(x, { training: true }) as tf.Tensor3D, items).total);
        // A sum is non-finite when any term is.
        const gradSum = tf.addN(Object.values(grads).map((g) => tf.sum(g)));
        const outputs = model.predict(x) as tf.Tensor3D;
        headLoss.diagnostics?.(outputs, items);
        return [value, gradSum, outputs];
      });
      try {
        const [v, g, rows] = await Promise.all([value.data(), gradSum.data(), outputs.data()]);
        if (!Number.isFinite(v[0])) throw new PluginError(`${where}: loss() is ${v[0]} on the probe batch`);
        if (!Number.isFinite(g[0])) throw new PluginError(`${where}: loss() has a non-finite gradient on the probe batch`);
        const detections = detectImage(rows, 0, grid, PROBE_CLASSES, { affine: { sx: 1, sy: 1, tx: 0, ty: 0 }, originalWidth: PROBE_SIZE, originalHeight: PROBE_SIZE }, options, head.decoder, head.extraColumns);
        if (!detections.every((d) => Number.isFinite(d.score) && d.box.every(Number.isFinite))) throw new PluginError(`${where}: the decoder gives non-finite scores or boxes`);
      } finally {
        tf.dispose([value, gradSum, outputs]);
      }
    } finally {
      x.dispose();
    }
  } catch (err) {
    throw err instanceof PluginError ? err : new PluginError(`${where}: probe failed (${reason(err)})`);
  } finally {
    const weights = built.weights.map((w) => w.read());
    built.dispose();
    for (const w of weights) if (!w.isDisposed) w.dispose();
  }
  const left = tf.memory().numTensors - before;
  if (left > 0) throw new PluginError(`${where}: ${left} tensor${left === 1 ? '' : 's'} left behind by the probe (dispose them, or use tf.tidy)`);
}

/** `plugin <source>: detection head '<name>'`, the prefix of every message about a plugin head. */
function whereOf(candidate: unknown, source: string): string {
  const name = (candidate as { name?: unknown } | undefined)?.name;
  return `plugin ${source}: detection head${typeof name === 'string' ? ` '${name}'` : ''}`;
}

/**
 * Checks a plugin's detection head against the contract (no probe; see probeDetectionHead).
 * @returns the head as given (the detection task guards plugin heads when it runs them)
 * @throws PluginError `plugin <source>: detection head '<name>': …`
 */
export function checkDetectionHeadContract(candidate: unknown, source: string): DetectionHead {
  const where = whereOf(candidate, source);
  try {
    parseOrThrow(detectionHeadContract, candidate, (keyPath) => [where, ...(keyPath.length > 0 ? [keyPath.join('.')] : [])].join(': '));
  } catch (err) {
    throw new PluginError(reason(err));
  }
  const head = candidate as DetectionHead;
  const clash = Object.keys(head.optionsSchema.shape).find((key) => key === 'head' || key in sharedOptionsShape);
  if (clash) throw new PluginError(`${where}: optionsSchema: '${clash}' is a shared option (${['head', ...Object.keys(sharedOptionsShape)].join(', ')}); set its default in defaults instead`);
  return head;
}

/**
 * Runs every part of the head once on a tiny pyramid (32x32, 2 classes), guarded, reading back
 * asynchronously as GPU backends require.
 * @param losses the loss registry its loss may use (default: one holding bce and focal)
 * @throws PluginError `plugin <source>: detection head '<name>': …`
 */
export async function probeDetectionHead(head: DetectionHead, source: string, losses?: LossRegistry): Promise<void> {
  const registry = losses ?? new LossRegistry();
  if (!losses) [bcePlugin, focalPlugin].forEach((plugin) => registry.register(plugin));
  await probe(guardPluginHead(head, source), whereOf(head, source), registry);
}

/** Contract and probe together (checkDetectionHeadContract, then probeDetectionHead). */
export async function checkDetectionHead(candidate: unknown, source: string, losses?: LossRegistry): Promise<DetectionHead> {
  const head = checkDetectionHeadContract(candidate, source);
  await probeDetectionHead(head, source, losses);
  return head;
}
