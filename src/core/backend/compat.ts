/**
 * The compatibility guard. Several pieces of asl-run reach into tfjs internals that no semver
 * promise covers: the wasm kernels write tensors through raw heap offsets and the backend's
 * private `dataIdMap`, the threaded loader drives Emscripten's glue (`PThread`), the spin patch
 * rewrites bytes of one known binary, and our BatchNormalization reads tfjs-layers' private
 * fields. A different tfjs can move any of these, and the failure is silent memory corruption,
 * not an error. So at backend start the installed versions (and the digest of the binary we
 * patch) are compared with the set those pieces were tested on; on any difference they are all
 * turned off and tfjs's own kernels, loader and layers run instead. docs/tfjs-upgrade.md says
 * how to re-verify them and update TESTED_TFJS.
 */
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { tf } from '../tf';
import { KNOWN_THREADED_BUILD } from './pthreadpool-spin';

/** What the guard compares: package versions and the SHA-256 of the threaded wasm build. */
export interface TfjsInstall {
  /** Version of each package whose internals we use, by short name (`tfjs-core`…); undefined when not found. */
  versions: Record<string, string | undefined>;
  /** SHA-256 (hex) of tfjs-backend-wasm's threaded build, whose bytes the spin patch rewrites; undefined when not found. */
  threadedBuildSha256: string | undefined;
}

/** The set the version-specific pieces were tested on. */
export const TESTED_TFJS: TfjsInstall = {
  versions: {
    // The engine, kernel and gradient registries, TensorInfo handling.
    'tfjs-core': '4.22.0',
    // BatchNormalization's private fields (src/backbones/batch-norm.ts).
    'tfjs-layers': '4.22.0',
    // BackendWasm's private fields, the Emscripten glue and worker script, the stock kernels we wrap.
    'tfjs-backend-wasm': '4.22.0',
  },
  threadedBuildSha256: KNOWN_THREADED_BUILD.sha256,
};

const WASM_PACKAGE_DIR = path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json'));
export const THREADED_BUILD_PATH = path.join(WASM_PACKAGE_DIR, 'wasm-out', 'tfjs-backend-wasm-threaded-simd.wasm');

let cachedInstall: TfjsInstall | undefined;

/**
 * What is installed, read once per process (every initBackend runs the guard; the files do not
 * change under a running process). tfjs-core and tfjs-layers as the `tf` instance we run reports
 * them (the instance actually loaded, wherever npm nested it); tfjs-backend-wasm from the
 * package.json beside the module our loader requires.
 */
export function installedTfjs(): TfjsInstall {
  return (cachedInstall ??= readInstalledTfjs());
}

function readInstalledTfjs(): TfjsInstall {
  const wasmPackage = JSON.parse(fs.readFileSync(path.join(WASM_PACKAGE_DIR, 'package.json'), 'utf8')) as { version?: string };
  let threadedBuildSha256: string | undefined;
  try {
    threadedBuildSha256 = createHash('sha256').update(fs.readFileSync(THREADED_BUILD_PATH)).digest('hex');
  } catch {
    threadedBuildSha256 = undefined;
  }
  const loaded = tf.version as Record<string, string | undefined>;
  return {
    versions: { 'tfjs-core': loaded['tfjs-core'], 'tfjs-layers': loaded['tfjs-layers'], 'tfjs-backend-wasm': wasmPackage.version },
    threadedBuildSha256,
  };
}

export interface TfjsCheck {
  /** Whether the version-specific pieces may run. */
  passed: boolean;
  /** For the backend line: `tfjs 4.22.0 checked`, or what differs and what runs instead. */
  note: string;
}

/** Compares `installed` with `tested`; the note names every difference. */
export function checkTfjs(installed: TfjsInstall, tested: TfjsInstall = TESTED_TFJS): TfjsCheck {
  const differences = Object.entries(tested.versions)
    .filter(([name, version]) => installed.versions[name] !== version)
    .map(([name, version]) => `${name} ${installed.versions[name] ?? 'not found'} (tested: ${version})`);
  if (installed.threadedBuildSha256 !== tested.threadedBuildSha256) {
    differences.push(`${path.basename(THREADED_BUILD_PATH)} ${installed.threadedBuildSha256 ? 'differs from the tested build' : 'not found'}`);
  }
  if (differences.length > 0) return { passed: false, note: `untested ${differences.join(', ')}: stock kernels only` };
  const versions = [...new Set(Object.values(tested.versions))];
  return { passed: true, note: `tfjs ${versions.join('/')} checked` };
}

let verdict: TfjsCheck | undefined;

/**
 * Runs the guard (on what is installed, or on `installed` where a test forces a mismatch) and
 * keeps its verdict for tfjsInternalsUsable.
 */
export function runTfjsCheck(installed: TfjsInstall = installedTfjs()): TfjsCheck {
  verdict = checkTfjs(installed);
  return verdict;
}

/**
 * Whether the version-specific pieces may run: the last guard's verdict, or the guard run now on
 * what is installed (a model built before any `initBackend`).
 */
export function tfjsInternalsUsable(): boolean {
  return (verdict ??= runTfjsCheck()).passed;
}
