/**
 * tfjs-node's addon, built against the extracted TensorFlow.
 *
 * Its source, without its install script (which downloads libtensorflow 2.9.1 and deletes a deps/
 * folder it did not fetch): `npm pack` of the version matching asl-run's @tensorflow/tfjs, unpacked
 * into an installation root, with its runtime dependencies installed beside it by npm and its
 * @tensorflow/tfjs and tfjs-core replaced by links to asl-run's own copies, so that the backend it
 * registers lands in the tfjs engine asl-run uses.
 *
 * Its build: deps/ laid out as binding.gyp expects (deps/include, and deps/lib with libtensorflow.so →
 * libtensorflow_cc.so.2 since TensorFlow 2.x wheels ship the C API inside libtensorflow_cc), node-pre-gyp
 * from source, against the Node headers found beside the running node (Debian's nodejs ships them in
 * /usr/include/node) so that node-gyp need not download them from nodejs.org.
 */
import * as fs from 'fs';
import * as path from 'path';
import { ownPackageDir, withoutCommandLine } from './installation';
import { failureLine, runTool, type ToolRunner } from './tools';

/** Dependencies of tfjs-node that are asl-run's own and must be the very same module instances. */
export const SHARED_TFJS_PACKAGES = ['@tensorflow/tfjs', '@tensorflow/tfjs-core'] as const;

/** Builds the addon (node-pre-gyp drives it, node-gyp compiles): installed beside the package. */
export const BUILD_TOOLS = ['node-gyp@12.4.0'] as const;

interface PackageManifest {
  name: string;
  version: string;
  dependencies?: Record<string, string>;
}

/** tfjs-node's runtime dependencies as npm specs, without the tfjs packages asl-run shares with it. */
export function runtimeDependencySpecs(manifest: PackageManifest): string[] {
  return Object.entries(manifest.dependencies ?? {})
    .filter(([name]) => !(SHARED_TFJS_PACKAGES as readonly string[]).includes(name))
    .map(([name, range]) => `${name}@${range}`);
}

/**
 * Fetches and unpacks `@tensorflow/tfjs-node@version` into `<installRoot>/node_modules/@tensorflow/tfjs-node`,
 * installs its dependencies and the build tools into `<installRoot>/node_modules`, and links the shared
 * tfjs packages. Returns the package folder. Throws one line naming the npm step that failed.
 */
export function fetchTfjsNode(version: string, installRoot: string, logFile: string, run: ToolRunner = runTool): string {
  const packDir = path.join(installRoot, '.pack');
  fs.mkdirSync(packDir, { recursive: true });
  const spec = `@tensorflow/tfjs-node@${version}`;
  const pack = run('npm', ['pack', spec, '--pack-destination', packDir, '--silent'], { cwd: installRoot, logFile });
  const tarball = fs.readdirSync(packDir).find((f) => f.endsWith('.tgz'));
  if (pack.status !== 0 || !tarball) throw new Error(`setup tensorflow: 'npm pack ${spec}' failed (${failureLine(pack)}; log: ${logFile})`);

  const unpacked = run('tar', ['-xzf', path.join(packDir, tarball), '-C', packDir], { logFile });
  if (unpacked.status !== 0) throw new Error(`setup tensorflow: unpacking ${tarball} failed (${failureLine(unpacked)}; log: ${logFile})`);
  const manifest = JSON.parse(fs.readFileSync(path.join(packDir, 'package', 'package.json'), 'utf8')) as PackageManifest;

  // npm removes what it did not install itself, so the dependencies go in before the package is moved in.
  fs.writeFileSync(path.join(installRoot, 'package.json'), `${JSON.stringify({ name: 'asl-run-tensorflow', private: true }, null, 2)}\n`);
  const specs = [...runtimeDependencySpecs(manifest), ...BUILD_TOOLS];
  const install = run('npm', ['install', '--ignore-scripts', '--no-audit', '--no-fund', '--omit=dev', ...specs], { cwd: installRoot, logFile });
  if (install.status !== 0) throw new Error(`setup tensorflow: installing tfjs-node's dependencies failed (${failureLine(install)}; log: ${logFile})`);

  const scope = path.join(installRoot, 'node_modules', '@tensorflow');
  fs.mkdirSync(scope, { recursive: true });
  const packageDir = path.join(scope, 'tfjs-node');
  fs.renameSync(path.join(packDir, 'package'), packageDir);
  fs.rmSync(packDir, { recursive: true, force: true });
  for (const name of SHARED_TFJS_PACKAGES) {
    const link = path.join(installRoot, 'node_modules', name);
    fs.rmSync(link, { recursive: true, force: true });
    fs.symlinkSync(ownPackageDir(name), link, 'dir');
  }
  return packageDir;
}

/** The headers the addon's sources include from TensorFlow (`#include "tensorflow/…"`), the roots of what the wheel must give. */
export function addonTensorflowHeaders(packageDir: string): string[] {
  const bindingDir = path.join(packageDir, 'binding');
  const headers = new Set<string>();
  for (const file of fs.readdirSync(bindingDir)) {
    const text = fs.readFileSync(path.join(bindingDir, file), 'utf8');
    for (const match of text.matchAll(/^\s*#\s*include\s+"(tensorflow\/[^"]+)"/gm)) headers.add(match[1]);
  }
  if (headers.size === 0) throw new Error(`setup tensorflow: ${bindingDir}: no TensorFlow headers included; not the tfjs-node source expected`);
  return [...headers].sort();
}

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
