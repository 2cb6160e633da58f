/**
 * The installation folder: its record, the check that it was built for this asl-run, and loading it,
 * with every way it can be unusable reported as one line (never thrown: `auto` goes on to wasm).
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { installedPackage, ownPackageDir, readSetupRecord, setupLayout, writeSetupRecord, type SetupRecord, describeRuntime, explainLoadFailure, loadInstalledTfjsNode, withoutCommandLine } from '../../../../src/core/backend/tensorflow-setup/installation';

let root: string;
beforeEach(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'asl-tfsetup-'));
});
afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

function record(overrides: Partial<SetupRecord> = {}): SetupRecord {
  return {
    tensorflowVersion: '2.21.0',
    wheel: 'tensorflow_cpu-2.21.0-cp311-cp311-manylinux_2_27_x86_64.whl',
    tfjsNodeVersion: '4.22.0',
    tfjsDir: ownPackageDir('@tensorflow/tfjs'),
    headers: ['tensorflow/c/c_api.h'],
    builtAt: '2026-12-07T00:00:00.000Z',
    ...overrides,
  };
}

/** An installation whose tfjs-node is a module with the given source. */
function fakeInstallation(source: string, rec: SetupRecord = record()): string {
  const layout = setupLayout(root);
  const pkg = layout.packageDir(layout.installed);
  fs.mkdirSync(pkg, { recursive: true });
  fs.writeFileSync(path.join(pkg, 'package.json'), JSON.stringify({ name: '@tensorflow/tfjs-node', main: 'index.js' }));
  fs.writeFileSync(path.join(pkg, 'index.js'), source);
  writeSetupRecord(layout.recordFile(layout.installed), rec);
  return pkg;
}

describe('setup record', () => {
  it('round-trips, and is absent where nothing was installed', () => {
    const file = path.join(root, 'setup.json');
    expect(readSetupRecord(file)).toBeUndefined();
    writeSetupRecord(file, record());
    expect(readSetupRecord(file)).toEqual(record());
  });

  it('a damaged record is one line naming the file and the field', () => {
    const file = path.join(root, 'setup.json');
    fs.writeFileSync(file, '{"tensorflowVersion": 2');
    expect(() => readSetupRecord(file)).toThrow(new RegExp(`^${file}: not valid JSON .*; run asl-run setup tensorflow --force$`));
    fs.writeFileSync(file, JSON.stringify({ ...record(), wheel: 7 }));
    expect(() => readSetupRecord(file)).toThrow(new RegExp(`^${file}: wheel: .*; run asl-run setup tensorflow --force$`));
  });
});

describe('installedPackage', () => {
  it('finds an installation built for this asl-run', () => {
    const pkg = fakeInstallation('');
    expect(installedPackage(setupLayout(root).installed)).toEqual({ packageDir: pkg, record: record() });
  });

  it('says when there is none, and when it was built for another asl-run', () => {
    const installed = setupLayout(root).installed;
    expect(installedPackage(installed)).toBe(`no installation in ${installed} (run asl-run setup tensorflow)`);
    fakeInstallation('', record({ tfjsDir: '/elsewhere/node_modules/@tensorflow/tfjs' }));
    expect(installedPackage(installed)).toBe(`${installed} was built for the asl-run whose tfjs is /elsewhere/node_modules/@tensorflow/tfjs (rerun asl-run setup tensorflow)`);
  });
});

describe('loadInstalledTfjsNode', () => {
  it('reports an addon whose TensorFlow lacks a C API symbol', () => {
    const pkg = fakeInstallation("throw new Error('/x/lib/napi-v8/tfjs_binding.node: undefined symbol: TFE_NewOp\\n    at more');");
    expect(loadInstalledTfjsNode(setupLayout(root).installed)).toBe(
      `${pkg}: the TensorFlow libraries lack the C API symbol TFE_NewOp the addon calls (use a newer TensorFlow 2.x wheel)`,
    );
  });

  it('reports a module that registers no backend, and a damaged record, as lines', () => {
    const pkg = fakeInstallation('module.exports = {};');
    const installed = setupLayout(root).installed;
    expect(loadInstalledTfjsNode(installed)).toBe(`${pkg} loaded but registered no 'tensorflow' backend`);
    fs.writeFileSync(setupLayout(root).recordFile(installed), 'nope');
    expect(loadInstalledTfjsNode(installed)).toMatch(/setup\.json: not valid JSON/);
  });

  it('loads with the command line hidden from node-pre-gyp, and restores it', () => {
    const argv = process.argv;
    const seen = withoutCommandLine(() => process.argv);
    expect(seen).toEqual(argv.slice(0, 2));
    expect(process.argv).toBe(argv);
    expect(() => withoutCommandLine(() => { throw new Error('boom'); })).toThrow('boom');
    expect(process.argv).toBe(argv);
  });
});

describe('load failures and the backend line', () => {
  it('passes other errors on as their first line', () => {
    expect(explainLoadFailure('/p', new Error('libtensorflow_cc.so.2: cannot open shared object file\nstack'))).toBe('/p: libtensorflow_cc.so.2: cannot open shared object file');
  });

  it('names the TensorFlow version and the device', () => {
    expect(describeRuntime({ version: '2.21.0', gpu: false, oneDnn: false })).toBe('TensorFlow 2.21.0, CPU, oneDNN off');
    expect(describeRuntime({ version: '2.20.0', gpu: true, oneDnn: true })).toBe('TensorFlow 2.20.0, GPU, oneDNN on');
    expect(describeRuntime(undefined)).toBe('TensorFlow version unknown');
  });
});
