/**
 * The installation of `asl-run setup tensorflow`: where it puts the tfjs-node addon it builds against
 * a TensorFlow wheel, and the record it leaves there. It lives outside the project's node_modules (in
 * the cache root by default) so that `npm ci`, which deletes node_modules, does not remove it, and so
 * that nothing of it can be committed with the project.
 *
 *   <dir>/installed/                         one finished installation (replaced only by a finished one)
 *     setup.json                             what was built from what (SetupRecord)
 *     node_modules/@tensorflow/tfjs-node/    the package, its addon in lib/, TensorFlow in deps/
 *     node_modules/@tensorflow/tfjs(-core)   links to asl-run's own copies: one tfjs engine per process
 *     node_modules/…                         tfjs-node's other runtime dependencies
 *   <dir>/build.log                          output of the last build (kept when the build fails)
 *
 * And loading it: the running native backend's TensorFlow version and whether it placed it on a GPU.
 */
import * as fs from 'fs';
import * as path from 'path';
import { inFile, parseOrThrow, text, z } from '../../schema';
import { tf } from '../../tf';
import { defaultCacheDir } from '../../cache-entry';
import { requireTfjsNode } from './own-symbols';

/** Environment variable naming the setup folder, for `setup tensorflow --dir` installations. */
export const TENSORFLOW_DIR_ENV = 'ASL_RUN_TENSORFLOW_DIR';

/** The folder `setup tensorflow` writes and backend selection reads: $ASL_RUN_TENSORFLOW_DIR, else <cache>/tensorflow. */
export function defaultSetupDir(): string {
  return process.env[TENSORFLOW_DIR_ENV] || path.join(defaultCacheDir(), 'tensorflow');
}

export interface SetupLayout {
  /** The folder given to `--dir`. */
  root: string;
  /** A finished installation. */
  installed: string;
  /** The tfjs-node package inside an installation root (`installed` or a staging folder). */
  packageDir(installRoot: string): string;
  recordFile(installRoot: string): string;
  /** A fresh folder to build in, renamed to `installed` when the build is verified. */
  staging: string;
  /** Where pip downloads a wheel (removed after extraction). */
  download: string;
  buildLog: string;
}

export function setupLayout(root: string = defaultSetupDir()): SetupLayout {
  const abs = path.resolve(root);
  return {
    root: abs,
    installed: path.join(abs, 'installed'),
    packageDir: (installRoot) => path.join(installRoot, 'node_modules', '@tensorflow', 'tfjs-node'),
    recordFile: (installRoot) => path.join(installRoot, 'setup.json'),
    staging: path.join(abs, `.staging-${process.pid}`),
    download: path.join(abs, `.download-${process.pid}`),
    buildLog: path.join(abs, 'build.log'),
  };
}

const setupRecordSchema = z.object({
  /** TensorFlow version of the wheel, e.g. 2.21.0. */
  tensorflowVersion: text(),
  /** The wheel's file name, e.g. tensorflow_cpu-2.21.0-cp311-cp311-manylinux_2_27_x86_64.whl. */
  wheel: text(),
  tfjsNodeVersion: text(),
  /** asl-run's @tensorflow/tfjs folder the installation links to (real path). */
  tfjsDir: text(),
  /** Headers copied from the wheel (include-relative paths). */
  headers: z.array(text(), { error: 'a list of strings' }),
  builtAt: text(),
});
export type SetupRecord = z.infer<typeof setupRecordSchema>;

export function writeSetupRecord(file: string, record: SetupRecord): void {
  fs.writeFileSync(file, `${JSON.stringify(record, null, 2)}\n`);
}

/** The record of an installation, or undefined where there is none; a damaged record is an error naming the file. */
export function readSetupRecord(file: string): SetupRecord | undefined {
  if (!fs.existsSync(file)) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (err) {
    throw new Error(`${file}: not valid JSON (${(err as Error).message}); run asl-run setup tensorflow --force`);
  }
  try {
    return parseOrThrow(setupRecordSchema, parsed, inFile(file));
  } catch (err) {
    throw new Error(`${(err as Error).message}; run asl-run setup tensorflow --force`);
  }
}

/** The folder of the @tensorflow/tfjs (or another tfjs package) that asl-run itself loads, as a real path. */
export function ownPackageDir(name: string): string {
  return fs.realpathSync(path.dirname(require.resolve(`${name}/package.json`)));
}

/**
 * The tfjs-node folder of the installation in `installRoot` (default: the finished one) when it was built
 * for this asl-run (its tfjs link points at the tfjs asl-run loads), else a one-line reason it cannot be used.
 */
