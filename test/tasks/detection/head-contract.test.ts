/**
 * The plugin detection-head contract: the example plugin head passes the checks and the probe; a
 * head that breaks its declared layout, its shape, the shared options or tensor hygiene is refused
 * with one line naming the file and the head; and what a plugin head throws during a run names its
 * file too (the task guards every plugin head).
 */
import * as path from 'path';
import { tf } from '../../../src/core/tf';
import { initBackend } from '../../../src/core/backend/init';
import { LossRegistry } from '../../../src/core/registry/loss-registry';
import { focalPlugin } from '../../../src/losses/focal';
import type { Batch } from '../../../src/core/engine/task';
import type { DetectionHead } from '../../../src/tasks/detection/head';
import { checkDetectionHead } from '../../../src/tasks/detection/head-contract';
import { PluginError } from '../../../src/core/registry/plugin-guard';
import { useTemporaryCache } from './synthetic-scenes';
import { builtinHeads, detectionTaskWith } from './task-fixture';

const FILE = path.resolve(__dirname, '../../../examples/plugins/custom-detection-head.js');

/** The head the example plugin registers, taken from its register(api, { tf }). */
function exampleHead(): DetectionHead {
  let registered: unknown;
  const { register } = require(FILE) as { register: (api: unknown, deps: { tf: unknown }) => void };
  register({ detectionHeads: { register: (head: unknown) => (registered = head) } }, { tf });
  return registered as DetectionHead;
}

/** The example head with some of its parts replaced. */
const broken = (parts: Partial<DetectionHead> & Record<string, unknown>): DetectionHead => ({ ...exampleHead(), name: 'broken', ...parts }) as DetectionHead;

describe('checkDetectionHead', () => {
  beforeAll(() => initBackend('cpu'));

  it('accepts the example head after probing every part, leaving no tensor behind', async () => {
    const before = tf.memory().numTensors;
    const head = exampleHead();
    expect(await checkDetectionHead(head, FILE)).toBe(head);
    expect(tf.memory().numTensors).toBe(before);
  });

  it.each<[string, () => DetectionHead, RegExp]>([
    ['not an object', () => 7 as unknown as DetectionHead, /^plugin \S+: detection head: expected a DetectionHead object, got 7$/],
    ['a part missing', () => broken({ createLoss: undefined }), /^plugin \S+: detection head 'broken': createLoss: must be a function$/],
    ['a negative layout', () => broken({ extraColumns: -1 }), /^plugin \S+: detection head 'broken': extraColumns: expected an integer >= 0, got -1$/],
    ['options that are not zod', () => broken({ optionsSchema: { towerConvs: 2 } as never }), /^plugin \S+: detection head 'broken': optionsSchema: expected a zod object schema/],
    ['a shared option redefined', () => broken({ optionsSchema: exampleHead().optionsSchema.extend({ channels: tf.util.isNumber as never }) }), /^plugin \S+: detection head 'broken': optionsSchema: 'channels' is a shared option/],
    ['bad defaults', () => broken({ defaults: { towerConvs: -1, centerSampleRadius: 1.5 } }), /^plugin \S+: detection head 'broken': its default options failed \(taskOptions\.towerConvs: expected an integer >= 0, got -1\)$/],
    ['a layout it does not build', () => broken({ extraColumns: 5 }), /^plugin \S+: detection head 'broken': buildHead\(\) level 0 is \[batch, 4, 4, 6\], its layout needs \[batch, 4, 4, 7\]/],
    ['a loss that throws', () => broken({ createLoss: () => ({ loss: () => { throw new Error('boom'); } }) }), /^plugin \S+: detection head 'broken': loss\(\) failed \(boom\)$/],
    ['a loss that is no scalar', () => broken({ createLoss: () => ({ loss: (outputs: tf.Tensor) => ({ total: tf.sum(outputs, 1), parts: {} }) as never }) }), /^plugin \S+: detection head 'broken': loss\(\) must return \{ total: a scalar tensor/],
    ['a leak', () => broken({ buildHead: (input) => (tf.zeros([1]), exampleHead().buildHead(input)) }), /^plugin \S+: detection head 'broken': 1 tensor left behind by the probe/],
  ])('refuses %s with one line naming the file and the head', async (_what, make, message) => {
    const before = tf.memory().numTensors;
    let error: unknown;
    try {
      await checkDetectionHead(make(), FILE);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(PluginError);
    expect((error as Error).message).toMatch(message);
    expect((error as Error).message).not.toContain('\n');
    // A refused head leaves nothing behind either (but what the leaking one leaked).
    expect(tf.memory().numTensors).toBe(before + (/leak/.test(_what) ? 1 : 0));
  });
});

describe('a plugin head in the detection task', () => {
  const cacheDir = useTemporaryCache('asl-run-plugin-head-');
  const losses = new LossRegistry();
  losses.register(focalPlugin);

  beforeAll(() => initBackend('wasm'));

  it('is resolved from the head registry like a built-in, and its errors during training name its file', async () => {
    expect(cacheDir).toBeTruthy();
    const heads = builtinHeads();
    let broken = false;
    const head = exampleHead();
    const flaky: DetectionHead = {
      ...head,
      createLoss: (context) => {
        const inner = head.createLoss(context);
        return { loss: (outputs, items) => (broken ? (undefined as never) : inner.loss(outputs, items)) };
      },
    };
    heads.register(await checkDetectionHead(flaky, FILE, losses), { source: FILE });
    const task = detectionTaskWith(losses, heads);
    const config = task.defaults({ head: 'shared-tower' });
    expect(config.loss).toBe('focal');
    expect(Object.keys(config.taskOptions)).toEqual(['head', 'strides', 'levelBounds', 'channels', 'priorProbability', 'clsWeight', 'boxWeight', 'scoreThreshold', 'topKPerLevel', 'nmsThreshold', 'maxDetections', 'scaleJitter', 'towerConvs', 'centerSampleRadius']);
    config.model.imageSize = 64;
    config.train.batchSize = 4;
    config.data.builtinOptions = { trainCount: 4, valCount: 2 };
    const prepared = await task.prepare(config, { log: () => undefined });
    expect(prepared.adapter.model.name).toMatch(/^shared-tower_/);
    let batch: Batch<unknown> | undefined;
    for await (const b of prepared.train!.batches(0)) batch = b;
    const step = () => tf.tidy(() => prepared.adapter.loss(prepared.adapter.model.predict(tf.tensor4d(batch!.images, batch!.shape)) as tf.Tensor, batch!).total.dataSync()[0]);
    expect(Number.isFinite(step())).toBe(true);
    broken = true;
    expect(step).toThrow(new RegExp(`^plugin ${FILE.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: detection head 'shared-tower': loss\\(\\) must return`));
    prepared.adapter.model.dispose();
  });
});
