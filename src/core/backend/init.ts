/**
 * Backend selection. `auto` prefers a GPU: the native TensorFlow bindings when they really run on
 * one, else a hardware WebGPU adapter; then native TensorFlow on the CPU; then the portable wasm
 * backend, whose missing training kernels we register ourselves. A software WebGPU adapter is
 * slower than our wasm kernels, so only `--backend webgpu` uses one.
 */
import { tf } from '../tf';
import { registerWasmTrainingKernels, useStockWasmKernels } from './wasm-kernels';
import { activateStockWasm, activateWasm, resolveWasmThreads, type WasmThreads } from './wasm-module';
import { registerCpuResizeNearestNeighborGrad } from './cpu-kernels/resize-nearest-neighbor-grad';
import { runTfjsCheck, type TfjsCheck, type TfjsInstall } from './compat';
import { activateWebgpu } from './webgpu/activate';
import type { AdapterDescription, AdapterPolicy } from './webgpu/adapter';
import { describeRuntime, loadInstalledTfjsNode, setNativeDefaults, tensorflowRuntime } from './tensorflow-setup/installation';
import { requireTfjsNode } from './tensorflow-setup/own-symbols';

export const BACKEND_NAMES = ['auto', 'tensorflow', 'webgpu', 'wasm', 'cpu'] as const;
export type BackendName = (typeof BACKEND_NAMES)[number];

export interface BackendInfo {
  /** The tfjs backend now active: `tensorflow`, `webgpu`, `wasm` or `cpu`. */
  name: string;
  /** How it was obtained, e.g. `@tensorflow/tfjs-node-gpu` or `@tensorflow/tfjs-backend-wasm (SIMD)`. */
  detail: string;
  /** Compute threads, where we set them (the wasm backend). */
  threads?: number;
  /** The WebGPU adapter, on the webgpu backend. */
  adapter?: AdapterDescription;
}

export interface BackendOptions {
  /** Compute threads of the wasm backend; default $ASL_RUN_THREADS, else `auto` (every core, at most 8). */
  threads?: WasmThreads | string;
  /**
   * What the compatibility guard takes as installed (default: what is). Tests pass a different
   * set to force the untested-tfjs path.
   */
  installedTfjs?: TfjsInstall;
}

/** Loads a native binding; any failure (absent module, broken binding, missing CUDA) is reported, not thrown. */
function tryLoadNative(moduleName: string): string | undefined {
  try {
    requireTfjsNode(moduleName);
    return tf.findBackend('tensorflow') ? undefined : `${moduleName} loaded but registered no 'tensorflow' backend`;
  } catch (err) {
    return `${moduleName}: ${(err as Error).message.split('\n')[0]}`;
  }
}

const threadCount = (threads: number) => `${threads} thread${threads === 1 ? '' : 's'}`;

async function useWasm(threads: number, check: TfjsCheck): Promise<BackendInfo> {
  if (!check.passed) {
    // Only tfjs's own kernels, loader and binary, plus gradients composed of public ops.
    useStockWasmKernels();
    const state = await activateStockWasm();
    const loaderNote = threads > 1 ? ` (tfjs's own loader; ${threads} requested)` : '';
    return { name: 'wasm', detail: `@tensorflow/tfjs-backend-wasm (${state.simd ? 'SIMD' : 'no SIMD'}, ${threadCount(state.threads)}${loaderNote}; ${check.note})`, threads: state.threads };
  }
  registerWasmTrainingKernels();
  const state = await activateWasm(threads);
  const threadNote = `${threadCount(state.threads)}${state.fallback ? ` (${state.fallback})` : ''}`;
  return { name: 'wasm', detail: `@tensorflow/tfjs-backend-wasm (${state.simd ? 'SIMD' : 'no SIMD'}, ${threadNote}, conv GEMM ${state.simdKernels}; ${check.note})`, threads: state.threads };
}

async function useWebgpu(policy: AdapterPolicy, check: TfjsCheck): Promise<BackendInfo | string> {
  const activation = await activateWebgpu(policy);
  if (typeof activation === 'string') return activation;
  return { name: 'webgpu', detail: `${activation.detail}; ${check.note}`, adapter: activation.adapter };
}

