/**
 * `asl-run setup tensorflow`: tfjs-node's addon built against a current TensorFlow 2.x wheel, in
 * steps that each say what they did. The new installation is built in a staging folder and replaces
 * the finished one only once it loads and its conv step agrees with wasm, so a failed setup leaves an
 * earlier installation as it was. Run again, it finds the installation and re-verifies it.
 */
import * as fs from 'fs';
import * as path from 'path';
import { buildAddon, linkLibraries } from './build';
import { installedPackage, ownPackageDir, setupLayout, writeSetupRecord, type SetupRecord } from './layout';
import { addonTensorflowHeaders, fetchTfjsNode } from './package';
import { checkPrerequisites } from './tools';
import { verifyInstallation, type Verification } from './verify';
import { downloadWheel, extractWheel, givenWheel, WHEEL_PACKAGES, type WheelInfo } from './wheel';

export interface SetupOptions {
  /** Setup folder; default $ASL_RUN_TENSORFLOW_DIR, else <cache>/tensorflow. */
  dir?: string;
  /** A TensorFlow wheel file to use instead of downloading one. */
  wheel?: string;
  /** The Python that runs pip, reads the wheel and runs gyp; default python3. */
  python?: string;
  /** The wheel pip downloads when no --wheel is given. */
  package?: (typeof WHEEL_PACKAGES)[number];
  /** Rebuild even where a finished installation exists. */
  force?: boolean;
}

export interface SetupResult {
  /** True when a finished installation was found and only re-verified. */
  alreadySetUp: boolean;
  installRoot: string;
  record: SetupRecord;
  verification: Verification;
}

function seconds(since: number): string {
  return `${((Date.now() - since) / 1000).toFixed(1)} s`;
}

function describeVerification(v: Verification): string {
  return `TensorFlow ${v.version} on the ${v.gpu ? 'GPU' : 'CPU'}; conv2d step within ${v.convDifference.toExponential(1)} of wasm`;
}

/** Runs the setup, printing one line per step through `log`; throws one line naming the missing piece. */
export async function setupTensorflow(options: SetupOptions, log: (line: string) => void): Promise<SetupResult> {
  const layout = setupLayout(options.dir);
  const existing = installedPackage(layout.installed);
  if (typeof existing !== 'string' && !options.force) {
    const { record } = existing;
    log(`already set up: TensorFlow ${record.tensorflowVersion} (${record.wheel}) in ${layout.installed}; verifying`);
    const verification = await verifyInstallation(layout.installed);
    log(`verified: ${describeVerification(verification)}`);
    return { alreadySetUp: true, installRoot: layout.installed, record, verification };
  }

  const tools = checkPrerequisites(options.python ?? 'python3');
  if (options.wheel) givenWheel(options.wheel);
  const tfjsVersion = (require('@tensorflow/tfjs/package.json') as { version: string }).version;
  fs.mkdirSync(layout.root, { recursive: true });
  fs.writeFileSync(layout.buildLog, `asl-run setup tensorflow, ${new Date().toISOString()}\n`);
  const staging = layout.staging;
  fs.rmSync(staging, { recursive: true, force: true });
  fs.mkdirSync(staging, { recursive: true });
  try {
    let start = Date.now();
    const packageDir = fetchTfjsNode(tfjsVersion, staging, layout.buildLog);
    log(`fetched @tensorflow/tfjs-node@${tfjsVersion} without its install script, with its dependencies (${seconds(start)})`);

    start = Date.now();
    let wheel: WheelInfo;
    if (options.wheel) {
      wheel = givenWheel(options.wheel);
    } else {
      wheel = downloadWheel(tools.python, options.package ?? 'tensorflow-cpu', layout.download);
      log(`downloaded ${path.basename(wheel.file)} with pip (${seconds(start)})`);
    }

    start = Date.now();
    const depsDir = path.join(packageDir, 'deps');
    const extracted = extractWheel(tools.python, wheel.file, depsDir, addonTensorflowHeaders(packageDir));
    linkLibraries(path.join(depsDir, 'lib'));
    log(`extracted ${extracted.libraries.join(', ')} and ${extracted.headers.length} headers from ${path.basename(wheel.file)} (${seconds(start)})`);

    start = Date.now();
    const addon = buildAddon({ packageDir, python: tools.python, compiler: tools.compiler, logFile: layout.buildLog });
    // The object files are not needed once the addon is copied into lib/.
    fs.rmSync(path.join(packageDir, 'build'), { recursive: true, force: true });
    log(`built ${path.relative(staging, addon)} (${seconds(start)}; log: ${layout.buildLog})`);

    const record: SetupRecord = {
      tensorflowVersion: wheel.version,
      wheel: path.basename(wheel.file),
      tfjsNodeVersion: tfjsVersion,
      tfjsDir: ownPackageDir('@tensorflow/tfjs'),
      headers: extracted.headers,
      builtAt: new Date().toISOString(),
    };
    writeSetupRecord(layout.recordFile(staging), record);
    const verification = await verifyInstallation(staging);
    replaceInstallation(staging, layout.installed);
    log(`verified: ${describeVerification(verification)}`);
    log(`installed in ${layout.installed}; --backend tensorflow and auto use it`);
    return { alreadySetUp: false, installRoot: layout.installed, record, verification };
  } finally {
    fs.rmSync(staging, { recursive: true, force: true });
    fs.rmSync(layout.download, { recursive: true, force: true });
  }
}

/** Moves the verified staging folder into place; the previous installation is removed only after the move. */
function replaceInstallation(staging: string, installed: string): void {
  const previous = `${installed}.previous-${process.pid}`;
  if (fs.existsSync(installed)) fs.renameSync(installed, previous);
  fs.renameSync(staging, installed);
  fs.rmSync(previous, { recursive: true, force: true });
}
