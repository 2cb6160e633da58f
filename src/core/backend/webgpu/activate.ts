/**
 * The `webgpu` backend: @tensorflow/tfjs-backend-webgpu on a Dawn device. The adapter is chosen
 * here, not by tfjs's own factory, because that one asks only for the default adapter and never
 * for a compatibility-level one (the only kind Dawn's OpenGL ES backend offers).
 */
import * as fs from 'fs';
import { tf } from '../../tf';
import { registerGroupedAddN } from './add-n';
import { candidateApis, chooseAdapter, DAWN_BACKEND_OPTION, formatAdapter, type AdapterDescription, type AdapterPolicy } from './adapter';
import { adapterOptions, loadDawn, prepareEnvironment, probeAdapters, type DawnAdapter } from './dawn';

export const WEBGPU_BACKEND_PACKAGE = '@tensorflow/tfjs-backend-webgpu';

/** On Linux an NVIDIA device without a Vulkan adapter is nearly always a driver or container setting. */
function nvidiaHint(adapter: AdapterDescription | string): string {
  if (typeof adapter !== 'string' || process.platform !== 'linux' || !fs.existsSync('/dev/nvidiactl')) return '';
  return "; an NVIDIA device is present: its Vulkan driver is missing (in a container, NVIDIA_DRIVER_CAPABILITIES must include 'graphics'; see docs/gpu.md)";
}

/** Device nodes of Linux GPU drivers: DRM render nodes (Mesa, AMD, Intel, NVIDIA), NVIDIA's own, WSL2's. */
const LINUX_GPU_NODES = ['/dev/dri', '/dev/nvidiactl', '/dev/dxg'];

/** Finds the adapter `policy` accepts, without creating a device. */
export function findAdapter(policy: AdapterPolicy): AdapterDescription | string {
  // Without a GPU device node there is no hardware adapter to find; `auto` skips the probe (0.4–0.7 s here).
  if (policy === 'hardware-only' && process.platform === 'linux' && !LINUX_GPU_NODES.some((node) => fs.existsSync(node))) {
    return `no GPU device node (${LINUX_GPU_NODES.join(', ')})`;
  }
  const probes = probeAdapters(candidateApis(policy));
  if (typeof probes === 'string') return probes;
  const adapter = chooseAdapter(probes, policy);
  return typeof adapter === 'string' ? adapter + nvidiaHint(adapter) : adapter;
}

interface WebgpuModule {
  WebGPUBackend: new (device: unknown, adapterInfo: unknown) => tf.KernelBackend;
}

/** What WebGPUBackend keeps per tensor: values while on the CPU, resource once on the GPU. */
interface WebgpuTensorMap {
  tensorMap?: { get(dataId: tf.DataId): { values?: unknown; dtype: string } | undefined };
}

/**
 * WebGPU has no synchronous read-back; tfjs fakes one in browsers by drawing into an
 * OffscreenCanvas, which Node lacks ("OffscreenCanvas is not defined"). This subclass says so in
 * terms of the cause: the calling code must read with `await tensor.data()`.
 */
function nodeBackendClass(webgpu: WebgpuModule): WebgpuModule['WebGPUBackend'] {
  return class NodeWebGPUBackend extends webgpu.WebGPUBackend {
    override readSync(dataId: tf.DataId): tf.BackendValues {
      // Where the private map is not what 4.22 has, tfjs's own readSync decides.
      const data = (this as unknown as WebgpuTensorMap).tensorMap?.get(dataId);
      if (!data || data.values != null || data.dtype === 'string') return super.readSync(dataId);
      throw new Error('webgpu backend: dataSync()/arraySync() cannot read GPU memory in Node (WebGPU reads back only asynchronously); this step must use await data()');
    }
  };
}

