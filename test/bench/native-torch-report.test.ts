/**
 * Figure 1's tensorflow row against PyTorch: the printed line and the results field, from a
 * hand-made result (the measurement itself needs tfjs-node and PyTorch, see docs/gpu.md).
 */
import { formatReport, targetChecks } from '../../src/bench/report';
import type { SuiteResults } from '../../src/bench/suite';
import type { ThroughputResult } from '../../src/bench/throughput';

function results(throughput: ThroughputResult): SuiteResults {
  return {
    mode: 'quick',
    startedAt: '2026-12-07T00:00:00.000Z',
    seconds: 60,
    machine: { cpuModel: 'cpu', cores: 2, totalMemoryMB: 1024, platform: 'linux x64', node: 'v20', tfjs: '4.22.0', backend: { name: 'wasm', detail: 'wasm' } },
    tfjs_over_torch: 'tfjsOverTorch' in throughput.torch ? throughput.torch.tfjsOverTorch : null,
    tensorflow_over_torch: 'tfjsOverTorch' in throughput.nativeTorch ? throughput.nativeTorch.tfjsOverTorch : null,
    asl_over_bce: null,
    throughput,
    lossStep: null,
    detection: null,
    pipeline: null,
    tasks: null,
    memory: null,
  };
}

const rate = (imagesPerSecond: number) => ({ batchSize: 32, stepMs: [32_000 / imagesPerSecond], imagesPerSecond });
const backends = [
  { backend: 'wasm', detail: 'wasm, 2 threads', threads: 2, referenceCnn: rate(700), multiLabel: rate(300) },
  { backend: 'tensorflow', detail: 'tfjs-node, TensorFlow 2.21.0, CPU', referenceCnn: rate(900), multiLabel: rate(250) },
];

test('the tensorflow / PyTorch ratio of the same run is printed under the table', () => {
  const r = results({
    backends,
    unavailable: [],
    torch: { torchVersion: '1.13.0', threads: 2, tfjsBackend: 'wasm', tfjsThreads: 2, tfjsImagesPerSecond: [700, 720], torchImagesPerSecond: [1400, 1380], tfjsOverTorch: 0.51 },
    nativeTorch: { torchVersion: '1.13.0', threads: 2, tfjsBackend: 'tensorflow', tfjsImagesPerSecond: [900, 880, 910], torchImagesPerSecond: [1400, 1390, 1410], tfjsOverTorch: 0.643 },
  });
  const report = formatReport(r, targetChecks(r));
  expect(report).toContain('tfjs-node, TensorFlow 2.21.0, CPU  900.0 (1 steps)');
  expect(report).toContain('  tensorflow / PyTorch 1.13.0 CPU (2 threads), reference CNN: 0.643 (median of 3 alternating rounds; 900.0 vs 1400.0 images/s)');
  expect(r.tensorflow_over_torch).toBe(0.643);
});

test('says why the ratio is missing when tensorflow was measured without PyTorch, and nothing when tensorflow did not load', () => {
  const absent = { absent: 'python3 -c "import torch" failed' };
  const withNative = results({ backends, unavailable: [], torch: absent, nativeTorch: absent });
  expect(formatReport(withNative, targetChecks(withNative))).toContain('  tensorflow / PyTorch: not measured — python3 -c "import torch" failed');
  expect(withNative.tensorflow_over_torch).toBeNull();
  const withoutNative = results({ backends: backends.slice(0, 1), unavailable: [{ backend: 'tensorflow', reason: 'not available' }], torch: absent, nativeTorch: { absent: 'the tensorflow backend was not measured' } });
  expect(formatReport(withoutNative, targetChecks(withoutNative))).not.toContain('tensorflow / PyTorch');
});
