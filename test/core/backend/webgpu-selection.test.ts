/**
 * WebGPU adapter selection without a GPU: adapter descriptions from the info real adapters report,
 * which APIs are tried, what `auto` and `--backend webgpu` accept, and the one-line error when no
 * adapter is usable (the adapter probe is replaced by one returning injected results).
 */
import { candidateApis, chooseAdapter, describeAdapterInfo, formatAdapter, type AdapterDescription, type AdapterProbe } from '../../../src/core/backend/webgpu/adapter';

const mockProbe = jest.fn<AdapterProbe[] | string, unknown[]>();
jest.mock('../../../src/core/backend/webgpu/dawn', () => ({
  ...jest.requireActual('../../../src/core/backend/webgpu/dawn'),
  probeAdapters: (...args: unknown[]) => mockProbe(...args),
}));

// Imported after the mock is declared (jest hoists jest.mock above the imports).
import { initBackend } from '../../../src/core/backend/init';
import { dawnBindingPath } from '../../../src/core/backend/webgpu/dawn';

/** GPUAdapterInfo as Dawn reported it for each. */
const GLES_LLVMPIPE = { vendor: '', architecture: '', device: 'llvmpipe-llvm-15-0-6-256-bits-', description: 'OpenGL version OpenGL ES 3.2 Mesa 22.3.6', isFallbackAdapter: false };
const LAVAPIPE = { vendor: 'mesa', architecture: 'software', device: 'llvmpipe (LLVM 19.1.7, 256 bits)', description: 'Mesa 25.0.7', isFallbackAdapter: true };
const NVIDIA = { vendor: 'nvidia', architecture: 'ampere', device: 'NVIDIA GeForce RTX 3090', description: 'NVIDIA: 550.54.14', isFallbackAdapter: false };
const SWIFTSHADER = { vendor: 'google', architecture: '', device: 'swiftshader-device-(subzero)-(llvm-10.0.0)', description: 'SwiftShader driver', isFallbackAdapter: false };
const WARP = { vendor: 'microsoft', architecture: '', device: 'Microsoft Basic Render Driver', description: '', isFallbackAdapter: false };

describe('adapter descriptions', () => {
  it('counts CPU renderers as software whether or not Dawn flags them as fallback', () => {
    expect(describeAdapterInfo('GLES', GLES_LLVMPIPE).software).toBe(true);
    expect(describeAdapterInfo('Vulkan', LAVAPIPE).software).toBe(true);
    expect(describeAdapterInfo('Vulkan', SWIFTSHADER).software).toBe(true);
    expect(describeAdapterInfo('D3D12', WARP).software).toBe(true);
    expect(describeAdapterInfo('Vulkan', NVIDIA).software).toBe(false);
    expect(describeAdapterInfo('Metal', { vendor: 'apple', architecture: 'common-3', device: '', description: 'Apple M2' }).software).toBe(false);
  });

  it('names the API, maker, device, driver and whether it is software', () => {
    expect(formatAdapter(describeAdapterInfo('Vulkan', NVIDIA))).toBe('Vulkan, nvidia ampere, NVIDIA GeForce RTX 3090 (NVIDIA: 550.54.14), hardware');
    expect(formatAdapter(describeAdapterInfo('GLES', GLES_LLVMPIPE))).toBe('GLES, llvmpipe-llvm-15-0-6-256-bits- (OpenGL version OpenGL ES 3.2 Mesa 22.3.6), software');
    expect(formatAdapter(describeAdapterInfo('Metal', { description: 'Apple M2' }))).toBe('Metal, Apple M2, hardware');
    expect(formatAdapter(describeAdapterInfo('D3D12', {}))).toBe('D3D12, unnamed adapter, hardware');
  });
});

