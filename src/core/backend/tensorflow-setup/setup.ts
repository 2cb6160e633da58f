/**
 * `asl-run setup tensorflow`: tfjs-node's addon built against a current TensorFlow 2.x wheel, in
 * steps that each say what they did. The new installation is built in a staging folder and replaces
 * the finished one only once it loads and its conv step agrees with wasm, so a failed setup leaves an
 * earlier installation as it was. Run again, it finds the installation and re-verifies it.
 *
 * The check that ends it: the built addon loads, and one convolution step (forward, input gradient,
 * filter gradient) on the `tensorflow` backend agrees with the same step on asl-run's wasm backend,
 * the one every other figure of the project was measured on.
 */
import * as fs from 'fs';
import * as path from 'path';
import { tf } from '../../tf';
import { initBackend } from '../init';
import { addonTensorflowHeaders, buildAddon, fetchTfjsNode, linkLibraries } from './addon';
import {
  installedPackage, loadInstalledTfjsNode, ownPackageDir, setupLayout, tensorflowRuntime, writeSetupRecord, TENSORFLOW_DIR_ENV, type SetupRecord, type TensorflowRuntime,
} from './installation';
import { checkPrerequisites } from './tools';
import { downloadWheel, extractWheel, givenWheel, WHEEL_PACKAGES } from './wheel';

/** Largest difference allowed, relative to the largest magnitude of each compared tensor (float32, sums of 27 products). */
export const CONV_TOLERANCE = 1e-5;

export interface ConvStep {
  y: Float32Array;
  dx: Float32Array;
  dFilter: Float32Array;
}

/** Deterministic inputs: random generators differ between backends, so the values are a fixed function of the index. */
function ramp(size: number, phase: number): Float32Array {
  return Float32Array.from({ length: size }, (_, i) => Math.sin(i * 0.37 + phase));
}

/** conv2d (stride 2, same padding) of a [2, 9, 9, 3] batch with a [3, 3, 3, 4] filter, and the gradients of sum(y²) on the active backend. */
export async function convStep(): Promise<ConvStep> {
  const { y, dx, dFilter } = tf.tidy(() => {
    const x = tf.tensor4d(ramp(2 * 9 * 9 * 3, 0), [2, 9, 9, 3]);
    const filter = tf.tensor4d(ramp(3 * 3 * 3 * 4, 1), [3, 3, 3, 4]);
    const forward = (a: tf.Tensor4D, f: tf.Tensor4D) => tf.conv2d(a, f, 2, 'same');
    const [gx, gf] = tf.grads((a: tf.Tensor, f: tf.Tensor) => tf.sum(tf.square(forward(a as tf.Tensor4D, f as tf.Tensor4D))))([x, filter]);
    return { y: forward(x, filter), dx: gx, dFilter: gf };
  });
  const values = { y: (await y.data()) as Float32Array, dx: (await dx.data()) as Float32Array, dFilter: (await dFilter.data()) as Float32Array };
  tf.dispose([y, dx, dFilter]);
  return values;
}

/** max |a − b| / max |b|: the error relative to the reference's scale. */
export function relativeDifference(a: Float32Array, b: Float32Array): number {
  if (a.length !== b.length) return Infinity;
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < a.length; i++) {
    diff = Math.max(diff, Math.abs(a[i] - b[i]));
    scale = Math.max(scale, Math.abs(b[i]));
  }
  return diff / (scale || 1);
}

export interface Verification extends TensorflowRuntime {
  /** Worst relative difference of the conv step's three results between tensorflow and wasm. */
  convDifference: number;
}

/**
 * Loads the installation in `installRoot` and compares the conv step on it with wasm. Throws one line when
 * it does not load or the results differ; leaves the `tensorflow` backend active.
 */
export async function verifyInstallation(installRoot: string): Promise<Verification> {
  await initBackend('wasm');
  const reference = await convStep();
  const loaded = loadInstalledTfjsNode(installRoot);
  if (typeof loaded === 'string') throw new Error(`setup tensorflow: the built addon does not load: ${loaded}`);
  if (!(await tf.setBackend('tensorflow'))) throw new Error(`setup tensorflow: ${loaded.packageDir}: the tensorflow backend failed to initialise`);
  const native = await convStep();
  const convDifference = Math.max(...(['y', 'dx', 'dFilter'] as const).map((k) => relativeDifference(native[k], reference[k])));
  if (!(convDifference <= CONV_TOLERANCE)) {
    throw new Error(`setup tensorflow: conv2d on tensorflow differs from wasm by ${convDifference.toExponential(2)} of the values' scale (tolerance ${CONV_TOLERANCE})`);
  }
  return { ...tensorflowRuntime()!, convDifference };
}

