/** Finding the programs the setup runs, and the one line that names the first one missing. */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { checkPrerequisites, failureLine, findExecutable, runTool } from '../../../../src/core/backend/tensorflow-setup/tools';

let bin: string;

/** A PATH folder with empty executables named `names` (and one plain file that is not executable). */
function fakeBin(names: string[]): string {
  for (const name of names) fs.writeFileSync(path.join(bin, name), '#!/bin/sh\n', { mode: 0o755 });
  fs.writeFileSync(path.join(bin, 'not-executable'), '', { mode: 0o644 });
  return bin;
}

beforeEach(() => {
  bin = fs.mkdtempSync(path.join(os.tmpdir(), 'asl-bin-'));
});
afterEach(() => fs.rmSync(bin, { recursive: true, force: true }));

const ALL = ['python3', 'g++', 'make', 'npm', 'tar'];

describe('findExecutable', () => {
  it('finds executables on the given PATH only, and takes a path as it is', () => {
    const searchPath = fakeBin(['make']);
    expect(findExecutable('make', `/nonexistent${path.delimiter}${searchPath}`)).toBe(path.join(bin, 'make'));
    expect(findExecutable('not-executable', searchPath)).toBeUndefined();
    expect(findExecutable('g++', searchPath)).toBeUndefined();
    expect(findExecutable(path.join(bin, 'make'), '')).toBe(path.join(bin, 'make'));
  });
});

describe('checkPrerequisites', () => {
  it('returns every program when all are there ($CXX picks the compiler)', () => {
    const searchPath = fakeBin([...ALL, 'clang++']);
    expect(checkPrerequisites('python3', searchPath, { CXX: 'clang++' })).toEqual({
      python: path.join(bin, 'python3'),
      compiler: path.join(bin, 'clang++'),
      make: path.join(bin, 'make'),
      npm: path.join(bin, 'npm'),
      tar: path.join(bin, 'tar'),
    });
  });

  it.each([
    ['g++', "setup tensorflow: no C++ compiler: 'g++' is not on PATH (install g++ (Debian: apt-get install g++ make), or set CXX)"],
    ['python3', "setup tensorflow: no Python 3 (pip downloads the wheel, node-gyp needs it): 'python3' is not on PATH (install python3 with pip, or pass --python PATH)"],
    ['make', "setup tensorflow: no make: 'make' is not on PATH (Debian: apt-get install make)"],
  ])('without %s: one line naming it', (missing, message) => {
    const searchPath = fakeBin(ALL.filter((n) => n !== missing));
    expect(() => checkPrerequisites('python3', searchPath, {})).toThrow(message);
  });

  it('names a --python that does not exist', () => {
    expect(() => checkPrerequisites('/nonexistent/python9', fakeBin(ALL), {})).toThrow("no Python 3 (pip downloads the wheel, node-gyp needs it): '/nonexistent/python9' is not an executable file");
  });
});

describe('runTool and failureLine', () => {
  it('reports a program that cannot start as status null, without throwing', () => {
    const result = runTool(path.join(bin, 'absent'), []);
    expect(result.status).toBeNull();
    expect(result.stderr).toMatch(/ENOENT/);
  });

  it('appends the command and its output to the log file', () => {
    const log = path.join(bin, 'build.log');
    const result = runTool('sh', ['-c', 'echo out; echo err >&2; exit 3'], { logFile: log });
    expect(result).toEqual({ status: 3, stdout: 'out\n', stderr: 'err\n' });
    expect(fs.readFileSync(log, 'utf8')).toBe("$ sh -c echo out; echo err >&2; exit 3\nout\nerr\n\n");
  });

  it('picks the first error line, else the last line', () => {
    expect(failureLine({ status: 2, stdout: 'make: Leaving directory\n', stderr: 'gyp info ok\n../a.cc:3:10: fatal error: c_api.h: No such file\nmake: *** Error 1\n' })).toBe(
      '../a.cc:3:10: fatal error: c_api.h: No such file',
    );
    expect(failureLine({ status: 1, stdout: '', stderr: 'npm ERR! 404 Not Found\n' })).toBe('npm ERR! 404 Not Found');
    expect(failureLine({ status: 1, stdout: 'last words\n', stderr: '' })).toBe('last words');
    expect(failureLine({ status: 7, stdout: '', stderr: '' })).toBe('exit 7');
  });
});
