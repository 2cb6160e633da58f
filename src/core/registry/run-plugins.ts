/**
 * The plugins a run was trained with, as its config.json records them (absolute path and SHA-256
 * of the content), and the rule for the commands that continue or use that run (`--resume`,
 * `eval`, `predict`): they load the very same files without the user repeating `--plugin`, and
 * refuse, naming the file, one that is gone or whose content changed — a changed loss would
 * silently continue a different experiment.
 */
import * as fs from 'fs';
import * as path from 'path';
import { parseOrThrow, inFile, z } from '../schema';
import { PluginError } from './plugin-guard';
import { sha256OfFile, type PluginFileRecord } from './plugin-files';

const recordsSchema = z.array(
  z.strictObject({
    path: z.string({ error: 'an absolute file path' }).refine((p) => path.isAbsolute(p), { error: 'must be an absolute file path' }),
    sha256: z.string().regex(/^[0-9a-f]{64}$/, { error: 'a SHA-256 in hex' }),
  }),
  { error: 'a list of { path, sha256 }' },
);

/**
 * The records in `<runDir>/config.json`: none when the run used no plugin; undefined when there is
 * no readable config (reading it fails later, naming it) or it predates the record.
 */
export function recordedPlugins(runDir: string): PluginFileRecord[] | undefined {
  const file = path.join(runDir, 'config.json');
  let saved: unknown;
  try {
    saved = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch {
    return undefined;
  }
  const records = (saved as { plugins?: unknown } | null)?.plugins;
  if (records === undefined) return undefined;
  return parseOrThrow(recordsSchema, records, (keyPath, unknownKey) => inFile(file)(['plugins', ...keyPath], unknownKey));
}

function changed(record: PluginFileRecord, now: string, runDir: string): PluginError {
  return new PluginError(`plugin ${record.path}: changed since the run in ${runDir} was trained with it (sha256 ${record.sha256} then, ${now} now); restore that version to continue`);
}

/**
 * The plugin files to load for a command on the run in `runDir`: the recorded ones, each checked
 * against its hash. `--plugin` may repeat them, nothing else (for a run that predates the record,
 * the `--plugin` files as given).
 * @throws PluginError naming the file that is missing, changed or not the run's.
 */
export function pluginsForRun(runDir: string, given: readonly string[]): string[] {
  const recorded = recordedPlugins(runDir);
  // A run written before plugins were recorded: as then, the user names them.
  if (recorded === undefined) return [...given];
  const known = recorded.map((r) => r.path);
  const extra = given.find((file) => !known.includes(path.resolve(file)));
  if (extra !== undefined) {
    throw new PluginError(`--plugin ${extra}: the run in ${runDir} was not trained with it (its plugins, reloaded from its config.json: ${known.join(', ') || 'none'}); drop --plugin`);
  }
  for (const record of recorded) {
    if (!fs.existsSync(record.path)) throw new PluginError(`plugin ${record.path}: the run in ${runDir} was trained with it, and the file is gone; put it back to continue (sha256 ${record.sha256})`);
    const now = sha256OfFile(record.path);
    if (now !== record.sha256) throw changed(record, now, runDir);
  }
  return known;
}

/**
 * Refuses to continue the run in `runDir` with other plugins than it recorded: a `compare` sweep
 * rerun after a plugin file changed, or without the `--plugin` its cells were trained with.
 */
export function checkResumePlugins(runDir: string, loaded: readonly PluginFileRecord[]): void {
  const recorded = recordedPlugins(runDir);
  if (recorded === undefined) return;
  const same = (a: PluginFileRecord) => (b: PluginFileRecord) => a.path === b.path && a.sha256 === b.sha256;
  const lost = recorded.find((r) => !loaded.some(same(r)));
  if (lost) {
    const now = loaded.find((l) => l.path === lost.path);
    throw now ? changed(lost, now.sha256, runDir) : new PluginError(`plugin ${lost.path}: the run in ${runDir} was trained with it; load it again (--plugin) to continue`);
  }
  const extra = loaded.find((l) => !recorded.some(same(l)));
  if (extra) throw new PluginError(`plugin ${extra.path}: the run in ${runDir} was not trained with it; continue it without that --plugin`);
}
