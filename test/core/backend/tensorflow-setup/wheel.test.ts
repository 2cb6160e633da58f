/**
 * The wheel step on tiny fake wheels (zip files written by Python's zipfile, as pip's wheels are read):
 * only the libraries and the headers reachable from the roots are extracted, and each missing piece
 * stops the setup with one line naming the wheel and what it lacks.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { downloadWheel, extractWheel, givenWheel, parseWheelName, WHEEL_LIBRARIES } from '../../../../src/core/backend/tensorflow-setup/wheel';
import type { ToolRunner } from '../../../../src/core/backend/tensorflow-setup/tools';

const WHEEL = 'tensorflow_cpu-2.21.0-cp311-cp311-manylinux_2_27_x86_64.whl';
let dir: string;

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'asl-wheel-'));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

/** Writes a zip holding `members` (name → text) with Python's zipfile. */
function writeZip(file: string, members: Record<string, string>): string {
  const script = 'import json, sys, zipfile\nwith zipfile.ZipFile(sys.argv[1], "w", zipfile.ZIP_DEFLATED) as z:\n    for k, v in json.loads(sys.argv[2]).items(): z.writestr(k, v)';
  const result = spawnSync('python3', ['-c', script, file, JSON.stringify(members)], { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`writing the fake wheel failed: ${result.stderr}`);
  return file;
}

const LIBS = Object.fromEntries(WHEEL_LIBRARIES.map((lib) => [`tensorflow/${lib}`, `bytes of ${lib}`]));
const HEADERS = {
  'tensorflow/include/tensorflow/c/c_api.h': '#include <stddef.h>\n#include "tensorflow/c/tf_status.h"\n  #  include "tsl/platform/ctstring.h"\n',
  'tensorflow/include/tensorflow/c/tf_status.h': '#include "tensorflow/c/c_api_macros.h"\n#include "not/in/the/wheel.h"\n',
  'tensorflow/include/tensorflow/c/c_api_macros.h': '#define TF_CAPI_EXPORT\n',
  'tensorflow/include/tsl/platform/ctstring.h': '#include "tensorflow/c/tf_status.h"\n',
  'tensorflow/include/tensorflow/core/unrelated.h': 'not reachable from the roots',
};

describe('parseWheelName', () => {
  it('reads the distribution and version of CPU and GPU wheels', () => {
    expect(parseWheelName(`/x/${WHEEL}`)).toEqual({ file: `/x/${WHEEL}`, distribution: 'tensorflow_cpu', version: '2.21.0' });
    expect(parseWheelName('tensorflow-2.20.0rc1-cp312-cp312-manylinux_2_17_x86_64.manylinux2014_x86_64.whl')).toMatchObject({ distribution: 'tensorflow', version: '2.20.0rc1' });
  });

  it('refuses other files and TensorFlow 1.x, naming the file', () => {
    expect(() => parseWheelName('numpy-2.0.0-cp311-cp311-linux_x86_64.whl')).toThrow(/^--wheel numpy-2\.0\.0-cp311-cp311-linux_x86_64\.whl: not a TensorFlow wheel/);
    expect(() => parseWheelName('tensorflow-1.15.0-cp37-cp37m-manylinux2010_x86_64.whl')).toThrow(/TensorFlow 1\.15\.0; the addon needs TensorFlow 2\.x/);
  });

  it('givenWheel names a file that is not there', () => {
    expect(() => givenWheel(path.join(dir, WHEEL))).toThrow(`--wheel ${path.join(dir, WHEEL)}: no such file`);
  });
});

describe('extractWheel', () => {
  it('copies the two libraries and exactly the headers reachable from the roots, byte for byte', () => {
    const wheel = writeZip(path.join(dir, WHEEL), { ...LIBS, ...HEADERS });
    const deps = path.join(dir, 'deps');
    const extracted = extractWheel('python3', wheel, deps, ['tensorflow/c/c_api.h']);
    const expected = ['tensorflow/c/c_api.h', 'tensorflow/c/c_api_macros.h', 'tensorflow/c/tf_status.h', 'tsl/platform/ctstring.h'];
    expect(extracted).toEqual({ headers: expected, libraries: [...WHEEL_LIBRARIES] });
    for (const header of expected) expect(fs.readFileSync(path.join(deps, 'include', header), 'utf8')).toBe(HEADERS[`tensorflow/include/${header}` as keyof typeof HEADERS]);
    expect(fs.existsSync(path.join(deps, 'include', 'tensorflow/core/unrelated.h'))).toBe(false);
    for (const lib of WHEEL_LIBRARIES) expect(fs.readFileSync(path.join(deps, 'lib', lib), 'utf8')).toBe(`bytes of ${lib}`);
  });

  it('names the library a wheel lacks (a wheel without the C API)', () => {
    const wheel = writeZip(path.join(dir, WHEEL), { 'tensorflow/libtensorflow_framework.so.2': 'x', ...HEADERS });
    expect(() => extractWheel('python3', wheel, path.join(dir, 'deps'), ['tensorflow/c/c_api.h'])).toThrow(
      `setup tensorflow: ${wheel}: the wheel has no tensorflow/libtensorflow_cc.so.2: not a TensorFlow 2.x wheel with the C API`,
    );
    expect(fs.existsSync(path.join(dir, 'deps'))).toBe(false);
  });

  it('names a root header the wheel lacks', () => {
    const wheel = writeZip(path.join(dir, WHEEL), { ...LIBS, ...HEADERS });
    expect(() => extractWheel('python3', wheel, path.join(dir, 'deps'), ['tensorflow/c/eager/c_api.h'])).toThrow(
      `setup tensorflow: ${wheel}: the wheel has no header tensorflow/c/eager/c_api.h (looked in tensorflow/include/)`,
    );
  });

  it('says a file that is not a zip is no readable wheel', () => {
    const wheel = path.join(dir, WHEEL);
    fs.writeFileSync(wheel, 'not a zip');
    expect(() => extractWheel('python3', wheel, path.join(dir, 'deps'), ['tensorflow/c/c_api.h'])).toThrow(/^setup tensorflow: .*: not a readable wheel \(File is not a zip file\)$/);
  });
});

describe('downloadWheel', () => {
  it("passes pip's error line on when pip finds no wheel", () => {
    const calls: string[][] = [];
    const pip: ToolRunner = (command, args) => {
      calls.push([command, ...args]);
      return { status: 1, stdout: 'Looking in indexes: https://pypi.org/simple\n', stderr: 'ERROR: Could not find a version that satisfies the requirement tensorflow-cpu\nERROR: No matching distribution found for tensorflow-cpu\n' };
    };
    expect(() => downloadWheel('python3', 'tensorflow-cpu', path.join(dir, 'dl'), pip)).toThrow(
      "setup tensorflow: no wheel: 'python3 -m pip download tensorflow-cpu' failed (ERROR: Could not find a version that satisfies the requirement tensorflow-cpu); pass one with --wheel FILE",
    );
    expect(calls).toEqual([['python3', '-m', 'pip', 'download', '--no-deps', '--only-binary', ':all:', '--dest', path.join(dir, 'dl'), 'tensorflow-cpu']]);
  });

  it('returns the wheel pip saved', () => {
    const dest = path.join(dir, 'dl');
    const pip: ToolRunner = () => {
      fs.writeFileSync(path.join(dest, WHEEL), '');
      return { status: 0, stdout: `Saved ${WHEEL}\n`, stderr: '' };
    };
    expect(downloadWheel('python3', 'tensorflow-cpu', dest, pip)).toEqual({ file: path.join(dest, WHEEL), distribution: 'tensorflow_cpu', version: '2.21.0' });
  });
});
