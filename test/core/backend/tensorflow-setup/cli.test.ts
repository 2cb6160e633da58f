/**
 * `asl-run setup tensorflow` through the built CLI: each missing piece is one line on stderr, a
 * non-zero exit, nothing on stdout and no installation left behind; command-line mistakes exit 2.
 * (A full setup downloads ~270 MB and builds for about a minute: test/backend-parity covers an
 * installation where one exists, and docs/gpu.md gives the measured run.)
 */
import * as fs from 'fs';
import * as path from 'path';
import { cli, tmpDir } from '../../../cli/run-cli';
import { findExecutable } from '../../../../src/core/backend/tensorflow-setup/tools';

/** A PATH folder with links to the real programs named, and nothing else. */
function pathWith(names: string[]): string {
  const bin = tmpDir('asl-setup-path-');
  for (const name of names) {
    const real = findExecutable(name);
    if (real) fs.symlinkSync(real, path.join(bin, name));
  }
  return bin;
}

function expectOneLineFailure(r: ReturnType<typeof cli>, status: number, line: string | RegExp): void {
  expect({ status: r.status, stdout: r.stdout }).toEqual({ status, stdout: '' });
  const lines = r.stderr.trim().split('\n');
  expect(lines).toHaveLength(1);
  if (typeof line === 'string') expect(lines[0]).toBe(line);
  else expect(lines[0]).toMatch(line);
}

describe('asl-run setup tensorflow: missing pieces', () => {
  it('no Python: names the --python given', () => {
    const dir = tmpDir('asl-setup-');
    const r = cli(['setup', 'tensorflow', '--python', '/nonexistent/python9', '--dir', dir]);
    expectOneLineFailure(r, 1, "asl-run: setup tensorflow: no Python 3 (pip downloads the wheel, node-gyp needs it): '/nonexistent/python9' is not an executable file (install python3 with pip, or pass --python PATH)");
    expect(fs.readdirSync(dir)).toEqual([]);
  });

  it('no C++ compiler on PATH', () => {
    const dir = tmpDir('asl-setup-');
    const r = cli(['setup', 'tensorflow', '--dir', dir], { env: { PATH: pathWith(['python3', 'make', 'npm', 'tar']), CXX: '' } });
    expectOneLineFailure(r, 1, "asl-run: setup tensorflow: no C++ compiler: 'g++' is not on PATH (install g++ (Debian: apt-get install g++ make), or set CXX)");
    expect(fs.readdirSync(dir)).toEqual([]);
  });

  it('no such wheel', () => {
    const dir = tmpDir('asl-setup-');
    const wheel = path.join(dir, 'tensorflow_cpu-2.21.0-cp311-cp311-manylinux_2_27_x86_64.whl');
    const r = cli(['setup', 'tensorflow', '--wheel', wheel, '--dir', dir]);
    expectOneLineFailure(r, 1, `asl-run: --wheel ${wheel}: no such file`);
    expect(fs.readdirSync(dir)).toEqual([]);
  });

  it('a wheel that is not TensorFlow', () => {
    const dir = tmpDir('asl-setup-');
    const wheel = path.join(dir, 'numpy-2.0.0-cp311-cp311-manylinux_2_17_x86_64.whl');
    fs.writeFileSync(wheel, '');
    const r = cli(['setup', 'tensorflow', '--wheel', wheel, '--dir', dir]);
    expectOneLineFailure(r, 1, `asl-run: --wheel ${wheel}: not a TensorFlow wheel (expected tensorflow(_cpu)-<version>-<tags>.whl)`);
  });

  it('a damaged installation record: one line naming it; --force goes past it', () => {
    const dir = tmpDir('asl-setup-');
    const record = path.join(dir, 'installed', 'setup.json');
    fs.mkdirSync(path.dirname(record), { recursive: true });
    fs.writeFileSync(record, '{"tensorflowVersion":');
    expectOneLineFailure(cli(['setup', 'tensorflow', '--dir', dir]), 1, new RegExp(`^asl-run: ${record}: not valid JSON .*; run asl-run setup tensorflow --force$`));
    expectOneLineFailure(cli(['setup', 'tensorflow', '--dir', dir, '--force', '--python', '/nonexistent/python9']), 1, /^asl-run: setup tensorflow: no Python 3 /);
    expect(fs.readFileSync(record, 'utf8')).toBe('{"tensorflowVersion":');
  });

  it('--wheel with --package, and an unknown component, are usage errors (exit 2)', () => {
    expectOneLineFailure(cli(['setup', 'tensorflow', '--wheel', 'x.whl', '--package', 'tensorflow']), 2, /^asl-run: Arguments wheel and package are mutually exclusive$/);
    expectOneLineFailure(cli(['setup', 'pytorch']), 2, "asl-run: setup: unknown component 'pytorch' (choose tensorflow)");
  });
});
