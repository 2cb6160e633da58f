/**
 * Checkpoint files: one self-describing file holding named float32/int32 tensors and a JSON
 * header, written atomically (temp file, fsync, rename, fsync of the folder) so that a process
 * killed at any moment leaves either the previous checkpoint or the new one, never a torn file.
 *
 * Layout: 8-byte magic `ASLCKPT2`, uint32 LE header length, UTF-8 JSON header, each tensor's raw
 * little-endian bytes at the offset the header gives, then the SHA-256 of everything before it.
 * The checksum lives inside the file rather than beside it: two files cannot be replaced in one
 * atomic step, and a kill between them would make a good checkpoint look corrupt. Files with the
 * magic `ASLCKPT1` (written before checksums) have no trailer and are read unverified.
 */
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { makeFolder, writeFileAtomic } from './safe-files';

const MAGIC = 'ASLCKPT2';
const UNVERIFIED_MAGIC = 'ASLCKPT1';
const PREFIX_BYTES = 12;
const SHA256_BYTES = 32;

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
  const prefix = Buffer.alloc(PREFIX_BYTES);
  prefix.write(MAGIC, 0, 'ascii');
  prefix.writeUInt32LE(header.length, 8);
  const chunks: Uint8Array[] = [prefix, header, ...Object.values(contents.tensors).map((t) => new Uint8Array(t.values.buffer, t.values.byteOffset, t.values.byteLength))];
  const hash = createHash('sha256');
  for (const chunk of chunks) hash.update(chunk);
  makeFolder(path.dirname(file), 'checkpoint folder');
  writeFileAtomic(file, [...chunks, hash.digest()], true);
}

function readBytes(file: string): Buffer {
  try {
    return fs.readFileSync(file);
  } catch (err) {
    throw new CheckpointError(`${file}: cannot read checkpoint (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
}

/** The header, checked against the checksum (a truncated or altered file is a CheckpointError naming it). */
function verifiedHeader<M>(file: string, bytes: Buffer): { header: { meta: M; tensors: HeaderEntry[] }; dataStart: number } {
  const magic = bytes.length >= PREFIX_BYTES ? bytes.toString('ascii', 0, 8) : '';
  if (magic !== MAGIC && magic !== UNVERIFIED_MAGIC) throw new CheckpointError(`${file}: not an asl-run checkpoint`);
  const checked = magic === MAGIC && bytes.length >= PREFIX_BYTES + SHA256_BYTES;
  const trailerAt = bytes.length - SHA256_BYTES;
  const intact = !checked || createHash('sha256').update(bytes.subarray(0, trailerAt)).digest().equals(bytes.subarray(trailerAt));
  const mismatch = () => new CheckpointError(`${file}: checksum mismatch (the file was damaged or altered after it was written)`);
  const dataStart = PREFIX_BYTES + bytes.readUInt32LE(8);
  let header: { meta: M; tensors: HeaderEntry[] };
  try {
    header = JSON.parse(bytes.toString('utf8', PREFIX_BYTES, dataStart));
  } catch {
    throw intact ? new CheckpointError(`${file}: corrupt checkpoint header`) : mismatch();
  }
  const dataBytes = header.tensors.reduce((s, e) => s + e.length * 4, 0);
  const expected = dataStart + dataBytes + (magic === MAGIC ? SHA256_BYTES : 0);
  if (bytes.length < expected) throw new CheckpointError(`${file}: truncated checkpoint (${bytes.length} of ${expected} bytes)`);
  if (!intact || (magic === MAGIC && bytes.length !== expected)) throw mismatch();
  return { header, dataStart };
}

/** Reads a checkpoint written by writeCheckpoint; a truncated, altered or foreign file is a CheckpointError naming it. */
export function readCheckpoint<M>(file: string): CheckpointContents<M> {
  const bytes = readBytes(file);
  const { header, dataStart } = verifiedHeader<M>(file, bytes);
  const tensors: Record<string, SavedTensor> = {};
  for (const e of header.tensors) {
    const start = dataStart + e.offset;
    // Copy into an aligned buffer: typed-array views need 4-byte aligned offsets.
    const raw = new Uint8Array(bytes.subarray(start, start + e.length * 4)).buffer;
    tensors[e.name] = { shape: e.shape, dtype: e.dtype, values: e.dtype === 'int32' ? new Int32Array(raw) : new Float32Array(raw) };
  }
  return { meta: header.meta, tensors };
}

/**
 * What the trainer's checkpoint at `file` keeps, for messages about a stopped run: "the checkpoint
 * <file> from the end of epoch 2 is kept", or that there is none yet. Reads the trainer's meta
 * (epoch and batch to continue from).
 */
export function describeKeptCheckpoint(file: string): string {
  try {
    const { header } = verifiedHeader<{ epoch?: number; batch?: number }>(file, readBytes(file));
    const { epoch = 0, batch = 0 } = header.meta;
    return `the checkpoint ${file} from ${batch > 0 ? `epoch ${epoch + 1}, batch ${batch}` : `the end of epoch ${epoch}`} is kept`;
  } catch (err) {
    if (fs.existsSync(file)) return `the checkpoint ${file} is there but unreadable (${(err as Error).message.replace(`${file}: `, '')})`;
    return 'no checkpoint was written yet (the first is written at the end of epoch 1)';
  }
}
