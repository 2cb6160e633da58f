/**
 * The plugin files loaded into this process's container, in order, with the hash of their
 * content: a run writes them into its config.json so that resume, eval and predict reload the
 * very same code (run-plugins.ts).
 */
import { createHash } from 'crypto';
import * as fs from 'fs';

/** What a run records of a plugin file it loaded. */
export interface PluginFileRecord {
  /** Absolute path of the file. */
  path: string;
  /** SHA-256 of its content, hex. */
  sha256: string;
}

export function sha256OfFile(file: string): string {
  return createHash('sha256').update(fs.readFileSync(file)).digest('hex');
}

export class PluginFiles {
  private readonly records: PluginFileRecord[] = [];

  add(record: PluginFileRecord): void {
    this.records.push({ ...record });
  }

  /** The files loaded, in order. */
  list(): PluginFileRecord[] {
    return this.records.map((r) => ({ ...r }));
  }
}
