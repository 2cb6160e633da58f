/**
 * Loads our SIMD kernels (kernels-wat.ts, assembled at build time: kernel-binaries.ts) into
 * tfjs's wasm memory and runs their units on a pool: the calling thread plus `threads − 1` worker
 * threads, each with its own instance of the module over the same shared memory. Dispatch is a
 * generation counter in that memory: workers sleep on it with Atomics.wait, take units from a
 * shared counter, and the caller waits until all are done — however long a busy machine makes
 * that; only a worker's death (seen by a supervisor thread) ends the wait early.
 */
import * as v8 from 'v8';
import { MessageChannel, MessagePort, receiveMessageOnPort, Worker } from 'worker_threads';
import { PARAM_COUNT, UnitKind } from './kernels-wat';
import { readKernelBinary } from './kernel-binaries';

type WasmMemory = { buffer: ArrayBufferLike };
type Instance = { exports: { run_unit(kind: number, unit: number, params: number): void } };
const wasm = (globalThis as unknown as {
  WebAssembly: {
    Module: new (bytes: Uint8Array) => object;
    Instance: new (module: object, imports: object) => Instance;
    validate(bytes: Uint8Array): boolean;
  };
}).WebAssembly;

/** Control words (i32) at the start of the pool's block, then the params. */
const enum Ctl {
  Generation = 0,
  Kind = 1,
  Units = 2,
  NextUnit = 3,
  /** Workers still running the current dispatch, with DEAD_BIT set once one of them has died. */
  PendingWorkers = 4,
  Stop = 5,
  /** Set by a worker whose unit threw; its message is posted, the caller throws. */
  Failed = 6,
  /** Set by the supervisor when a worker thread has exited or crashed; the pool is then unusable. */
  Dead = 7,
  Words = 8,
}
/** Or-ed into PendingWorkers by the supervisor: changes the word the caller sleeps on, so it wakes. */
const DEAD_BIT = 1 << 30;
const MAX_PARAMS = Math.max(...Object.values(PARAM_COUNT));

export interface SimdKernels {
  /** Threads that run units (the caller included). */
  readonly threads: number;
  /** Whether the GEMM uses relaxed-SIMD multiply-add (fused where the CPU has FMA). */
  readonly madd: boolean;
  /** Runs units 0..units−1 of `kind` with `params` (i32 each) and returns when all are done. */
  run(kind: UnitKind, units: number, params: number[]): void;
  /** Stops the workers (the control block goes with the backend's memory). */
  dispose(): void;
}

export interface SimdHost {
  memory: WasmMemory;
  /** Whether `memory` is shared (tfjs's threaded build); required for more than one thread. */
  shared: boolean;
  malloc(bytes: number): number;
}

/**
 * Compiles the module, with relaxed-SIMD multiply-add where the engine accepts it (Node ≥ 22
 * by default; Node 20 behind a V8 flag, which we set), plain mul + add otherwise.
 */
function compile(shared: boolean): { module: object; madd: boolean } {
  const withMadd = readKernelBinary({ shared, madd: true });
  if (!wasm.validate(withMadd)) v8.setFlagsFromString('--experimental-wasm-relaxed-simd');
  if (wasm.validate(withMadd)) return { module: new wasm.Module(withMadd), madd: true };
  return { module: new wasm.Module(readKernelBinary({ shared, madd: false })), madd: false };
}

/** Worker body: instantiate, then run units of each new generation until told to stop. */
const WORKER_SOURCE = `
const { workerData } = require('worker_threads');
const { module, memory, block, errors } = workerData;
const instance = new WebAssembly.Instance(module, { env: { memory } });
const ctl = new Int32Array(memory.buffer, block, ${Ctl.Words});
// Generation 0 is the state at creation: a dispatch made before this worker started is still seen.
let generation = 0;
for (;;) {
  // A wake-up is only a hint (anything sharing the memory may notify this word): a pass without a
  // new generation would count this worker done twice, and the caller would wait forever.
  while (Atomics.load(ctl, ${Ctl.Generation}) === generation) Atomics.wait(ctl, ${Ctl.Generation}, generation);
  generation = Atomics.load(ctl, ${Ctl.Generation});
  if (Atomics.load(ctl, ${Ctl.Stop})) break;
  const kind = ctl[${Ctl.Kind}], units = ctl[${Ctl.Units}], params = block + ${4 * Ctl.Words};
  try {
    for (let unit; (unit = Atomics.add(ctl, ${Ctl.NextUnit}, 1)) < units;) instance.exports.run_unit(kind, unit, params);
  } catch (err) {
    // The caller is blocked until every worker reports: report the failure rather than die.
    errors.postMessage(String((err && err.message) || err));
    Atomics.store(ctl, ${Ctl.Failed}, 1);
  }
  if (Atomics.sub(ctl, ${Ctl.PendingWorkers}, 1) === 1) Atomics.notify(ctl, ${Ctl.PendingWorkers});
}`;

