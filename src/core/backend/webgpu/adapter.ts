/**
 * What a WebGPU adapter is, in the terms the backend line, `auto` and `doctor` need: which
 * graphics API Dawn drives it through, who made it, and whether it is a software rasteriser.
 * Pure functions of the adapters' info, and the choice among them, so that selection can be
 * tested without a GPU.
 */

/** The graphics API under Dawn. The first three are each platform's native one; GLES is Dawn's compatibility path. */
export type GraphicsApi = 'Vulkan' | 'Metal' | 'D3D12' | 'GLES';

/** The fields of GPUAdapterInfo we read (every one is a string, possibly empty, in Dawn). */
export interface AdapterInfoFields {
  vendor?: string;
  architecture?: string;
  device?: string;
  description?: string;
  isFallbackAdapter?: boolean;
}

export interface AdapterDescription {
  api: GraphicsApi;
  vendor: string;
  architecture: string;
  device: string;
  description: string;
  /** A CPU implementation (llvmpipe, lavapipe, SwiftShader, WARP…): slower than our wasm kernels. */
  software: boolean;
}

/** Dawn option that selects each API (`create([...])`). */
export const DAWN_BACKEND_OPTION: Record<GraphicsApi, string> = { Vulkan: 'vulkan', Metal: 'metal', D3D12: 'd3d12', GLES: 'opengles' };

/** The platform's native WebGPU API, which `auto` considers; undefined where Dawn has none. */
export function nativeApi(platform: NodeJS.Platform = process.platform): GraphicsApi | undefined {
  return ({ linux: 'Vulkan', darwin: 'Metal', win32: 'D3D12' } as Partial<Record<NodeJS.Platform, GraphicsApi>>)[platform];
}

/**
 * CPU renderers by name. Dawn's GLES adapter on llvmpipe reports neither `isFallbackAdapter` nor an
 * architecture, so the name is the only sign there; lavapipe says `architecture: 'software'`.
 */
const SOFTWARE_NAMES = /llvmpipe|lavapipe|softpipe|swiftshader|microsoft basic render|\bwarp\b/i;

export function describeAdapterInfo(api: GraphicsApi, info: AdapterInfoFields): AdapterDescription {
  const text = (value: string | undefined) => (value ?? '').trim();
  const fields = { vendor: text(info.vendor), architecture: text(info.architecture), device: text(info.device), description: text(info.description) };
  const software =
    info.isFallbackAdapter === true ||
    fields.architecture.toLowerCase() === 'software' ||
    SOFTWARE_NAMES.test(`${fields.vendor} ${fields.device} ${fields.description}`);
  return { api, ...fields, software };
}

/** `Vulkan, nvidia ampere, NVIDIA GeForce RTX 3090 (NVIDIA 550.54), hardware` for the backend line. */
export function formatAdapter(adapter: AdapterDescription): string {
  const maker = [adapter.vendor, adapter.architecture].filter(Boolean).join(' ');
  const name = adapter.device || adapter.description || 'unnamed adapter';
  const detail = adapter.description && adapter.description !== name ? ` (${adapter.description})` : '';
  return `${adapter.api}, ${maker ? `${maker}, ` : ''}${name}${detail}, ${adapter.software ? 'software' : 'hardware'}`;
}

/** What the probe found for one API: its adapter, or why there is none. */
export interface AdapterProbe {
  api: GraphicsApi;
  adapter?: AdapterDescription;
  /** Why there is none: what Dawn (or the loader) said, in one line. */
  reason?: string;
}

/** Which adapters a request accepts: `auto` only a native-API hardware one; `webgpu` any, native first. */
export type AdapterPolicy = 'hardware-only' | 'any';

/**
 * The APIs tried, in order: the platform's native one, then on Linux (where Mesa provides it, and
 * the only place it was tried) Dawn's OpenGL ES backend. A GLES adapter runs WebGPU in
 * compatibility mode; `auto` keeps to full WebGPU on a native API.
 */
export function candidateApis(policy: AdapterPolicy, platform: NodeJS.Platform = process.platform): GraphicsApi[] {
  const native = nativeApi(platform);
  const apis: GraphicsApi[] = native ? [native] : [];
  if (policy === 'any' && platform === 'linux') apis.push('GLES');
  return apis;
}

/**
 * The first acceptable adapter, or one line saying why there is none: per API, the adapter that
 * was passed over or the reason Dawn gave.
 */
export function chooseAdapter(probes: readonly AdapterProbe[], policy: AdapterPolicy): AdapterDescription | string {
  const chosen = probes.find((probe) => probe.adapter && (policy === 'any' || !probe.adapter.software));
  if (chosen?.adapter) return chosen.adapter;
  if (probes.length === 0) return `Dawn has no WebGPU API on ${process.platform}`;
  return probes
    .map(({ api, adapter, reason }) => (adapter ? `${api}: software adapter ${adapter.device || adapter.description} (not used by auto)` : `${api}: ${reason}`))
    .join('; ');
}
