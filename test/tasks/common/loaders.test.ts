import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { evalLoader, limitRecords } from '../../../src/tasks/common/loaders';
import { baseRunConfig, parseSavedRunConfig, type RunConfig } from '../../../src/core/run-config';
import { encodePng } from '../../../src/core/data/image/codec';
import type { JsonObject } from '../../../src/core/config';
import type { BoxXYWH } from '../../../src/core/data/records';

describe('limitRecords', () => {
  it('keeps everything for 0 or a bound above the size', () => {
    const r = [1, 2, 3];
    expect(limitRecords(r, 0)).toBe(r);
    expect(limitRecords(r, 5)).toBe(r);
  });

  it('spreads the kept records evenly, so class-sorted lists keep every class', () => {
    const byClass = Array.from({ length: 100 }, (_, i) => ({ label: Math.floor(i / 10) }));
    const kept = limitRecords(byClass, 20);
    expect(kept).toHaveLength(20);
    expect(new Set(kept.map((r) => r.label)).size).toBe(10);
    expect(limitRecords([0, 1, 2, 3, 4, 5], 3)).toEqual([0, 2, 4]);
  });
});

describe('input.fit', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'asl-fit-'));
  // A 40x20 landscape image with one box, through the eval loader at 20x20.
  const file = path.join(dir, 'wide.png');
  fs.writeFileSync(file, encodePng({ width: 40, height: 20, channels: 3, data: new Uint8Array(40 * 20 * 3).fill(200) }));
  const record = { file, boxes: [[10, 4, 20, 8]] as BoxXYWH[] };
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  async function firstBatch(fit: string) {
    const config = baseRunConfig();
    config.model.imageSize = 20;
    config.input.fit = fit as RunConfig['input']['fit'];
    config.input.mean = [0, 0, 0];
    config.input.std = [1, 1, 1];
    const loader = evalLoader(config, [record], (_r, info) => info.boxes);
    for await (const batch of loader.batches(0)) return batch;
    throw new Error('no batch');
  }

  it('letterbox keeps the aspect ratio, pads with padValue and scales the boxes alike', async () => {
    const batch = await firstBatch('letterbox');
    expect(batch.items[0]).toEqual([[5, 7, 10, 4]]); // scale 0.5, 5 px margin above and below
    const pixel = (x: number, y: number) => Math.round(batch.images[(y * 20 + x) * 3] * 255);
    expect([pixel(10, 0), pixel(10, 4), pixel(10, 5), pixel(10, 14), pixel(10, 15)]).toEqual([114, 114, 200, 200, 114]);
  });

  it('stretch scales each side on its own', async () => {
    const batch = await firstBatch('stretch');
    expect(batch.items[0]).toEqual([[5, 4, 10, 8]]);
  });

  it('a bad fit, pad value or normalisation is refused by the config schema, the one place that checks them', () => {
    const parse = (input: JsonObject) => () => parseSavedRunConfig({ input }, 'config.json');
    expect(parse({ fit: 'crop' })).toThrow(`config.json: input.fit: expected one of 'stretch', 'letterbox', got "crop"`);
    expect(parse({ padValue: 256 })).toThrow('config.json: input.padValue: expected an integer in [0, 255], got 256');
    expect(parse({ std: [0.2, 0, 0.2] })).toThrow('config.json: input.std.1: expected a number > 0, got 0');
    expect(parse({ mean: [0.5, 0.5] })).toThrow('config.json: input.mean: expected a list of 3 numbers (R, G, B), got [0.5,0.5]');
  });
});