export function installedPackage(installRoot: string = setupLayout().installed): { packageDir: string; record: SetupRecord } | string {
  const layout = setupLayout(path.dirname(installRoot));
  const record = readSetupRecord(layout.recordFile(installRoot));
  if (!record) return `no installation in ${installRoot} (run asl-run setup tensorflow)`;
  if (record.tfjsDir !== ownPackageDir('@tensorflow/tfjs')) {
    return `${installRoot} was built for the asl-run whose tfjs is ${record.tfjsDir} (rerun asl-run setup tensorflow)`;
  }
  return { packageDir: layout.packageDir(installRoot), record };
}

/**
 * Loads the tfjs-node of the installation in `installRoot` (default: the finished one in the setup folder;
 * it registers the `tensorflow` backend); returns its folder, or a one-line reason it cannot be loaded.
 */
export function loadInstalledTfjsNode(installRoot: string = setupLayout().installed): { packageDir: string } | string {
  let found: ReturnType<typeof installedPackage>;
  try {
    found = installedPackage(installRoot);
  } catch (err) {
    return (err as Error).message;
  }
  if (typeof found === 'string') return found;
  setNativeDefaults();
  try {
    withoutCommandLine(() => requireTfjsNode(found.packageDir));
  } catch (err) {
    return explainLoadFailure(found.packageDir, err as Error);
  }
  return tf.findBackend('tensorflow') ? { packageDir: found.packageDir } : `${found.packageDir} loaded but registered no 'tensorflow' backend`;
}

/**
 * Environment TensorFlow reads once, when its library loads; a value the user set wins.
 * - TF_ENABLE_ONEDNN_OPTS=0: with oneDNN, TensorFlow 2.21's CPU Conv2DBackpropInput returned wrong
 *   input gradients for some strided convolutions (stride 2, same padding, [4,16,16,48] with a
 *   [3,3,48,96] filter: half the values' scale off against the cpu and wasm backends; right without
 *   oneDNN), which corrupts training of every model here. test/backend-parity checks it.
 * - TF_CPP_MIN_LOG_LEVEL=1: no INFO lines (CPU features) at every start; the backend line says what matters.
 */
export function setNativeDefaults(): void {
  process.env.TF_ENABLE_ONEDNN_OPTS ??= '0';
  process.env.TF_CPP_MIN_LOG_LEVEL ??= '1';
}

/**
 * Runs `load` with process.argv cut to node and script: node-pre-gyp, which tfjs-node asks where its
 * addon is, parses the whole command line as its own options (asl-run's `--dir` moved the path it returns).
 */
export function withoutCommandLine<T>(load: () => T): T {
  const argv = process.argv;
  process.argv = argv.slice(0, 2);
  try {
    return load();
  } finally {
    process.argv = argv;
  }
}

/** A load error of the addon in one line; an unresolved symbol means the wheel's C API lacks what the addon calls. */
export function explainLoadFailure(packageDir: string, err: Error): string {
  const message = err.message.split('\n')[0];
  const symbol = /undefined symbol: (\S+)/.exec(message);
  if (symbol) return `${packageDir}: the TensorFlow libraries lack the C API symbol ${symbol[1]} the addon calls (use a newer TensorFlow 2.x wheel)`;
  return `${packageDir}: ${message}`;
}

export interface TensorflowRuntime {
  /** TensorFlow's version as its C API reports it, e.g. 2.21.0. */
  version: string;
  /** Whether TensorFlow runs the backend's ops on a GPU. */
  gpu: boolean;
  /** Whether TensorFlow's CPU kernels use oneDNN (off unless the user turned it on: see setNativeDefaults). */
  oneDnn: boolean;
}

/** The running `tensorflow` backend's TensorFlow version and device; undefined when that backend is not registered. */
export function tensorflowRuntime(): TensorflowRuntime | undefined {
  const backend = tf.findBackend('tensorflow') as unknown as { binding?: { TF_Version?: string }; isUsingGpuDevice?: boolean } | null;
  if (!backend) return undefined;
  // TensorFlow reads the variable as a boolean; unset, oneDNN is on for x86 Linux builds.
  const oneDnn = !/^(0|false)$/i.test(process.env.TF_ENABLE_ONEDNN_OPTS ?? '1');
  return { version: backend.binding?.TF_Version ?? 'unknown', gpu: backend.isUsingGpuDevice === true, oneDnn };
}

/** `TensorFlow 2.21.0, CPU, oneDNN off` for the backend line. */
export function describeRuntime(runtime: TensorflowRuntime | undefined): string {
  return runtime ? `TensorFlow ${runtime.version}, ${runtime.gpu ? 'GPU' : 'CPU'}, oneDNN ${runtime.oneDnn ? 'on' : 'off'}` : 'TensorFlow version unknown';
}
