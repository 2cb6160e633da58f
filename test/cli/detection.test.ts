/** The detection task through the real CLI on a tiny mnist-detection set written by `data make`. */
import * as fs from 'fs';
import * as path from 'path';
import { decodeImage } from '../../src/core/data/image/codec';
import { cli, tmpDir } from './run-cli';

const work = tmpDir('asl-run-det-');
const data = path.join(work, 'scenes');
const run = path.join(work, 'run');
/** FCOS: its score (sqrt(cls · centerness)) clears the threshold even barely trained, which the checks of the detections below need. */
const args = ['--task', 'detection', '--head', 'fcos', '--data', data, '--image-size', '64', '--epochs', '1', '--batch-size', '16', '--backend', 'wasm', '--no-ema'];

beforeAll(() => {
  expect(cli(['data', 'make', 'mnist-detection', '--out', data, '--options', '{"trainCount":32,"valCount":6}']).status).toBe(0);
  const r = cli([...args, '--out', run, '--quiet']);
  expect(r.status).toBe(0);
  expect(r.stderr).toBe(''); // --quiet: no status lines and no progress
  expect(r.stdout).toMatch(/^detection\/bce: AP /);
});

describe('asl-run --task detection', () => {
  it('writes the 12 COCO stats; eval writes the detections in the COCO results format', () => {
    const { metrics } = JSON.parse(fs.readFileSync(path.join(run, 'metrics.json'), 'utf8'));
    expect(Object.keys(metrics).slice(0, 12)).toEqual(['AP', 'AP50', 'AP75', 'APs', 'APm', 'APl', 'AR1', 'AR10', 'AR100', 'ARs', 'ARm', 'ARl']);
    const r = cli(['eval', '--run', run, '--backend', 'wasm']);
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout).metrics.AP).toBe(metrics.AP);
    const detections = JSON.parse(fs.readFileSync(path.join(run, 'detections.json'), 'utf8'));
    const gt = JSON.parse(fs.readFileSync(path.join(data, 'annotations', 'instances_val.json'), 'utf8'));
    const imageIds = new Set(gt.images.map((i: { id: number }) => i.id));
    const categoryIds = new Set(gt.categories.map((c: { id: number }) => c.id));
    // Even a barely trained head clears the 0.05 threshold: sqrt(cls · ctr) = sqrt(0.01 · 0.5) at the prior.
    expect(detections.length).toBeGreaterThan(0);
    for (const d of detections) {
      expect(Object.keys(d).sort()).toEqual(['bbox', 'category_id', 'image_id', 'score']);
      expect(imageIds.has(d.image_id)).toBe(true);
      expect(categoryIds.has(d.category_id)).toBe(true);
      expect(d.bbox).toHaveLength(4);
      expect(d.bbox[0]).toBeGreaterThanOrEqual(0);
      expect(d.bbox[0] + d.bbox[2]).toBeLessThanOrEqual(128 + 1e-6); // original pixels, clipped to the image
      expect(d.score).toBeGreaterThanOrEqual(0.05);
    }
  });

  it('predict --draw writes each image with its boxes drawn', () => {
    const images = [1, 2].map((i) => path.join(data, 'val', `00000${i}.png`));
    const out = path.join(work, 'drawn');
    const r = cli(['predict', '--run', run, '--backend', 'wasm', '--draw', out, '--draw-min-score', '0', ...images]);
    expect(r.status).toBe(0);
    const predictions = JSON.parse(r.stdout);
    expect(predictions.map((p: { image: string }) => p.image)).toEqual(images);
    for (const [k, file] of images.entries()) {
      const original = decodeImage(fs.readFileSync(file));
      const drawn = decodeImage(fs.readFileSync(path.join(out, path.basename(file))));
      expect([drawn.width, drawn.height]).toEqual([original.width, original.height]);
      const changed = drawn.data.some((v, i) => v !== original.data[i]);
      expect(changed).toBe(predictions[k].detections.length > 0);
    }
  });

  it('names a bad box with its file and record', () => {
    const broken = path.join(work, 'broken');
    fs.cpSync(data, broken, { recursive: true });
    const file = path.join(broken, 'annotations', 'instances_train.json');
    const coco = JSON.parse(fs.readFileSync(file, 'utf8'));
    coco.annotations[3].bbox[2] = -4;
    fs.writeFileSync(file, JSON.stringify(coco));
    const r = cli([...args.map((a) => (a === data ? broken : a)), '--out', path.join(work, 'x')]);
    expect(r.status).toBe(1);
    const last = r.stderr.trim().split('\n').pop();
    expect(last).toContain(file);
    expect(last).toMatch(new RegExp(`annotation.*${coco.annotations[3].id}`));
  });
});
