/**
 * `asl-run doctor` on a tiny reference CNN: every backend is accounted for (loaded, or why not),
 * each loaded one's loss and gradients agree with wasm's, and its speed is reported; bad options
 * are one-line usage errors.
 */
import { cli } from './run-cli';
import type { DoctorReport } from '../../src/cli/commands/doctor';
import { compare } from '../../src/cli/commands/doctor-checks';

describe('asl-run doctor', () => {
  it('reports every backend, and on each loaded one the reference CNN against wasm and its images/s', () => {
    const r = cli(['doctor', '--json', '--batch-size', '2', '--image-size', '8', '--seconds', '0.05']);
    expect(r.status).toBe(0);
    const report = JSON.parse(r.stdout) as DoctorReport;
    expect(report.backends.map((b) => b.backend)).toEqual(['tensorflow', 'webgpu', 'wasm', 'cpu']);
    for (const b of report.backends) expect(b.detail).not.toBe('');
    const loaded = report.backends.filter((b) => b.loaded).map((b) => b.backend);
    expect(loaded).toEqual(expect.arrayContaining(['wasm', 'cpu']));
    expect(report.failures).toEqual([]);
    expect(report.parity.map((p) => p.backend).sort()).toEqual([...loaded].sort());
    for (const p of report.parity) {
      // float32 convolutions summed in another order: the tensorflow parity test's bound.
      expect(p.lossRelDiff).toBeLessThan(1e-4);
      expect(p.gradientRelDiff).toBeLessThan(1e-4);
    }
    for (const s of report.speed) expect(s.imagesPerSecond).toBeGreaterThan(0);
    expect(r.stderr).not.toMatch(/tensors left allocated/);
  });

  it('rejects a bad workload size with one usage line', () => {
    const r = cli(['doctor', '--batch-size', '0']);
    expect(r.status).toBe(2);
    expect(r.stderr.trim()).toBe('asl-run: --batch-size: expected an integer >= 1, got 0');
  });
});

describe('the parity measure', () => {
  it('is each gradient tensor’s largest difference over its largest reference value', () => {
    const reference = { loss: 2, gradients: [Float32Array.of(1, -4, 0.5), Float32Array.of(0.01, 0)] };
    const result = { loss: 2.002, gradients: [Float32Array.of(1.02, -4, 0.5), Float32Array.of(0.01, 0.0001)] };
    const p = compare('cpu', result, reference);
    expect(p.lossRelDiff).toBeCloseTo(0.001, 6);
    // 0.02 / 4 for the first tensor, 0.0001 / 0.01 for the second.
    expect(p.gradientRelDiff).toBeCloseTo(0.01, 6);
  });
});
