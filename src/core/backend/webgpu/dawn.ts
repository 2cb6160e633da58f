/**
 * Dawn, Chrome's WebGPU implementation, through the optional npm package `webgpu`, and the
 * adapters it offers here. Adapters are first looked for in a child process: Dawn prints why it
 * rejects a GPU (and Mesa its own complaints) straight to the native stderr, where this process
 * cannot catch it; the child's stderr can be read and put into one line, and a run that ends up on
 * wasm stays quiet.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { describeAdapterInfo, DAWN_BACKEND_OPTION, type AdapterInfoFields, type AdapterProbe, type GraphicsApi } from './adapter';

/**
 * The little of the WebGPU API asl-run touches itself, typed here: the package's types
 * (@webgpu/types) come with an optional dependency and may be absent when this compiles.
 */
export interface DawnAdapter {
  info: AdapterInfoFields;
  features: { has(name: string): boolean };
  limits: Record<string, number>;
  requestDevice(descriptor: { requiredFeatures: string[]; requiredLimits: Record<string, number> }): Promise<unknown>;
}

export interface DawnGpu {
  requestAdapter(options: AdapterRequest): Promise<DawnAdapter | null>;
}

export interface AdapterRequest {
  powerPreference: 'high-performance';
  featureLevel?: 'compatibility';
}

/** The binding's two exports: `create(options)` gives a GPU (navigator.gpu), `globals` the WebGPU constants. */
export interface DawnBinding {
  create(options: string[]): DawnGpu;
  globals: Record<string, unknown>;
}

/** The npm package and version asl-run lists as an optional dependency. */
export const DAWN_PACKAGE = 'webgpu@0.6.2';

/**
 * Path of dawn.node inside the `webgpu` package. The package's entry is an ES module, which
 * `require` cannot load under jest (and only from Node 20.19 elsewhere); it only picks this same
 * file per platform and patches GPUDevice.destroy, which asl-run never calls (the device lives as
 * long as the process).
 */
export function dawnBindingPath(): string | undefined {
  let packageDir: string;
  try {
    packageDir = path.dirname(require.resolve('webgpu/package.json'));
  } catch {
    return undefined;
  }
  const arch = process.platform === 'darwin' ? 'universal' : process.arch;
  return path.join(packageDir, 'dist', `${process.platform}-${arch}`, 'dawn.node');
}

/** Loads Dawn, or says why not in a few words. */
export function loadDawn(): DawnBinding | string {
  const binding = dawnBindingPath();
  if (!binding) return `the optional package '${DAWN_PACKAGE}' is not installed (npm install ${DAWN_PACKAGE})`;
  if (!fs.existsSync(binding)) return `'${DAWN_PACKAGE}' has no prebuilt Dawn for ${process.platform}-${process.arch}`;
  try {
    return require(binding) as DawnBinding;
  } catch (err) {
    return `Dawn failed to load (${(err as Error).message.split('\n')[0]})`;
  }
}

/** Dawn's OpenGL ES backend needs an EGL display; surfaceless needs no window system. */
export function prepareEnvironment(api: GraphicsApi): void {
  if (api === 'GLES') process.env.EGL_PLATFORM ??= 'surfaceless';
}

/** The adapter request for `api`: GLES adapters exist only in WebGPU's compatibility feature level. */
export function adapterOptions(api: GraphicsApi): AdapterRequest {
  return api === 'GLES' ? { powerPreference: 'high-performance', featureLevel: 'compatibility' } : { powerPreference: 'high-performance' };
}


interface ChildAttempt {
  api: GraphicsApi;
  info?: AdapterInfoFields;
  error?: string;
  vulkanLoader?: string;
}

/**
 * Runs in the child (its source is sent with `node -e`, so it must use nothing from outside):
 * requests one adapter per API and prints them as JSON; a marker line on stderr before each
 * request lets the parent tell which API Dawn's messages are about.
 */
async function childProbe(binding: string, requests: Array<{ api: GraphicsApi; option: string; request: object }>): Promise<void> {
  const dawn = require(binding);
  const attempts: ChildAttempt[] = [];
  for (const { api, option, request } of requests) {
    process.stderr.write(`@@asl-run-probe ${api}\n`);
    const attempt: ChildAttempt = { api };
    if (api === 'Vulkan' && process.platform === 'linux') {
      // Dawn is silent when the Vulkan loader itself is missing; dlopen says so plainly.
      try {
        process.dlopen({ exports: {} }, 'libvulkan.so.1');
      } catch (err) {
        if (/cannot open shared object/.test(String((err as Error).message))) attempt.vulkanLoader = 'libvulkan.so.1 not found (install the Vulkan loader, e.g. libvulkan1)';
      }
    }
    try {
      const adapter = await dawn.create([`backend=${option}`]).requestAdapter(request);
      if (adapter) {
        const { vendor, architecture, device, description, isFallbackAdapter } = adapter.info;
        attempt.info = { vendor, architecture, device, description, isFallbackAdapter };
      }
    } catch (err) {
      attempt.error = String((err as Error).message).split('\n')[0];
    }
    attempts.push(attempt);
  }
  process.stdout.write(JSON.stringify(attempts));
}

/** Dawn's and the driver's messages per API, from the child's stderr: `Warning: X - While …` kept as `X`. */
function messagesByApi(stderr: string): Map<string, string[]> {
  const byApi = new Map<string, string[]>();
  let current: string[] = [];
  for (const line of stderr.split('\n')) {
    const marker = /^@@asl-run-probe (\S+)$/.exec(line);
    if (marker) byApi.set(marker[1], (current = []));
    else if (/^(Warning|Error): /.test(line)) current.push(line.replace(/^(Warning|Error): /, '').replace(/\.\s*$/, '').trim());
  }
  return byApi;
}

/** Asks a child process for an adapter through each API, in order. */
export function probeAdapters(apis: readonly GraphicsApi[], timeoutMs = 60_000): AdapterProbe[] | string {
  const binding = dawnBindingPath();
  if (!binding) return `the optional package '${DAWN_PACKAGE}' is not installed (npm install ${DAWN_PACKAGE})`;
  const requests = apis.map((api) => ({ api, option: DAWN_BACKEND_OPTION[api], request: adapterOptions(api) }));
  const env = { ...process.env, ...(apis.includes('GLES') && !process.env.EGL_PLATFORM ? { EGL_PLATFORM: 'surfaceless' } : {}) };
  const script = `(${childProbe.toString()})(${JSON.stringify(binding)}, ${JSON.stringify(requests)}).catch((e) => { console.error(e.message); process.exit(3); })`;
  const child = spawnSync(process.execPath, ['-e', script], { env, encoding: 'utf8', timeout: timeoutMs });
  let attempts: ChildAttempt[];
  try {
    attempts = JSON.parse(child.stdout) as ChildAttempt[];
  } catch {
    const said = child.error?.message ?? (child.stderr.trim().split('\n').pop() || `exit code ${child.status}, signal ${child.signal}`);
    return `the adapter probe failed (${said})`;
  }
  const messages = messagesByApi(child.stderr);
  return attempts.map(({ api, info, error, vulkanLoader }): AdapterProbe => {
    if (info) return { api, adapter: describeAdapterInfo(api, info) };
    const said = messages.get(api) ?? [];
    const reason = vulkanLoader ?? error ?? (said.length > 0 ? `Dawn: ${said.join('; ')}` : 'Dawn offered no adapter and gave no reason');
    return { api, reason };
  });
}
