/**
 * Where `asl-run setup tensorflow` puts the tfjs-node addon it builds against a TensorFlow wheel, and
 * the record it leaves there. The installation lives outside the project's node_modules (in the cache
 * root by default) so that `npm ci`, which deletes node_modules, does not remove it, and so that
 * nothing of it can be committed with the project.
 *
 *   <dir>/installed/                         one finished installation (replaced only by a finished one)
 *     setup.json                             what was built from what (SetupRecord)
 *     node_modules/@tensorflow/tfjs-node/    the package, its addon in lib/, TensorFlow in deps/
 *     node_modules/@tensorflow/tfjs(-core)   links to asl-run's own copies: one tfjs engine per process
 *     node_modules/…                         tfjs-node's other runtime dependencies
 *   <dir>/build.log                          output of the last build (kept when the build fails)
 */
import * as fs from 'fs';
import * as path from 'path';
import { z } from 'zod';
import { defaultCacheDir } from '../../data/builtin/cache';

/** Environment variable naming the setup folder, for `setup tensorflow --dir` installations. */
export const TENSORFLOW_DIR_ENV = 'ASL_RUN_TENSORFLOW_DIR';

/** The folder `setup tensorflow` writes and backend selection reads: $ASL_RUN_TENSORFLOW_DIR, else <cache>/tensorflow. */
export function defaultSetupDir(): string {
  return process.env[TENSORFLOW_DIR_ENV] || path.join(defaultCacheDir(), 'tensorflow');
}

export interface SetupLayout {
  /** The folder given to `--dir`. */
  root: string;
  /** A finished installation. */
  installed: string;
  /** The tfjs-node package inside an installation root (`installed` or a staging folder). */
  packageDir(installRoot: string): string;
  recordFile(installRoot: string): string;
  /** A fresh folder to build in, renamed to `installed` when the build is verified. */
  staging: string;
  /** Where pip downloads a wheel (removed after extraction). */
  download: string;
  buildLog: string;
}

export function setupLayout(root: string = defaultSetupDir()): SetupLayout {
  const abs = path.resolve(root);
  return {
    root: abs,
    installed: path.join(abs, 'installed'),
    packageDir: (installRoot) => path.join(installRoot, 'node_modules', '@tensorflow', 'tfjs-node'),
    recordFile: (installRoot) => path.join(installRoot, 'setup.json'),
    staging: path.join(abs, `.staging-${process.pid}`),
    download: path.join(abs, `.download-${process.pid}`),
    buildLog: path.join(abs, 'build.log'),
  };
}

const setupRecordSchema = z.object({
  /** TensorFlow version of the wheel, e.g. 2.21.0. */
  tensorflowVersion: z.string(),
  /** The wheel's file name, e.g. tensorflow_cpu-2.21.0-cp311-cp311-manylinux_2_27_x86_64.whl. */
  wheel: z.string(),
  tfjsNodeVersion: z.string(),
  /** asl-run's @tensorflow/tfjs folder the installation links to (real path). */
  tfjsDir: z.string(),
  /** Headers copied from the wheel (include-relative paths). */
  headers: z.array(z.string()),
  builtAt: z.string(),
});
export type SetupRecord = z.infer<typeof setupRecordSchema>;

export function writeSetupRecord(file: string, record: SetupRecord): void {
  fs.writeFileSync(file, `${JSON.stringify(record, null, 2)}\n`);
}

/** The record of an installation, or undefined where there is none; a damaged record is an error naming the file. */
export function readSetupRecord(file: string): SetupRecord | undefined {
  if (!fs.existsSync(file)) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (err) {
    throw new Error(`${file}: not valid JSON (${(err as Error).message}); run asl-run setup tensorflow --force`);
  }
  const result = setupRecordSchema.safeParse(parsed);
  if (!result.success) {
    const issue = result.error.issues[0];
    throw new Error(`${file}: ${issue.path.join('.') || 'record'}: ${issue.message}; run asl-run setup tensorflow --force`);
  }
  return result.data;
}

/** The folder of the @tensorflow/tfjs (or another tfjs package) that asl-run itself loads, as a real path. */
export function ownPackageDir(name: string): string {
  return fs.realpathSync(path.dirname(require.resolve(`${name}/package.json`)));
}

/**
 * The tfjs-node folder of the installation in `installRoot` (default: the finished one) when it was built
 * for this asl-run (its tfjs link points at the tfjs asl-run loads), else a one-line reason it cannot be used.
 */
export function installedPackage(installRoot: string = setupLayout().installed): { packageDir: string; record: SetupRecord } | string {
  const layout = setupLayout(path.dirname(installRoot));
  const record = readSetupRecord(layout.recordFile(installRoot));
  if (!record) return `no installation in ${installRoot} (run asl-run setup tensorflow)`;
  if (record.tfjsDir !== ownPackageDir('@tensorflow/tfjs')) {
    return `${installRoot} was built for the asl-run whose tfjs is ${record.tfjsDir} (rerun asl-run setup tensorflow)`;
  }
  return { packageDir: layout.packageDir(installRoot), record };
}
