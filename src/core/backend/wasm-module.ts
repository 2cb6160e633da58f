/**
 * The wasm backend with a chosen number of compute threads. tfjs-backend-wasm 4.x runs one
 * thread under Node (tfjs#3830): it starts its pthread workers from blob: URLs, which Node's
 * worker_threads cannot load, and sizes XNNPACK's pool from the core count. Here we load the
 * same Emscripten builds ourselves: the threaded build's workers start from a data: URL that
 * evaluates tfjs's own worker script, and the requested thread count reaches the C++ side
 * through the module's core-count import. The backend object is tfjs's `BackendWasm`, so every
 * kernel (stock and ours) runs unchanged; results do not depend on the thread count (XNNPACK
 * splits work by output tiles, each summed in the same order). Our SIMD kernels (simd/) are
 * loaded into the same memory, on as many threads.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { tf } from '../tf';
import { loadSimdKernels, setActiveSimdKernels } from './simd/simd-kernels';
import { shortenPoolSpin } from './pthreadpool-spin';

/** tfjs's threaded build pre-starts 8 workers and its C++ side caps the pool there. */
export const MAX_WASM_THREADS = 8;

/** `auto`, or a thread count from 1 to MAX_WASM_THREADS. */
export type WasmThreads = number | 'auto';

/** Environment variable giving the default of `--threads` (the test suite sets it to 1). */
export const THREADS_ENV = 'ASL_RUN_THREADS';

/**
 * The thread count a request means: `auto` is every core the process may use (at most 8).
 * @param request default: $ASL_RUN_THREADS, else `auto`
 * @throws Error naming `--threads` (or the variable) when the request is neither `auto` nor an integer in [1, 8]
 */
export function resolveWasmThreads(request?: WasmThreads | string): number {
  const option = request === undefined && process.env[THREADS_ENV] ? THREADS_ENV : '--threads';
  request ??= process.env[THREADS_ENV] || 'auto';
  if (request === 'auto') return Math.max(1, Math.min(os.availableParallelism(), MAX_WASM_THREADS));
  const count = typeof request === 'number' ? request : /^\d+$/.test(request.trim()) ? Number(request) : NaN;
  if (!Number.isInteger(count) || count < 1 || count > MAX_WASM_THREADS) {
    throw new Error(`${option}: expected 'auto' or an integer from 1 to ${MAX_WASM_THREADS}, got '${request}'`);
  }
  return count;
}

interface EmscriptenWorker {
  unref(): void;
}

/** The part of tfjs's Emscripten module we touch; `tfjs` is the bridge BackendWasm expects. */
interface WasmModule {
  _malloc(bytes: number): number;
  cwrap(name: string, returnType: string | null, argTypes: string[]): (...args: number[]) => number;
  tfjs?: Record<string, (...args: number[]) => number>;
  PThread?: { runningWorkers: EmscriptenWorker[] };
}

/** Node's WebAssembly global; its types live in TypeScript's DOM lib, which this project does not load. */
interface CompiledWasm {}
interface WasmInstance {
  exports: object;
}
const { WebAssembly: wasmApi } = globalThis as unknown as {
  WebAssembly: { Module: new (bytes: Uint8Array) => CompiledWasm; Instance: new (module: CompiledWasm, imports: object) => WasmInstance };
};

interface FactoryConfig {
  locateFile(file: string, prefix: string): string | URL;
  mainScriptUrlOrBlob: string;
  instantiateWasm(imports: { env: Record<string, unknown> }, receive: (instance: WasmInstance, module: CompiledWasm) => void): object;
}

const WASM_OUT = path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm.js'));
const WORKER_SCRIPT = path.join(WASM_OUT, 'tfjs-backend-wasm-threaded-simd.worker.js');

/**
 * A data: URL of an ES module that runs tfjs's pthread worker script (exported as a string, whose
 * newlines tfjs escapes the same way before making its blob) with CommonJS `require` available.
 */
function workerBootstrapUrl(): URL {
  const script = JSON.stringify(WORKER_SCRIPT);
  const source = [
    `import { createRequire } from 'node:module';`,
    `globalThis.require = createRequire(${script});`,
    `globalThis.__filename = ${script};`,
    `(0, eval)(require(${script}).wasmWorkerContents.replace(/\\n/g, '\\\\n'));`,
  ].join('\n');
  return new URL(`data:text/javascript,${encodeURIComponent(source)}`);
}

