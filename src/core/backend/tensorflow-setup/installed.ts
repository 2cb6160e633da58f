/**
 * Loading the tfjs-node that `setup tensorflow` built, and what the running native backend is: its
 * TensorFlow version and whether TensorFlow placed it on a GPU.
 */
import { tf } from '../../tf';
import { installedPackage, setupLayout } from './layout';

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
    withoutCommandLine(() => require(found.packageDir));
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
}

/** The running `tensorflow` backend's TensorFlow version and device; undefined when that backend is not registered. */
export function tensorflowRuntime(): TensorflowRuntime | undefined {
  const backend = tf.findBackend('tensorflow') as unknown as { binding?: { TF_Version?: string }; isUsingGpuDevice?: boolean } | null;
  if (!backend) return undefined;
  return { version: backend.binding?.TF_Version ?? 'unknown', gpu: backend.isUsingGpuDevice === true };
}

/** `TensorFlow 2.21.0, CPU` for the backend line. */
export function describeRuntime(runtime: TensorflowRuntime | undefined): string {
  return runtime ? `TensorFlow ${runtime.version}, ${runtime.gpu ? 'GPU' : 'CPU'}` : 'TensorFlow version unknown';
}
