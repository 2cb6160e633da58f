/**
 * SHA-256 checksums of a saved model folder: `SHA256SUMS` beside model.json and weights.bin, in
 * the format of coreutils' sha256sum (so `cd model && sha256sum -c SHA256SUMS` checks it too).
 * A model that fails it is never used.
 */
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';

export const CHECKSUM_FILE = 'SHA256SUMS';

export function sha256(content: string | Uint8Array): string {
  return createHash('sha256').update(content).digest('hex');
}

/** The text of a SHA256SUMS file for `files` (name → content). */
export function formatChecksums(files: [string, string | Uint8Array][]): string {
  return files.map(([name, content]) => `${sha256(content)}  ${name}\n`).join('');
}

/** name → hex digest from `<dir>/SHA256SUMS`; undefined when the folder has none. */
export function readChecksums(dir: string): Map<string, string> | undefined {
  const file = path.join(dir, CHECKSUM_FILE);
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new Error(`${file}: cannot read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
  const sums = new Map<string, string>();
  for (const [i, line] of text.split('\n').entries()) {
    if (line === '') continue;
    const entry = /^([0-9a-f]{64}) [ *](.+)$/.exec(line);
    if (!entry) throw new Error(`${file}: line ${i + 1} is not '<sha256>  <file name>'`);
    sums.set(entry[2], entry[1]);
  }
  return sums;
}

/** Throws, naming `<dir>/<name>`, unless `content` has the digest `sums` lists for it. */
export function verifyChecksum(dir: string, name: string, content: Uint8Array, sums: Map<string, string>): void {
  const file = path.join(dir, name);
  const expected = sums.get(name);
  if (expected === undefined) throw new Error(`${file}: not listed in ${path.join(dir, CHECKSUM_FILE)}; refusing an unverified file`);
  const actual = sha256(content);
  if (actual !== expected) {
    throw new Error(`${file}: checksum mismatch (sha256 ${actual.slice(0, 12)}…, ${CHECKSUM_FILE} says ${expected.slice(0, 12)}…); the model is damaged or was altered — retrain, or --resume the run to save it again`);
  }
}
