/**
 * Checkpoint files: one self-describing file holding named float32/int32 tensors and a JSON
 * header, written atomically (temp file, fsync, rename, fsync of the folder) so that a process
 * killed at any moment leaves either the previous checkpoint or the new one, never a torn file.
 *
 * Layout: 8-byte magic `ASLCKPT1`, uint32 LE header length, UTF-8 JSON header, then each tensor's
 * raw little-endian bytes at the offset the header gives.
 */
import * as fs from 'fs';
import * as path from 'path';

const MAGIC = 'ASLCKPT1';

export interface SavedTensor {
  shape: number[];
  dtype: 'float32' | 'int32';
  values: Float32Array | Int32Array;
}

export interface CheckpointContents<M> {
  meta: M;
  tensors: Record<string, SavedTensor>;
}

interface HeaderEntry {
  name: string;
  shape: number[];
  dtype: 'float32' | 'int32';
  offset: number;
  length: number;
}

export class CheckpointError extends Error {}

/** Writes `contents` to `file` atomically; the previous file stays intact until the rename. */
export function writeCheckpoint<M>(file: string, contents: CheckpointContents<M>): void {
  const entries: HeaderEntry[] = [];
  let offset = 0;
  for (const [name, t] of Object.entries(contents.tensors)) {
    entries.push({ name, shape: t.shape, dtype: t.dtype, offset, length: t.values.length });
    offset += t.values.byteLength;
  }
  const header = Buffer.from(JSON.stringify({ meta: contents.meta, tensors: entries }), 'utf8');
  const prefix = Buffer.alloc(12);
  prefix.write(MAGIC, 0, 'ascii');
  prefix.writeUInt32LE(header.length, 8);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.tmp-${process.pid}`;
  const fd = fs.openSync(tmp, 'w');
  try {
    fs.writeSync(fd, prefix);
    fs.writeSync(fd, header);
    for (const t of Object.values(contents.tensors)) {
      fs.writeSync(fd, new Uint8Array(t.values.buffer, t.values.byteOffset, t.values.byteLength));
    }
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  fs.renameSync(tmp, file);
  const dir = fs.openSync(path.dirname(file), 'r');
  try {
    fs.fsyncSync(dir);
  } finally {
    fs.closeSync(dir);
  }
}

/** Reads a checkpoint written by writeCheckpoint; a truncated or foreign file is a CheckpointError naming it. */
export function readCheckpoint<M>(file: string): CheckpointContents<M> {
  let bytes: Buffer;
  try {
    bytes = fs.readFileSync(file);
  } catch (err) {
    throw new CheckpointError(`${file}: cannot read checkpoint (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
  if (bytes.length < 12 || bytes.toString('ascii', 0, 8) !== MAGIC) throw new CheckpointError(`${file}: not an asl-run checkpoint`);
  const headerLength = bytes.readUInt32LE(8);
  const dataStart = 12 + headerLength;
  let header: { meta: M; tensors: HeaderEntry[] };
  try {
    header = JSON.parse(bytes.toString('utf8', 12, dataStart));
  } catch {
    throw new CheckpointError(`${file}: corrupt checkpoint header`);
  }
  const tensors: Record<string, SavedTensor> = {};
  for (const e of header.tensors) {
    const start = dataStart + e.offset;
    const end = start + e.length * 4;
    if (end > bytes.length) throw new CheckpointError(`${file}: truncated checkpoint (tensor '${e.name}')`);
    // Copy into an aligned buffer: typed-array views need 4-byte aligned offsets.
    const raw = new Uint8Array(bytes.subarray(start, end)).buffer;
    tensors[e.name] = { shape: e.shape, dtype: e.dtype, values: e.dtype === 'int32' ? new Int32Array(raw) : new Float32Array(raw) };
  }
  return { meta: header.meta, tensors };
}
