import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { createHash } from 'crypto';
import { checkResumePlugins, pluginsForRun, recordedPlugins } from '../../../src/core/registry/run-plugins';
import { PluginError } from '../../../src/core/registry/plugin-guard';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'run-plugins-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const hex = (text: string) => createHash('sha256').update(text).digest('hex');
const pluginA = path.join(dir, 'a.js');
const pluginB = path.join(dir, 'b.js');
fs.writeFileSync(pluginA, 'exports.a = 1;');
fs.writeFileSync(pluginB, 'exports.b = 2;');

/** A run folder whose config.json holds `plugins` (left out when undefined, as in runs written before the record). */
function runWith(plugins: unknown): string {
  const run = fs.mkdtempSync(path.join(dir, 'run-'));
  fs.writeFileSync(path.join(run, 'config.json'), JSON.stringify(plugins === undefined ? { task: 'multilabel' } : { task: 'multilabel', plugins }));
  return run;
}

describe('recorded plugins of a run', () => {
  const a = { path: pluginA, sha256: hex('exports.a = 1;') };
  const b = { path: pluginB, sha256: hex('exports.b = 2;') };

  it('reads the record; nothing when the run predates it or has no config', () => {
    expect(recordedPlugins(runWith([a, b]))).toEqual([a, b]);
    expect(recordedPlugins(runWith([]))).toEqual([]);
    expect(recordedPlugins(runWith(undefined))).toBeUndefined();
    expect(recordedPlugins(path.join(dir, 'nothing'))).toBeUndefined();
  });

  it('refuses a malformed record naming config.json and the key', () => {
    const run = runWith([{ path: pluginA, sha256: 'abc' }]);
    expect(() => recordedPlugins(run)).toThrow(`${path.join(run, 'config.json')}: plugins.0.sha256: expected a SHA-256 in hex, got "abc"`);
    const relative = runWith([{ path: 'a.js', sha256: a.sha256 }]);
    expect(() => recordedPlugins(relative)).toThrow(`${path.join(relative, 'config.json')}: plugins.0.path: must be an absolute file path`);
  });

  it('pluginsForRun: the recorded files, verified; --plugin may repeat them (relative or not), nothing else', () => {
    const run = runWith([a, b]);
    expect(pluginsForRun(run, [])).toEqual([pluginA, pluginB]);
    expect(pluginsForRun(run, [path.relative(process.cwd(), pluginB)])).toEqual([pluginA, pluginB]);
    expect(() => pluginsForRun(runWith([a]), [pluginB])).toThrow(PluginError);
    expect(() => pluginsForRun(runWith([]), [pluginB])).toThrow(`--plugin ${pluginB}: the run in`);
    expect(pluginsForRun(runWith(undefined), ['b.js'])).toEqual(['b.js']);
    expect(() => pluginsForRun(runWith([{ ...a, sha256: hex('older') }]), [])).toThrow(
      `plugin ${pluginA}: changed since the run in`,
    );
    expect(() => pluginsForRun(runWith([{ ...a, path: path.join(dir, 'gone.js') }]), [])).toThrow(/plugin .*gone\.js: the run in .* was trained with it, and the file is gone/);
  });

  it('checkResumePlugins: the loaded plugins must be exactly the recorded ones', () => {
    const run = runWith([a]);
    expect(() => checkResumePlugins(run, [a])).not.toThrow();
    expect(() => checkResumePlugins(runWith(undefined), [a, b])).not.toThrow();
    expect(() => checkResumePlugins(run, [{ ...a, sha256: hex('edited') }])).toThrow(
      `plugin ${pluginA}: changed since the run in ${run} was trained with it (sha256 ${a.sha256} then, ${hex('edited')} now); restore that version to continue`,
    );
    expect(() => checkResumePlugins(run, [])).toThrow(`plugin ${pluginA}: the run in ${run} was trained with it; load it again (--plugin) to continue`);
    expect(() => checkResumePlugins(run, [a, b])).toThrow(`plugin ${pluginB}: the run in ${run} was not trained with it; continue it without that --plugin`);
  });
});
