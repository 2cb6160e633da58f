/**
 * The TensorFlow wheel: found (`--wheel`) or downloaded with pip, then only what tfjs-node's addon
 * needs is extracted from it: the two shared libraries that carry TensorFlow's C API and the headers
 * the addon includes, followed through their own includes (14 files for TF 2.21, of the wheel's
 * ~290 MB of headers). Python's zipfile reads the wheel: Python is needed anyway (pip, node-gyp).
 */
import * as fs from 'fs';
import * as path from 'path';
import { failureLine, runTool, type ToolRunner } from './tools';

/** The wheels whose `tensorflow/` folder holds libtensorflow_cc and the C API headers. */
export const WHEEL_PACKAGES = ['tensorflow-cpu', 'tensorflow'] as const;

/** The libraries the addon links: libtensorflow_cc exports the C API (TF_ and TFE_ functions), the framework the rest. */
export const WHEEL_LIBRARIES = ['libtensorflow_cc.so.2', 'libtensorflow_framework.so.2'] as const;

/** A wheel file name: distribution-version(-build)?-python-abi-platform.whl (PEP 427). */
const WHEEL_NAME = /^(tensorflow(?:_cpu)?)-(\d+\.\d+\.\d+[^-]*)-(?:\d[^-]*-)?[^-]+-[^-]+-[^-]+\.whl$/;

export interface WheelInfo {
  file: string;
  /** tensorflow or tensorflow_cpu. */
  distribution: string;
  version: string;
}

/** Reads the distribution and version from a wheel's file name; throws naming the file when it is no TensorFlow 2.x wheel. */
export function parseWheelName(file: string): WheelInfo {
  const match = WHEEL_NAME.exec(path.basename(file));
  if (!match) throw new Error(`--wheel ${file}: not a TensorFlow wheel (expected tensorflow(_cpu)-<version>-<tags>.whl)`);
  const [, distribution, version] = match;
  if (!version.startsWith('2.')) throw new Error(`--wheel ${file}: TensorFlow ${version}; the addon needs TensorFlow 2.x's C API`);
  return { file: path.resolve(file), distribution, version };
}

/** The wheel given with `--wheel`, checked to exist. */
export function givenWheel(file: string): WheelInfo {
  if (!fs.existsSync(file)) throw new Error(`--wheel ${file}: no such file`);
  return parseWheelName(file);
}

/** Downloads the wheel of `distribution` for this Python with pip into `dest`; throws one line when pip finds none. */
export function downloadWheel(python: string, distribution: string, dest: string, run: ToolRunner = runTool): WheelInfo {
  fs.mkdirSync(dest, { recursive: true });
  const result = run(python, ['-m', 'pip', 'download', '--no-deps', '--only-binary', ':all:', '--dest', dest, distribution]);
  const wheels = fs.existsSync(dest) ? fs.readdirSync(dest).filter((f) => f.endsWith('.whl')) : [];
  if (result.status !== 0 || wheels.length === 0) {
    const reason = failureLine(result);
    throw new Error(`setup tensorflow: no wheel: '${python} -m pip download ${distribution}' failed (${reason}); pass one with --wheel FILE`);
  }
  return parseWheelName(path.join(dest, wheels[0]));
}

export interface ExtractedWheel {
  /** Include-relative paths of the headers copied. */
  headers: string[];
  libraries: string[];
}

/**
 * Copies the libraries into `<depsDir>/lib` and the headers reachable from `rootHeaders` (by their
 * `#include "…"` lines) into `<depsDir>/include`. Throws one line naming the wheel and the missing
 * member when a library or a root header is absent.
 */
export function extractWheel(python: string, wheel: string, depsDir: string, rootHeaders: string[], run: ToolRunner = runTool): ExtractedWheel {
  const request = JSON.stringify({ wheel, dest: depsDir, roots: rootHeaders, libraries: WHEEL_LIBRARIES });
  const result = run(python, ['-c', EXTRACT_SCRIPT, request]);
  if (result.status !== 0) throw new Error(`setup tensorflow: ${wheel}: ${lastLine(result.stderr) || `extraction failed (exit ${result.status})`}`);
  return JSON.parse(lastLine(result.stdout)) as ExtractedWheel;
}

function lastLine(text: string): string {
  return text.trim().split('\n').pop()?.trim() ?? '';
}

/** Reads a request (JSON) from argv; prints a JSON result, or one error line on stderr and exits 1. */
const EXTRACT_SCRIPT = String.raw`
import json, os, re, shutil, sys, zipfile
req = json.loads(sys.argv[1])
try:
    wheel = zipfile.ZipFile(req['wheel'])
except (OSError, zipfile.BadZipFile) as e:
    sys.exit('not a readable wheel (%s)' % e)
names = set(wheel.namelist())
include = 'tensorflow/include/'
for lib in req['libraries']:
    if 'tensorflow/' + lib not in names:
        sys.exit('the wheel has no tensorflow/%s: not a TensorFlow 2.x wheel with the C API' % lib)
for root in req['roots']:
    if include + root not in names:
        sys.exit('the wheel has no header %s (looked in %s)' % (root, include))
quoted_include = re.compile(rb'^\s*#\s*include\s+"([^"]+)"', re.M)
seen, todo = set(), list(req['roots'])
while todo:
    header = todo.pop()
    if header in seen or include + header not in names:
        continue
    seen.add(header)
    todo.extend(m.group(1).decode() for m in quoted_include.finditer(wheel.read(include + header)))
def copy(member, target):
    os.makedirs(os.path.dirname(target), exist_ok=True)
    with wheel.open(member) as src, open(target, 'wb') as dst:
        shutil.copyfileobj(src, dst, 1 << 20)
headers = sorted(seen)
for header in headers:
    copy(include + header, os.path.join(req['dest'], 'include', header))
for lib in req['libraries']:
    copy('tensorflow/' + lib, os.path.join(req['dest'], 'lib', lib))
print(json.dumps({'headers': headers, 'libraries': req['libraries']}))
`;