export interface SetupOptions {
  /** Setup folder; default $ASL_RUN_TENSORFLOW_DIR, else <cache>/tensorflow. */
  dir?: string;
  /** A TensorFlow wheel file to use instead of downloading one. */
  wheel?: string;
  /** The Python that runs pip, reads the wheel and runs gyp; default python3. */
  python?: string;
  /** The wheel pip downloads when no --wheel is given. */
  package?: (typeof WHEEL_PACKAGES)[number];
  /** Rebuild even where a finished installation exists. */
  force?: boolean;
}

export interface SetupResult {
  /** True when a finished installation was found and only re-verified. */
  alreadySetUp: boolean;
  installRoot: string;
  record: SetupRecord;
  verification: Verification;
}

function seconds(since: number): string {
  return `${((Date.now() - since) / 1000).toFixed(1)} s`;
}

function describeVerification(v: Verification): string {
  return `TensorFlow ${v.version} on the ${v.gpu ? 'GPU' : 'CPU'}; conv2d step within ${v.convDifference.toExponential(1)} of wasm`;
}

/** Runs the setup, printing one line per step through `log`; throws one line naming the missing piece. */
export async function setupTensorflow(options: SetupOptions, log: (line: string) => void): Promise<SetupResult> {
  const layout = setupLayout(options.dir);
  const existing = options.force ? undefined : installedPackage(layout.installed);
  if (existing !== undefined && typeof existing !== 'string') {
    const { record } = existing;
    log(`already set up: TensorFlow ${record.tensorflowVersion} (${record.wheel}) in ${layout.installed}; verifying`);
    const verification = await verifyInstallation(layout.installed).catch((err: Error) => {
      throw new Error(`${err.message} (rebuild with --force)`);
    });
    log(`verified: ${describeVerification(verification)}`);
    return { alreadySetUp: true, installRoot: layout.installed, record, verification };
  }

  const tools = checkPrerequisites(options.python ?? 'python3');
  const given = options.wheel ? givenWheel(options.wheel) : undefined;
  const tfjsVersion = (require('@tensorflow/tfjs/package.json') as { version: string }).version;
  fs.mkdirSync(layout.root, { recursive: true });
  fs.writeFileSync(layout.buildLog, `asl-run setup tensorflow, ${new Date().toISOString()}\n`);
  const staging = layout.staging;
  fs.rmSync(staging, { recursive: true, force: true });
  fs.mkdirSync(staging, { recursive: true });
  try {
    let start = Date.now();
    const packageDir = fetchTfjsNode(tfjsVersion, staging, layout.buildLog);
    log(`fetched @tensorflow/tfjs-node@${tfjsVersion} without its install script, with its dependencies (${seconds(start)})`);

    start = Date.now();
    const wheel = given ?? downloadWheel(tools.python, options.package ?? 'tensorflow-cpu', layout.download);
    if (!given) log(`downloaded ${path.basename(wheel.file)} with pip (${seconds(start)})`);

    start = Date.now();
    const depsDir = path.join(packageDir, 'deps');
    const extracted = extractWheel(tools.python, wheel.file, depsDir, addonTensorflowHeaders(packageDir));
    linkLibraries(path.join(depsDir, 'lib'));
    log(`extracted ${extracted.libraries.join(', ')} and ${extracted.headers.length} headers from ${path.basename(wheel.file)} (${seconds(start)})`);

    start = Date.now();
    const addon = buildAddon({ packageDir, python: tools.python, compiler: tools.compiler, logFile: layout.buildLog });
    // The object files are not needed once the addon is copied into lib/.
    fs.rmSync(path.join(packageDir, 'build'), { recursive: true, force: true });
    log(`built ${path.relative(staging, addon)} (${seconds(start)}; log: ${layout.buildLog})`);

    const record: SetupRecord = {
      tensorflowVersion: wheel.version,
      wheel: path.basename(wheel.file),
      tfjsNodeVersion: tfjsVersion,
      tfjsDir: ownPackageDir('@tensorflow/tfjs'),
      headers: extracted.headers,
      builtAt: new Date().toISOString(),
    };
    writeSetupRecord(layout.recordFile(staging), record);
    const verification = await verifyInstallation(staging);
    replaceInstallation(staging, layout.installed);
    log(`verified: ${describeVerification(verification)}`);
    const envNote = layout.root === setupLayout().root ? '' : ` with ${TENSORFLOW_DIR_ENV}=${layout.root}`;
    log(`installed in ${layout.installed}; --backend tensorflow and auto use it${envNote}`);
    return { alreadySetUp: false, installRoot: layout.installed, record, verification };
  } finally {
    fs.rmSync(staging, { recursive: true, force: true });
    fs.rmSync(layout.download, { recursive: true, force: true });
  }
}

/** Moves the verified staging folder into place; the previous installation is removed only after the move. */
function replaceInstallation(staging: string, installed: string): void {
  const previous = `${installed}.previous-${process.pid}`;
  if (fs.existsSync(installed)) fs.renameSync(installed, previous);
  fs.renameSync(staging, installed);
  fs.rmSync(previous, { recursive: true, force: true });
}