/**
 * Supervisor body: starts the compute workers and watches their exit and error events. The
 * caller sleeps in Atomics.wait during a dispatch, so its own event loop cannot see a worker die;
 * this thread's can. A death is posted as one line, marked in the control block, and wakes the
 * caller. A message { terminate, afterMs } ends one worker as a crash would (the pool's tests).
 */
const SUPERVISOR_SOURCE = `
const { Worker, workerData, parentPort } = require('worker_threads');
const { module, memory, block, deaths, unitPorts, source } = workerData;
const ctl = new Int32Array(memory.buffer, block, ${Ctl.Words});
const count = unitPorts.length;
let running = count;
const workers = unitPorts.map((errors, i) => {
  // A unit's failure goes straight to the caller's port, posted before the worker reports done.
  const worker = new Worker(source, { eval: true, workerData: { module, memory, block, errors }, transferList: [errors] });
  let reason;
  worker.on('error', (err) => { reason = String((err && err.message) || err).split('\\n')[0]; });
  worker.on('exit', (code) => {
    if (!Atomics.load(ctl, ${Ctl.Stop})) {
      deaths.postMessage({ death: 'worker thread ' + (i + 1) + ' of ' + count + ' ' + (reason ? 'crashed: ' + reason : 'exited (code ' + code + ')') });
      Atomics.store(ctl, ${Ctl.Dead}, 1);
      Atomics.or(ctl, ${Ctl.PendingWorkers}, ${DEAD_BIT});
      Atomics.notify(ctl, ${Ctl.PendingWorkers});
    }
    if (--running === 0) { parentPort.close(); deaths.close(); }
  });
  return worker;
});
parentPort.on('message', ({ terminate, afterMs }) => setTimeout(() => workers[terminate].terminate(), afterMs));
`;

/** The pool's test hook: ends worker `index` (0-based) after `afterMs`, as a crash would. */
export interface SimdKernelsForTests extends SimdKernels {
  terminateWorker(index: number, afterMs: number): void;
}