/**
 * Runs `load`, then removes the process-wide error listeners it added: Emscripten's glue rethrows
 * every uncaught error from its own listeners, which prints a line of minified glue instead of the
 * error. The process's own handling stays as it was.
 */
async function keepingProcessErrorHandling<T>(load: () => Promise<T>): Promise<T> {
  const events = ['uncaughtException', 'unhandledRejection'] as const;
  const listenersOf = (event: string) => process.listeners(event as 'uncaughtException');
  const before = events.map(listenersOf);
  try {
    return await load();
  } finally {
    events.forEach((event, i) => {
      for (const listener of listenersOf(event)) {
        if (!before[i].includes(listener)) process.removeListener(event as 'uncaughtException', listener);
      }
    });
  }
}

/** An instantiated build and its memory (imported in the threaded build, exported otherwise). */
interface LoadedModule {
  module: WasmModule;
  memory: { buffer: ArrayBufferLike };
  shared: boolean;
}

/** Instantiates the Emscripten module of the build for `threads` (1: the single-threaded build). */
async function loadModule(threads: number, simd: boolean): Promise<LoadedModule> {
  const threaded = threads > 1;
  const glue = path.join(WASM_OUT, threaded ? 'tfjs-backend-wasm-threaded-simd.js' : 'tfjs-backend-wasm.js');
  const binary = path.join(WASM_OUT, threaded ? 'tfjs-backend-wasm-threaded-simd.wasm' : simd ? 'tfjs-backend-wasm-simd.wasm' : 'tfjs-backend-wasm.wasm');
  const factory = require(glue) as (config: FactoryConfig) => Promise<WasmModule>;
  let memory: LoadedModule['memory'] | undefined;
  const module = await keepingProcessErrorHandling(() =>
    factory({
      locateFile: (file) => (file.endsWith('.worker.js') ? workerBootstrapUrl() : path.join(WASM_OUT, file)),
      mainScriptUrlOrBlob: glue,
      instantiateWasm(imports, receive) {
        // The C++ side sizes its pool as min(request, logical cores / 2, 8).
        if (threaded) imports.env.emscripten_num_logical_cores = () => 2 * threads;
        const bytes = fs.readFileSync(binary);
        const compiled = new wasmApi.Module(threaded ? shortenPoolSpin(bytes).bytes : bytes);
        const instance = new wasmApi.Instance(compiled, imports);
        memory = (threaded ? imports.env.memory : (instance.exports as { memory?: unknown }).memory) as LoadedModule['memory'];
        receive(instance, compiled);
        return instance.exports;
      },
    }),
  );
  if (!memory) throw new Error(`${path.basename(binary)}: no wasm memory found`);
  return { module, memory, shared: threaded };
}

/** The JS↔wasm bridge tfjs's own loader attaches to the module. */
function attachBridge(module: WasmModule): void {
  module.tfjs = {
    init: module.cwrap('init', null, []),
    initWithThreadsCount: module.cwrap('init_with_threads_count', null, ['number']),
    getThreadsCount: module.cwrap('get_threads_count', 'number', []),
    registerTensor: module.cwrap('register_tensor', null, ['number', 'number', 'number']),
    disposeData: module.cwrap('dispose_data', null, ['number']),
    dispose: module.cwrap('dispose', null, []),
  };
}

interface WasmBackendState {
  /** Compute threads of XNNPACK's pool. */
  threads: number;
  simd: boolean;
  /** Why fewer threads than requested run, if so (no SIMD, or the threaded build failed to load). */
  fallback?: string;
  /** Our SIMD convolution kernels' arithmetic ('FMA' or 'mul+add'), or why they are not used. */
  simdKernels: string;
}

let current: (WasmBackendState & { requested: number }) | undefined;

/**
 * Loads our SIMD kernels into the new backend's memory, on as many threads as XNNPACK's pool.
 * @returns their arithmetic, or why they are not used (the convolution gradients then compose
 *   XNNPACK forward convolutions, as before)
 */
async function bindSimdKernels(backend: object, { module, memory, shared }: LoadedModule, threads: number): Promise<string> {
  try {
    const kernels = await loadSimdKernels({ memory, shared, malloc: (bytes) => module._malloc(bytes) }, threads);
    setActiveSimdKernels(backend, kernels);
    return kernels.madd ? 'FMA' : 'mul+add';
  } catch (err) {
    setActiveSimdKernels(backend, undefined);
    return `not used: ${(err as Error).message.split('\n')[0]}`;
  }
}

