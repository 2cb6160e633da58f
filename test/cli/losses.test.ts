import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { cli, ROOT } from './run-cli';

describe('asl-run losses', () => {
  it('lists every built-in with kind and defaults, and plugins with their file', () => {
    const plugin = path.join(ROOT, 'examples/plugins/poly-loss.js');
    const r = cli(['losses', '--json', '--backend', 'cpu', '--plugin', plugin]);
    expect(r.stderr).toContain('asl-run: backend cpu');
    expect(r.status).toBe(0);
    const rows = JSON.parse(r.stdout) as { name: string; kind: string; defaults: Record<string, unknown>; source: string }[];
    const byName = Object.fromEntries(rows.map((row) => [row.name, row]));
    expect(Object.keys(byName).sort()).toEqual(['asl', 'asl-optimized', 'asl-single-label', 'bce', 'ce', 'focal', 'focal-softmax', 'poly-bce']);
    expect(byName.asl).toMatchObject({ kind: 'sigmoid', defaults: { gammaNeg: 4, gammaPos: 1, clip: 0.05, eps: 1e-8, detachFocusing: true } });
    expect(byName['asl-optimized'].defaults.detachFocusing).toBe(false);
    expect(byName['asl-single-label']).toMatchObject({ kind: 'softmax', defaults: { gammaPos: 0, gammaNeg: 4, eps: 0.1 } });
    expect(byName['poly-bce'].source).toBe(plugin);
  });

  it('fails with one line naming a broken plugin file', () => {
    const r = cli(['losses', '--backend', 'cpu', '--plugin', 'no/such/plugin.js']);
    expect(r.status).toBe(1);
    expect(r.stderr.trim().split('\n').pop()).toBe('asl-run: plugin no/such/plugin.js: cannot load (file not found)');
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('rejects an unknown backend and an unknown command with a usage error', () => {
    expect(cli(['losses', '--backend', 'gpu']).status).toBe(2);
    const r = cli(['frobnicate', '--backend', 'cpu']);
    expect(r.status).toBe(2);
    expect(r.stderr.trim()).toBe("asl-run: unknown command 'frobnicate' (see asl-run --help)");
    const data = cli(['data', 'pytorch']);
    expect(data.status).toBe(2);
    expect(data.stderr.trim()).toBe("asl-run: data: unknown command 'pytorch' (choose list or make)");
  });

  it('runs the wasm backend with the threads asked for, exits when done, and rejects a bad count', () => {
    const threaded = cli(['losses', '--backend', 'wasm', '--threads', '2']);
    expect(threaded.status).toBe(0);
    expect(threaded.stderr).toMatch(/asl-run: backend wasm \(@tensorflow\/tfjs-backend-wasm \(SIMD, 2 threads, conv GEMM (FMA|mul\+add); tfjs 4\.22\.0 checked\)\)/);
    const bad = cli(['losses', '--backend', 'wasm', '--threads', '0']);
    expect(bad.status).toBe(2);
    expect(bad.stderr.trim()).toBe("asl-run: --threads: expected 'auto' or an integer from 1 to 8, got '0'");
  });

  it('rejects an unknown or malformed training flag before anything runs', () => {
    const out = path.join(os.tmpdir(), `asl-run-never-${process.pid}`);
    const unknown = cli(['--task', 'detection', '--options', '{}', '--out', out, '--backend', 'cpu']);
    expect(unknown.status).toBe(2);
    expect(unknown.stderr.trim()).toBe("asl-run: --options: unknown option (the command's --help lists the known ones)");
    const malformed = cli(['--task', 'detection', '--task-options', '{"strides":', '--out', out, '--backend', 'cpu']);
    expect(malformed.status).toBe(1);
    expect(malformed.stderr.trim().split('\n').pop()).toBe('asl-run: --task-options: malformed JSON at line 1, column 12: unexpected end of file');
    const invalidChoice = cli(['losses', '--backend', 'gpu']);
    expect(invalidChoice.stderr.trim().split('\n')).toHaveLength(1);
    const invalidOption = cli(['--task', 'detection', '--task-options', '{"levelBoundz":[16]}', '--out', out, '--backend', 'cpu']);
    expect(invalidOption.status).toBe(1);
    expect(invalidOption.stderr.trim().split('\n').pop()).toMatch(/^asl-run: --task-options: unknown option 'taskOptions\.levelBoundz' \(known under 'taskOptions': head, strides, levelBounds, /);
    expect(fs.existsSync(out)).toBe(false);
  });
});