export async function loadSimdKernels(host: SimdHost, threads: number): Promise<SimdKernelsForTests> {
  if (threads > 1 && !host.shared) throw new Error(`SIMD kernels: ${threads} threads need shared wasm memory`);
  const { module, madd } = compile(host.shared);
  const instance = new wasm.Instance(module, { env: { memory: host.memory } });
  const block = host.malloc(4 * (Ctl.Words + MAX_PARAMS));
  const control = () => new Int32Array(host.memory.buffer, block, Ctl.Words + MAX_PARAMS);
  control().fill(0);
  const workerCount = threads - 1;
  // Unit failures and deaths come back on ports the blocked caller can read synchronously.
  const deathChannel = new MessageChannel();
  const unitChannels = Array.from({ length: workerCount }, () => new MessageChannel());
  const supervisor =
    workerCount > 0
      ? new Worker(SUPERVISOR_SOURCE, {
          eval: true,
          workerData: { module, memory: host.memory, block, deaths: deathChannel.port2, unitPorts: unitChannels.map((c) => c.port2), source: WORKER_SOURCE },
          transferList: [deathChannel.port2, ...unitChannels.map((c) => c.port2)],
        })
      : undefined;
  let deathNote: string | undefined;
  // Without a listener, an error event of the supervisor itself would throw in this thread.
  supervisor?.on('error', (err) => (deathNote ??= `the worker pool's supervisor crashed: ${err.message.split('\n')[0]}`));
  // Workers sleep on atomics, not on the event loop; they must not keep the process alive.
  supervisor?.unref();
  [deathChannel.port1, ...unitChannels.map((c) => c.port1)].forEach((port) => port.unref());

  const drain = <T>(port: MessagePort): T[] => {
    const received: T[] = [];
    for (let m; (m = receiveMessageOnPort(port)); ) received.push(m.message as T);
    return received;
  };
  const drainDeaths = () => drain<{ death: string }>(deathChannel.port1).forEach(({ death }) => (deathNote ??= death));

  /** The pool's death, as one line, once the supervisor has seen a worker exit. */
  function deathOf(ctl: Int32Array): string | undefined {
    if (!Atomics.load(ctl, Ctl.Dead) && deathNote === undefined) return undefined;
    drainDeaths();
    return deathNote ?? `a worker thread of ${workerCount} exited`;
  }

  /** Waits until every worker has reported, however long a busy machine makes them take, or one dies. */
  function waitForWorkers(ctl: Int32Array, kind: UnitKind): void {
    for (let pending; (pending = Atomics.load(ctl, Ctl.PendingWorkers)) !== 0; ) {
      const death = deathOf(ctl);
      if (death) throw new Error(`SIMD kernels: ${death} during unit kind ${kind}; restart the process (or use --threads 1)`);
      Atomics.wait(ctl, Ctl.PendingWorkers, pending);
    }
  }

  function run(kind: UnitKind, units: number, params: number[]): void {
    const ctl = control(); // memory growth replaces the buffer, so the view is made per call
    const death = deathOf(ctl);
    if (death) throw new Error(`SIMD kernels: unusable since ${death}; restart the process (or use --threads 1)`);
    if (params.length !== PARAM_COUNT[kind]) throw new Error(`SIMD kernels: unit kind ${kind} takes ${PARAM_COUNT[kind]} params, got ${params.length}`);
    ctl.set(params, Ctl.Words);
    const paramsPointer = block + 4 * Ctl.Words;
    if (workerCount === 0 || units === 1) {
      for (let unit = 0; unit < units; unit++) instance.exports.run_unit(kind, unit, paramsPointer);
      return;
    }
    ctl[Ctl.Kind] = kind;
    ctl[Ctl.Units] = units;
    Atomics.store(ctl, Ctl.NextUnit, 0);
    Atomics.store(ctl, Ctl.PendingWorkers, workerCount);
    Atomics.add(ctl, Ctl.Generation, 1);
    Atomics.notify(ctl, Ctl.Generation);
    let failure: unknown;
    try {
      for (let unit; (unit = Atomics.add(ctl, Ctl.NextUnit, 1)) < units; ) instance.exports.run_unit(kind, unit, paramsPointer);
    } catch (err) {
      failure = err;
      Atomics.store(ctl, Ctl.NextUnit, units); // the workers stop taking units
    }
    waitForWorkers(ctl, kind);
    // Clear this dispatch's failure state before throwing, so the next one starts clean.
    const workerFailed = Atomics.exchange(ctl, Ctl.Failed, 0) === 1;
    const messages = unitChannels.flatMap(({ port1 }) => drain<string>(port1));
    if (failure !== undefined) throw failure;
    if (workerFailed) throw new Error(`SIMD kernels: a worker thread failed in unit kind ${kind}: ${messages[0] ?? 'unknown error'}`);
  }

  function dispose(): void {
    const ctl = control();
    Atomics.store(ctl, Ctl.Stop, 1);
    Atomics.add(ctl, Ctl.Generation, 1);
    Atomics.notify(ctl, Ctl.Generation);
  }

  function terminateWorker(index: number, afterMs: number): void {
    if (!supervisor || index < 0 || index >= workerCount) throw new Error(`SIMD kernels: no worker thread ${index} in a pool of ${workerCount}`);
    supervisor.postMessage({ terminate: index, afterMs });
  }

  return { threads, madd, run, dispose, terminateWorker };
}

/** A float32 param, as the bit pattern the i32 params block carries. */
export function floatParam(x: number): number {
  return new Int32Array(Float32Array.of(x).buffer)[0];
}

let active: { backend: object; kernels: SimdKernels } | undefined;

/** Makes `kernels` the ones the wasm convolution kernels use while `backend` is the wasm backend; stops the previous pool. */
export function setActiveSimdKernels(backend: object, kernels: SimdKernels | undefined): void {
  active?.kernels.dispose();
  active = kernels && { backend, kernels };
}

/** The SIMD kernels loaded into `backend`'s memory, if any (tfjs's own wasm backend has none). */
export function simdKernelsFor(backend: object): SimdKernels | undefined {
  return active?.backend === backend ? active.kernels : undefined;
}