async function useTensorflow(check: TfjsCheck): Promise<BackendInfo | string> {
  const failures: string[] = [];
  setNativeDefaults();
  for (const moduleName of ['@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-node']) {
    const failure = tryLoadNative(moduleName);
    if (failure === undefined && (await tf.setBackend('tensorflow'))) return { name: 'tensorflow', detail: `${moduleName}, ${describeRuntime(tensorflowRuntime())}; ${check.note}` };
    failures.push(failure ?? `${moduleName}: backend failed to initialise`);
  }
  // The tfjs-node that `asl-run setup tensorflow` built against a TensorFlow wheel.
  const installed = loadInstalledTfjsNode();
  if (typeof installed !== 'string' && (await tf.setBackend('tensorflow'))) {
    return { name: 'tensorflow', detail: `tfjs-node from 'asl-run setup tensorflow' in ${installed.packageDir}, ${describeRuntime(tensorflowRuntime())}; ${check.note}` };
  }
  failures.push(typeof installed === 'string' ? `setup tensorflow: ${installed}` : `${installed.packageDir}: backend failed to initialise`);
  return failures.join('; ');
}

let active: BackendInfo | undefined;
let activeRequest: BackendName | undefined;
let activeThreads: number | undefined;
let activeCheckPassed: boolean | undefined;

/**
 * Selects and initialises a backend. Idempotent for the same request.
 * @throws Error naming the backend when an explicitly requested one cannot be used, or naming
 *   `--threads` when the thread count is invalid.
 */
export async function initBackend(requested: BackendName = 'auto', options: BackendOptions = {}): Promise<BackendInfo> {
  if (!(BACKEND_NAMES as readonly string[]).includes(requested)) {
    throw new Error(`--backend: unknown backend '${requested}' (choose one of ${BACKEND_NAMES.join(', ')})`);
  }
  const threads = resolveWasmThreads(options.threads);
  const check = runTfjsCheck(options.installedTfjs);
  // Reuse the active backend only if nobody switched away from it, and `auto` only what `auto` chose.
  const unchanged =
    active !== undefined && tf.getBackend() === active.name && (active.name !== 'wasm' || activeThreads === threads) && activeCheckPassed === check.passed;
  if (unchanged && (requested === active!.name || (requested === 'auto' && activeRequest === 'auto'))) return active!;
  activeRequest = requested;
  activeCheckPassed = check.passed;
  // Gradient overrides are global: an untested tfjs gets its own back whichever backend runs.
  if (!check.passed) useStockWasmKernels();
  if (requested === 'webgpu') {
    const webgpu = await useWebgpu('any', check);
    if (typeof webgpu === 'string') throw new Error(`--backend webgpu: no usable adapter (${webgpu})`);
    return (active = webgpu);
  }
  if (requested === 'tensorflow' || requested === 'auto') {
    const native = await useTensorflow(check);
    if (requested === 'tensorflow' && typeof native === 'string') throw new Error(`--backend tensorflow: not available (${native})`);
    if (typeof native !== 'string' && (requested === 'tensorflow' || tensorflowRuntime()?.gpu)) return (active = native);
    if (requested === 'auto') {
      const webgpu = await useWebgpu('hardware-only', check);
      if (typeof webgpu !== 'string') return (active = webgpu);
      // Native TensorFlow on the CPU, when it loaded; the webgpu attempt set no backend.
      if (typeof native !== 'string' && (await tf.setBackend('tensorflow'))) return (active = native);
    }
  }
  if (requested === 'cpu') {
    registerCpuResizeNearestNeighborGrad();
    await tf.setBackend('cpu');
    // The cpu backend nags once about tfjs-node; the user chose it, and `auto` already tried tfjs-node.
    (tf.backend() as unknown as { firstUse: boolean }).firstUse = false;
    return (active = { name: 'cpu', detail: `@tensorflow/tfjs-backend-cpu (pure JS; ${check.note})` });
  }
  active = await useWasm(threads, check);
  activeThreads = threads;
  return active;
}

/**
 * Whether the active backend reads tensors back synchronously (`dataSync`). WebGPU in Node reads
 * back only asynchronously, so what needs the host's view of a tensor inside a gradient tape (a
 * head assigning targets from its predictions) must read it before the tape instead.
 */
export function readsSynchronously(): boolean {
  return tf.getBackend() !== 'webgpu';
}

/** The backend chosen by the last `initBackend`, if any. */
export function activeBackend(): BackendInfo | undefined {
  return active;
}
