/** Small real files for the reader tests, written into a fresh temporary folder. */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { encodeJpeg, encodePng } from '../../../../src/core/data/image/codec';
import { DataError } from '../../../../src/core/data/records';
import type { Skip } from '../../../../src/core/data/skips';

export function makeTmpDir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `asl-${prefix}-`));
}

export function removeDir(dir: string): void {
  fs.rmSync(dir, { recursive: true, force: true });
}

/** Writes `text` to `file`, creating its folder. */
export function writeText(file: string, text: string): string {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, text);
  return file;
}

export function writeJson(file: string, value: unknown): string {
  return writeText(file, JSON.stringify(value, null, 1));
}

/** A real PNG or JPEG (by the file's extension) of the given size. */
export function writeImage(file: string, width = 8, height = 6): string {
  const data = new Uint8Array(width * height * 3).map((_, i) => (i * 29) % 256);
  const isJpeg = /\.jpe?g$/i.test(file);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, isJpeg ? encodeJpeg({ width, height, channels: 3, data }) : encodePng({ width, height, channels: 3, data }));
  return file;
}

/** Expects `fn` to throw a one-line DataError whose message is `message` (exactly) or matches it. */
export function expectDataError(fn: () => unknown, message: string | RegExp): void {
  let thrown: unknown;
  try {
    fn();
  } catch (err) {
    thrown = err;
  }
  expect(thrown).toBeInstanceOf(DataError);
  const text = (thrown as Error).message;
  if (typeof message === 'string') expect(text).toBe(message);
  else expect(text).toMatch(message);
  expect(text).not.toContain('\n');
}

/** The reasons of a dataset's skips, after checking that every one is a bad record (the readers' kind). */
export function reasonsOf(dataset: { skipped: Skip[] }): string[] {
  expect(dataset.skipped.every((s) => s.kind === 'record')).toBe(true);
  return dataset.skipped.map((s) => s.reason);
}