describe('which APIs are tried', () => {
  it('tries the native API, and Dawn OpenGL ES on Linux only when software is acceptable', () => {
    expect(candidateApis('any', 'linux')).toEqual(['Vulkan', 'GLES']);
    expect(candidateApis('hardware-only', 'linux')).toEqual(['Vulkan']);
    expect(candidateApis('any', 'darwin')).toEqual(['Metal']);
    expect(candidateApis('any', 'win32')).toEqual(['D3D12']);
    expect(candidateApis('any', 'freebsd')).toEqual([]);
  });
});

describe('choosing an adapter', () => {
  const adapter = (api: AdapterProbe['api'], info: object): AdapterProbe => ({ api, adapter: describeAdapterInfo(api, info) });

  it('never lets auto take a software adapter, and says which one it passed over', () => {
    const chosen = chooseAdapter([adapter('Vulkan', LAVAPIPE)], 'hardware-only');
    expect(chosen).toBe('Vulkan: software adapter llvmpipe (LLVM 19.1.7, 256 bits) (not used by auto)');
  });

  it('takes a hardware adapter for auto', () => {
    expect((chosen(chooseAdapter([adapter('Vulkan', NVIDIA)], 'hardware-only'))).device).toBe('NVIDIA GeForce RTX 3090');
  });

  it('takes the first adapter of any kind for --backend webgpu, native API first', () => {
    expect(chosen(chooseAdapter([adapter('Vulkan', LAVAPIPE), adapter('GLES', GLES_LLVMPIPE)], 'any')).api).toBe('Vulkan');
    expect(chosen(chooseAdapter([{ api: 'Vulkan', reason: 'Dawn: rejected' }, adapter('GLES', GLES_LLVMPIPE)], 'any')).api).toBe('GLES');
  });

  it('without any adapter gives every API’s reason on one line', () => {
    const reasons = chooseAdapter([{ api: 'Vulkan', reason: 'libvulkan.so.1 not found (install the Vulkan loader, e.g. libvulkan1)' }, { api: 'GLES', reason: 'Dawn: eglInitialize failed with EGL_NOT_INITIALIZED' }], 'any');
    expect(reasons).toBe('Vulkan: libvulkan.so.1 not found (install the Vulkan loader, e.g. libvulkan1); GLES: Dawn: eglInitialize failed with EGL_NOT_INITIALIZED');
  });

  function chosen(result: AdapterDescription | string): AdapterDescription {
    if (typeof result === 'string') throw new Error(`expected an adapter, got: ${result}`);
    return result;
  }
});

describe('initBackend with the probe injected', () => {
  afterEach(() => mockProbe.mockReset());

  it('--backend webgpu without a usable adapter stops with one line naming each reason', async () => {
    mockProbe.mockReturnValue([
      { api: 'Vulkan', reason: 'Dawn: Vulkan shaderUniform*ArrayDynamicIndexing required' },
      { api: 'GLES', reason: 'Dawn: eglInitialize failed with EGL_NOT_INITIALIZED' },
    ]);
    const failure = await initBackend('webgpu').then(() => 'resolved', (err: Error) => err.message);
    // Without the optional package, loading Dawn fails before any probe.
    const expected = dawnBindingPath()
      ? '--backend webgpu: no usable adapter (Vulkan: Dawn: Vulkan shaderUniform*ArrayDynamicIndexing required; GLES: Dawn: eglInitialize failed with EGL_NOT_INITIALIZED'
      : "--backend webgpu: no usable adapter (the optional package 'webgpu@0.6.2' is not installed (npm install webgpu@0.6.2))";
    // On a machine with an NVIDIA device a hint about its Vulkan driver follows the reasons.
    expect(failure.startsWith(expected)).toBe(true);
    expect(failure).not.toContain('\n');
  });

  it('auto falls back to a CPU backend when the only adapters are software ones', async () => {
    mockProbe.mockReturnValue([{ api: 'Vulkan', adapter: describeAdapterInfo('Vulkan', LAVAPIPE) }]);
    const info = await initBackend('auto');
    expect(info.name).not.toBe('webgpu');
    expect(info.adapter).toBeUndefined();
  });
});
