/** Saved models carry SHA-256 checksums; a damaged, truncated or altered model is refused naming the file. */
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { tf } from '../../../src/core/tf';
import { initBackend } from '../../../src/core/backend/init';
import { disposeModel, loadLayersModel, saveLayersModel } from '../../../src/core/engine/model-io';

describe('model folders with checksums', () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'model-io-'));
  const dir = path.join(root, 'model');
  let model: tf.LayersModel;
  const notes: string[] = [];
  const note = (line: string) => notes.push(line);
  const copy = (name: string) => {
    const target = path.join(root, name);
    fs.cpSync(dir, target, { recursive: true });
    return target;
  };

  beforeAll(async () => {
    await initBackend('cpu');
    model = tf.sequential({ layers: [tf.layers.dense({ units: 3, inputShape: [4], kernelInitializer: 'glorotUniform' })] });
    await saveLayersModel(model, dir, { task: 'test' });
  });
  afterAll(() => {
    disposeModel(model);
    fs.rmSync(root, { recursive: true, force: true });
  });
  beforeEach(() => (notes.length = 0));

  it('writes SHA256SUMS in sha256sum format with the digests of weights.bin and model.json, and no temporaries', () => {
    expect(fs.readdirSync(dir).sort()).toEqual(['SHA256SUMS', 'model.json', 'weights.bin']);
    const digest = (name: string) => createHash('sha256').update(fs.readFileSync(path.join(dir, name))).digest('hex');
    expect(fs.readFileSync(path.join(dir, 'SHA256SUMS'), 'utf8')).toBe(`${digest('weights.bin')}  weights.bin\n${digest('model.json')}  model.json\n`);
    expect(fs.statSync(path.join(dir, 'weights.bin')).size).toBe((4 * 3 + 3) * 4);
  });

  it('loads a verified model to the same weights, without a note and without leaking tensors', async () => {
    const before = tf.memory().numTensors;
    const loaded = await loadLayersModel(dir, note);
    expect(notes).toEqual([]);
    loaded.weights.forEach((w, i) => expect(Array.from(w.read().dataSync())).toEqual(Array.from(model.weights[i].read().dataSync())));
    disposeModel(loaded);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('refuses a weights.bin with one changed bit, naming it', async () => {
    const bad = copy('flipped');
    const weights = fs.readFileSync(path.join(bad, 'weights.bin'));
    weights[7] ^= 0x01;
    fs.writeFileSync(path.join(bad, 'weights.bin'), weights);
    const before = tf.memory().numTensors;
    await expect(loadLayersModel(bad, note)).rejects.toThrow(new RegExp(`^${bad}/weights\\.bin: checksum mismatch \\(sha256 [0-9a-f]{12}…, SHA256SUMS says [0-9a-f]{12}…\\)`));
    expect(tf.memory().numTensors).toBe(before);
  });

  it('refuses an altered model.json and a truncated weights.bin, naming each', async () => {
    const altered = copy('altered');
    fs.appendFileSync(path.join(altered, 'model.json'), ' ');
    await expect(loadLayersModel(altered, note)).rejects.toThrow(`${altered}/model.json: checksum mismatch`);
    const cut = copy('cut');
    fs.truncateSync(path.join(cut, 'weights.bin'), 20);
    await expect(loadLayersModel(cut, note)).rejects.toThrow(`${cut}/weights.bin: truncated (20 bytes; model.json describes 60)`);
  });

  it('loads a model saved before checksums with a note, still checking the weights\' size', async () => {
    const old = copy('old');
    fs.rmSync(path.join(old, 'SHA256SUMS'));
    const loaded = await loadLayersModel(old, note);
    expect(notes).toEqual([`asl-run: ${old} has no SHA256SUMS (saved before checksums were written); loading it unverified`]);
    disposeModel(loaded);
    fs.truncateSync(path.join(old, 'weights.bin'), 59);
    await expect(loadLayersModel(old, note)).rejects.toThrow(`${old}/weights.bin: truncated (59 bytes; model.json describes 60)`);
  });

  it('refuses a file SHA256SUMS does not list, and a malformed SHA256SUMS', async () => {
    const unlisted = copy('unlisted');
    const sums = path.join(unlisted, 'SHA256SUMS');
    fs.writeFileSync(sums, fs.readFileSync(sums, 'utf8').split('\n')[1] + '\n');
    await expect(loadLayersModel(unlisted, note)).rejects.toThrow(`${unlisted}/weights.bin: not listed in ${sums}; refusing an unverified file`);
    fs.writeFileSync(sums, 'nonsense\n');
    await expect(loadLayersModel(unlisted, note)).rejects.toThrow(`${sums}: line 1 is not '<sha256>  <file name>'`);
  });
});
