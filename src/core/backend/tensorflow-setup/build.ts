/**
 * Lays the extracted TensorFlow out as tfjs-node's binding.gyp expects (deps/include, and deps/lib with
 * libtensorflow.so → libtensorflow_cc.so.2 since TensorFlow 2.x wheels ship the C API inside
 * libtensorflow_cc) and builds the addon with node-pre-gyp from source, against the Node headers
 * found beside the running node (Debian's nodejs ships them in /usr/include/node) so that node-gyp
 * need not download them from nodejs.org.
 */
import * as fs from 'fs';
import * as path from 'path';
import { withoutCommandLine } from './installed';
import { failureLine, runTool, type ToolRunner } from './tools';

/** Link names binding.gyp links against (`-ltensorflow -ltensorflow_framework`), and what they point at in deps/lib. */
export const LIBRARY_LINKS: ReadonlyArray<readonly [link: string, target: string]> = [
  ['libtensorflow.so.2', 'libtensorflow_cc.so.2'],
  ['libtensorflow.so', 'libtensorflow.so.2'],
  ['libtensorflow_framework.so', 'libtensorflow_framework.so.2'],
];

export function linkLibraries(depsLibDir: string): void {
  for (const [link, target] of LIBRARY_LINKS) {
    const file = path.join(depsLibDir, link);
    fs.rmSync(file, { force: true });
    fs.symlinkSync(target, file);
  }
}

/**
 * The folder to give node-gyp as --nodedir: the prefix of the running node when it has the headers
 * node-gyp needs (include/node/common.gypi and node_api.h), else undefined (node-gyp then downloads them).
 */
export function findNodeHeaders(execPath: string = process.execPath): string | undefined {
  const prefixes = [path.resolve(path.dirname(fs.realpathSync(execPath)), '..'), '/usr', '/usr/local'];
  return prefixes.find((prefix) => ['common.gypi', 'node_api.h'].every((f) => fs.existsSync(path.join(prefix, 'include', 'node', f))));
}

/** Where tfjs-node looks for its addon (lib/napi-v<N>/tfjs_binding.node, N chosen by node-pre-gyp for this Node). */
export function addonPath(packageDir: string): string {
  const installRoot = path.resolve(packageDir, '..', '..', '..');
  const nodePreGyp = require(path.join(installRoot, 'node_modules', '@mapbox', 'node-pre-gyp')) as { find: (packageJson: string) => string };
  return withoutCommandLine(() => nodePreGyp.find(path.join(packageDir, 'package.json')));
}

export interface BuildOptions {
  packageDir: string;
  python: string;
  compiler: string;
  logFile: string;
}

/** Builds tfjs_binding.node; throws one line with the compiler's first error and the log's path when it fails. */
export function buildAddon(options: BuildOptions, run: ToolRunner = runTool): string {
  const { packageDir, logFile } = options;
  const installRoot = path.resolve(packageDir, '..', '..', '..');
  const nodePreGyp = path.join(installRoot, 'node_modules', '@mapbox', 'node-pre-gyp', 'bin', 'node-pre-gyp');
  const nodeDir = findNodeHeaders();
  const args = [nodePreGyp, 'install', '--build-from-source', ...(nodeDir ? [`--nodedir=${nodeDir}`] : [])];
  const env = {
    ...process.env,
    // node-pre-gyp runs the node-gyp installed beside it (found on PATH) with this Python and compiler.
    PATH: `${path.join(installRoot, 'node_modules', '.bin')}${path.delimiter}${process.env.PATH ?? ''}`,
    npm_config_python: options.python,
    PYTHON: options.python,
    CXX: options.compiler,
  };
  const result = run(process.execPath, args, { cwd: packageDir, env, logFile });
  if (result.status !== 0) {
    const headers = nodeDir ? '' : ' (no Node headers found beside node, so node-gyp tried to download them)';
    throw new Error(`setup tensorflow: building the tfjs-node addon failed${headers}: ${failureLine(result)} (log: ${logFile})`);
  }
  const addon = addonPath(packageDir);
  if (!fs.existsSync(addon)) throw new Error(`setup tensorflow: the build ended without ${addon} (log: ${logFile})`);
  return addon;
}
