import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { CheckpointError, describeKeptCheckpoint, readCheckpoint, writeCheckpoint } from '../../../src/core/engine/checkpoint';

describe('checkpoint files', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ckpt-'));
  const file = path.join(dir, 'checkpoint', 'last.ckpt');
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('round-trips meta and float32/int32 tensors bit-exactly', () => {
    const a = new Float32Array([1.5, -0, Math.PI, 1e-30, NaN]);
    const b = new Int32Array([7, -3]);
    writeCheckpoint(file, { meta: { epoch: 3, note: 'x' }, tensors: { a: { shape: [5], dtype: 'float32', values: a }, b: { shape: [1, 2], dtype: 'int32', values: b } } });
    const back = readCheckpoint<{ epoch: number; note: string }>(file);
    expect(back.meta).toEqual({ epoch: 3, note: 'x' });
    expect(Buffer.from(back.tensors.a.values.buffer).equals(Buffer.from(a.buffer))).toBe(true);
    expect(Array.from(back.tensors.b.values)).toEqual([7, -3]);
    expect(back.tensors.b.shape).toEqual([1, 2]);
    expect(fs.readdirSync(path.dirname(file))).toEqual(['last.ckpt']);
  });

  it('names the file when it is truncated or foreign', () => {
    const full = fs.readFileSync(file);
    const cut = path.join(dir, 'cut.ckpt');
    fs.writeFileSync(cut, full.subarray(0, full.length - 4));
    expect(() => readCheckpoint(cut)).toThrow(new CheckpointError(`${cut}: truncated checkpoint (${full.length - 4} of ${full.length} bytes)`));
    fs.writeFileSync(cut, full.subarray(0, full.length - 40));
    expect(() => readCheckpoint(cut)).toThrow(new CheckpointError(`${cut}: truncated checkpoint (${full.length - 40} of ${full.length} bytes)`));
    fs.writeFileSync(cut, 'hello world, not a checkpoint');
    expect(() => readCheckpoint(cut)).toThrow(`${cut}: not an asl-run checkpoint`);
    expect(() => readCheckpoint(path.join(dir, 'none.ckpt'))).toThrow(/none\.ckpt: cannot read checkpoint \(ENOENT\)/);
  });

  it('refuses a file whose bytes changed after writing (SHA-256 trailer), in the tensors or the header', () => {
    const full = fs.readFileSync(file);
    const bad = path.join(dir, 'bad.ckpt');
    for (const at of [full.length - 40, 20, full.length - 1]) {
      const altered = Buffer.from(full);
      altered[at] ^= 0x01;
      fs.writeFileSync(bad, altered);
      expect(() => readCheckpoint(bad)).toThrow(new CheckpointError(`${bad}: checksum mismatch (the file was damaged or altered after it was written)`));
    }
    fs.writeFileSync(bad, Buffer.concat([full, Buffer.from([0])]));
    expect(() => readCheckpoint(bad)).toThrow(/checksum mismatch/);
  });

  it('reads a checkpoint written before checksums (ASLCKPT1, no trailer)', () => {
    const full = fs.readFileSync(file);
    const old = Buffer.from(full.subarray(0, full.length - 32));
    old.write('ASLCKPT1', 0, 'ascii');
    const oldFile = path.join(dir, 'old.ckpt');
    fs.writeFileSync(oldFile, old);
    expect(readCheckpoint(oldFile).meta).toEqual({ epoch: 3, note: 'x' });
  });

  it('says what a stopped run keeps: the epoch and batch to continue from, or that there is none', () => {
    const kept = path.join(dir, 'kept', 'last.ckpt');
    expect(describeKeptCheckpoint(kept)).toBe('no checkpoint was written yet (the first is written at the end of epoch 1)');
    writeCheckpoint(kept, { meta: { epoch: 2, batch: 0 }, tensors: {} });
    expect(describeKeptCheckpoint(kept)).toBe(`the checkpoint ${kept} from the end of epoch 2 is kept`);
    writeCheckpoint(kept, { meta: { epoch: 2, batch: 5 }, tensors: {} });
    expect(describeKeptCheckpoint(kept)).toBe(`the checkpoint ${kept} from epoch 3, batch 5 is kept`);
    fs.writeFileSync(kept, 'junk');
    expect(describeKeptCheckpoint(kept)).toBe(`the checkpoint ${kept} is there but unreadable (not an asl-run checkpoint)`);
  });
});