type WasmPackage = typeof import('@tensorflow/tfjs-backend-wasm');

/** tfjs's own factory for 'wasm' (its loader), captured before ours replaces it. */
let stockFactory: (() => tf.KernelBackend | Promise<tf.KernelBackend>) | undefined;

function loadWasmPackage(): WasmPackage {
  const wasmPackage = require('@tensorflow/tfjs-backend-wasm') as WasmPackage;
  stockFactory ??= tf.findBackendFactory('wasm');
  return wasmPackage;
}

/**
 * Re-creating the backend frees its memory: refuses while tensors live there (ours or tfjs's own
 * backend's). The engine's registry holds only initialised backends; tf.findBackend would start one.
 */
function assertNoLiveTensors(option: string, change: string): void {
  const initialised = (tf.engine() as unknown as { registry: Record<string, tf.KernelBackend | undefined> }).registry.wasm;
  const live = initialised?.numDataIds() ?? 0;
  if (live > 0) {
    const running = current ? `runs with ${current.threads} thread(s)` : 'was started by tfjs';
    throw new Error(`${option}: the wasm backend already ${running} and holds ${live} tensors; ${change} before creating any`);
  }
}

/**
 * Makes 'wasm' the active backend as tfjs's own loader makes it (one thread under Node, no SIMD
 * kernels of ours, no patched bytes): the compatibility guard's fallback on an untested tfjs.
 * @returns the thread count and SIMD support of the active backend
 */
export async function activateStockWasm(): Promise<{ threads: number; simd: boolean }> {
  const wasmPackage = loadWasmPackage();
  if (!stockFactory) throw new Error("backend wasm: tfjs-backend-wasm registered no 'wasm' backend");
  if (tf.findBackendFactory('wasm') !== stockFactory) {
    assertNoLiveTensors('backend wasm', 'switch to the stock backend');
    setActiveSimdKernels({}, undefined);
    tf.removeBackend('wasm');
    tf.registerBackend('wasm', stockFactory, 2);
    current = undefined;
  }
  if (!(await tf.setBackend('wasm'))) throw new Error('backend wasm: failed to initialise');
  return { threads: wasmPackage.getThreadsCount(), simd: Boolean(await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT')) };
}

/**
 * Makes 'wasm' the active tfjs backend with `threads` compute threads (fewer without SIMD, for
 * which no threaded build exists). Re-creates the backend when the count changes, which is only
 * allowed while it holds no tensors.
 * @returns the thread count and SIMD support of the active backend
 */
export async function activateWasm(threads: number): Promise<WasmBackendState> {
  const wasmPackage = loadWasmPackage();
  const simd = Boolean(await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT'));
  const wanted = simd ? threads : 1;
  if (current?.requested !== threads || !tf.findBackendFactory('wasm')) {
    assertNoLiveTensors('--threads', 'choose the thread count');
    let fallback = simd ? undefined : 'no SIMD, for which tfjs has no threaded build';
    let loaded: LoadedModule;
    try {
      loaded = await loadModule(wanted, simd);
    } catch (err) {
      if (wanted === 1) throw err;
      // Where worker threads cannot start, training still runs, on one thread.
      fallback = `threaded build failed: ${(err as Error).message.split('\n')[0]}`;
      loaded = await loadModule(1, simd);
    }
    const { module } = loaded;
    attachBridge(module);
    wasmPackage.setThreadsCount(wanted);
    const backend = new wasmPackage.BackendWasm(module as unknown as ConstructorParameters<typeof wasmPackage.BackendWasm>[0]);
    // Pool threads park on atomics, not on the event loop; they must not keep the process alive.
    module.PThread?.runningWorkers.forEach((worker) => worker.unref());
    const threadCount = wasmPackage.getThreadsCount();
    const simdKernels = simd ? await bindSimdKernels(backend, loaded, threadCount) : 'not used: no SIMD';
    if (tf.findBackendFactory('wasm')) tf.removeBackend('wasm');
    tf.registerBackend('wasm', () => backend, 2);
    current = { requested: threads, threads: threadCount, simd, simdKernels, fallback: threads > 1 ? fallback : undefined };
  }
  if (!(await tf.setBackend('wasm'))) throw new Error('backend wasm: failed to initialise');
  const { requested: _requested, ...state } = current!;
  return state;
}
