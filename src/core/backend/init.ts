/**
 * Backend selection. `auto` prefers the native TensorFlow bindings (GPU, then CPU) and falls back
 * to the portable wasm backend, whose missing training kernels we register ourselves.
 */
import { tf } from '../tf';
import { registerWasmTrainingKernels } from './wasm-kernels';
import { activateWasm, resolveWasmThreads, type WasmThreads } from './wasm-module';

export const BACKEND_NAMES = ['auto', 'tensorflow', 'wasm', 'cpu'] as const;
export type BackendName = (typeof BACKEND_NAMES)[number];

export interface BackendInfo {
  /** The tfjs backend now active: `tensorflow`, `wasm` or `cpu`. */
  name: string;
  /** How it was obtained, e.g. `@tensorflow/tfjs-node-gpu` or `@tensorflow/tfjs-backend-wasm (SIMD)`. */
  detail: string;
  /** Compute threads, where we set them (the wasm backend). */
  threads?: number;
}

export interface BackendOptions {
  /** Compute threads of the wasm backend; default $ASL_RUN_THREADS, else `auto` (every core, at most 8). */
  threads?: WasmThreads | string;
}

/** Loads a native binding; any failure (absent module, broken binding, missing CUDA) is reported, not thrown. */
function tryLoadNative(moduleName: string): string | undefined {
  try {
    require(moduleName);
    return tf.findBackend('tensorflow') ? undefined : `${moduleName} loaded but registered no 'tensorflow' backend`;
  } catch (err) {
    return `${moduleName}: ${(err as Error).message.split('\n')[0]}`;
  }
}

async function useWasm(threads: number): Promise<BackendInfo> {
  registerWasmTrainingKernels();
  const state = await activateWasm(threads);
  const threadNote = `${state.threads} thread${state.threads === 1 ? '' : 's'}${state.fallback ? ` (${state.fallback})` : ''}`;
  return { name: 'wasm', detail: `@tensorflow/tfjs-backend-wasm (${state.simd ? 'SIMD' : 'no SIMD'}, ${threadNote}, conv GEMM ${state.simdKernels})`, threads: state.threads };
}

async function useTensorflow(): Promise<BackendInfo | string> {
  const failures: string[] = [];
  for (const moduleName of ['@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-node']) {
    const failure = tryLoadNative(moduleName);
    if (failure === undefined && (await tf.setBackend('tensorflow'))) return { name: 'tensorflow', detail: moduleName };
    failures.push(failure ?? `${moduleName}: backend failed to initialise`);
  }
  return failures.join('; ');
}

let active: BackendInfo | undefined;
let activeRequest: BackendName | undefined;
let activeThreads: number | undefined;

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
  // Reuse the active backend only if nobody switched away from it, and `auto` only what `auto` chose.
  const unchanged = active !== undefined && tf.getBackend() === active.name && (active.name !== 'wasm' || activeThreads === threads);
  if (unchanged && (requested === active!.name || (requested === 'auto' && activeRequest === 'auto'))) return active!;
  activeRequest = requested;
  if (requested === 'tensorflow' || requested === 'auto') {
    const native = await useTensorflow();
    if (typeof native !== 'string') return (active = native);
    if (requested === 'tensorflow') throw new Error(`--backend tensorflow: not available (${native})`);
  }
  if (requested === 'cpu') {
    await tf.setBackend('cpu');
    // The cpu backend nags once about tfjs-node; the user chose it, and `auto` already tried tfjs-node.
    (tf.backend() as unknown as { firstUse: boolean }).firstUse = false;
    return (active = { name: 'cpu', detail: '@tensorflow/tfjs-backend-cpu (pure JS)' });
  }
  active = await useWasm(threads);
  activeThreads = threads;
  return active;
}

/** The backend chosen by the last `initBackend`, if any. */
export function activeBackend(): BackendInfo | undefined {
  return active;
}