/** tfjs-backend-webgpu registers itself only if navigator.gpu exists when it is first imported. */
function installGlobals(gpu: unknown, globals: Record<string, unknown>): void {
  for (const [name, value] of Object.entries(globals)) if (!(name in globalThis)) Object.defineProperty(globalThis, name, { value, configurable: true, writable: true });
  const scope = globalThis as { navigator?: object };
  scope.navigator ??= {};
  Object.defineProperty(scope.navigator, 'gpu', { value: gpu, configurable: true });
}

/** The device tfjs's own factory would ask for (timestamps where available, the adapter's full limits), and every storage buffer the adapter allows per shader (fewer AddN groups). */
async function requestDevice(adapter: DawnAdapter): Promise<unknown> {
  const limitNames = [
    'maxComputeWorkgroupStorageSize', 'maxComputeWorkgroupsPerDimension', 'maxStorageBufferBindingSize', 'maxBufferSize', 'maxComputeWorkgroupSizeX',
    'maxComputeInvocationsPerWorkgroup', 'maxStorageBuffersPerShaderStage',
  ];
  return adapter.requestDevice({
    requiredFeatures: adapter.features.has('timestamp-query') ? ['timestamp-query'] : [],
    requiredLimits: Object.fromEntries(limitNames.map((name) => [name, adapter.limits[name]])),
  });
}

export interface WebgpuActivation {
  adapter: AdapterDescription;
  /** For the backend line. */
  detail: string;
}

let activated: WebgpuActivation | undefined;

/**
 * Activates the webgpu backend on the adapter `policy` accepts, or returns why it cannot. The
 * device is made once per process: tfjs keeps one backend instance per name.
 */
export async function activateWebgpu(policy: AdapterPolicy): Promise<WebgpuActivation | string> {
  if (activated && (policy === 'any' || !activated.adapter.software)) {
    await tf.setBackend('webgpu');
    return activated;
  }
  const dawn = loadDawn();
  if (typeof dawn === 'string') return dawn;
  const chosen = findAdapter(policy);
  if (typeof chosen === 'string') return chosen;
  let webgpu: WebgpuModule;
  prepareEnvironment(chosen.api);
  const gpu = dawn.create([`backend=${DAWN_BACKEND_OPTION[chosen.api]}`]);
  installGlobals(gpu, dawn.globals);
  try {
    webgpu = require(WEBGPU_BACKEND_PACKAGE) as WebgpuModule;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'MODULE_NOT_FOUND' ? `the optional package '${WEBGPU_BACKEND_PACKAGE}' is not installed` : `${WEBGPU_BACKEND_PACKAGE}: ${(err as Error).message.split('\n')[0]}`;
  }
  const adapter = await gpu.requestAdapter(adapterOptions(chosen.api));
  if (!adapter) {
    const hint = chosen.api === 'GLES' ? ' (EGL_PLATFORM must be in the environment the process started with, e.g. EGL_PLATFORM=surfaceless)' : '';
    return `${chosen.api}: the adapter the probe found was not offered again in this process${hint}`;
  }
  let device: unknown;
  try {
    device = await requestDevice(adapter);
  } catch (err) {
    return `${formatAdapter(chosen)}: no device (${(err as Error).message.split('\n')[0]})`;
  }
  // Every op on the GPU: by default tfjs computes small ops with CPU inputs on the CPU, which
  // would mix two backends' numerics into one step.
  tf.env().set('WEBGPU_CPU_FORWARD', false);
  // Replaces the factory the package registered on import.
  if (tf.findBackendFactory('webgpu')) tf.removeBackend('webgpu');
  const Backend = nodeBackendClass(webgpu);
  tf.registerBackend('webgpu', () => new Backend(device, adapter.info), 1);
  registerGroupedAddN();
  if (!(await tf.setBackend('webgpu'))) return `${WEBGPU_BACKEND_PACKAGE} failed to initialise on ${formatAdapter(chosen)}`;
  activated = { adapter: chosen, detail: `${WEBGPU_BACKEND_PACKAGE} on Dawn (${formatAdapter(chosen)})` };
  return activated;
}
