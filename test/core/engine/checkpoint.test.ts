import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { CheckpointError, readCheckpoint, writeCheckpoint } from '../../../src/core/engine/checkpoint';

describe('checkpoint files', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ckpt-'));
  const file = path.join(dir, 'checkpoint', 'last.ckpt');

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
    expect(() => readCheckpoint(cut)).toThrow(new CheckpointError(`${cut}: truncated checkpoint (tensor 'b')`));
    fs.writeFileSync(cut, 'hello world, not a checkpoint');
    expect(() => readCheckpoint(cut)).toThrow(`${cut}: not an asl-run checkpoint`);
    expect(() => readCheckpoint(path.join(dir, 'none.ckpt'))).toThrow(/none\.ckpt: cannot read checkpoint \(ENOENT\)/);
  });
});
