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
import { sha256OfFile, type PluginFileRecord } from './plugin-loader';

const recordsSchema = z.array(
  z.strictObject({
    path: z.string({ error: 'an absolute file path' }).refine((p) => path.isAbsolute(p), { error: 'an absolute file path' }),
    sha256: z.string().regex(/^[0-9a-f]{64}$/, { error: 'a SHA-256 in hex' }),
  }),
  { error: 'a list of { path, sha256 }' },
);

/** The records in `<runDir>/config.json` (none when the run used no plugin; reading the config itself fails later, naming it). */
export function recordedPlugins(runDir: string): PluginFileRecord[] {
  const file = path.join(runDir, 'config.json');
  let saved: unknown;
  try {
    saved = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch {
    return [];
  }
  const records = (saved as { plugins?: unknown } | null)?.plugins;
  if (records === undefined) return [];
  return parseOrThrow(recordsSchema, records, (keyPath, unknownKey) => inFile(file)(['plugins', ...keyPath], unknownKey));
}

/**
 * The plugin files to load for a command on the run in `runDir`: the recorded ones, each checked
 * against its hash. `--plugin` may repeat them, nothing else.
 * @throws PluginError naming the file that is missing, changed or not the run's.
 */
export function pluginsForRun(runDir: string, given: readonly string[]): string[] {
  const recorded = recordedPlugins(runDir);
  const known = recorded.map((r) => r.path);
  const extra = given.find((file) => !known.includes(path.resolve(file)));
  if (extra !== undefined) {
    throw new PluginError(`--plugin ${extra}: the run in ${runDir} was not trained with it (its plugins, reloaded from its config.json: ${known.join(', ') || 'none'}); drop --plugin`);
  }
  for (const { path: file, sha256 } of recorded) {
    if (!fs.existsSync(file)) throw new PluginError(`plugin ${file}: the run in ${runDir} was trained with it, and the file is gone; put it back to continue (sha256 ${sha256})`);
    const now = sha256OfFile(file);
    if (now !== sha256) {
      throw new PluginError(`plugin ${file}: changed since the run in ${runDir} was trained with it (sha256 ${sha256} then, ${now} now); restore that version to continue`);
    }
  }
  return known;
}
