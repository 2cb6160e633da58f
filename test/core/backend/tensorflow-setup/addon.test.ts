/**
 * The addon's build inputs: deps/lib's link names, the Node headers given to node-gyp, the TensorFlow
 * headers the addon's sources include, tfjs-node's dependencies, and the one-line failures of the npm
 * and build steps (their programs replaced by fakes; the real build is covered by the backend-parity run).
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { buildAddon, findNodeHeaders, LIBRARY_LINKS, linkLibraries, addonTensorflowHeaders, fetchTfjsNode, runtimeDependencySpecs } from '../../../../src/core/backend/tensorflow-setup/addon';
import type { ToolResult, ToolRunner } from '../../../../src/core/backend/tensorflow-setup/tools';

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'asl-tfbuild-'));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

/** A runner that records its calls and answers each with `result`. */
function fakeRunner(result: ToolResult): { run: ToolRunner; calls: Array<{ command: string; args: string[]; cwd?: string; env?: NodeJS.ProcessEnv }> } {
  const calls: Array<{ command: string; args: string[]; cwd?: string; env?: NodeJS.ProcessEnv }> = [];
  return { calls, run: (command, args, options = {}) => (calls.push({ command, args, cwd: options.cwd, env: options.env }), result) };
}

describe('linkLibraries', () => {
  it('points libtensorflow.so(.2) at libtensorflow_cc.so.2 and libtensorflow_framework.so at its .so.2, replacing old links', () => {
    fs.writeFileSync(path.join(dir, 'libtensorflow.so'), 'stale');
    linkLibraries(dir);
    linkLibraries(dir);
    expect(LIBRARY_LINKS.map(([link]) => [link, fs.readlinkSync(path.join(dir, link))])).toEqual([
      ['libtensorflow.so.2', 'libtensorflow_cc.so.2'],
      ['libtensorflow.so', 'libtensorflow.so.2'],
      ['libtensorflow_framework.so', 'libtensorflow_framework.so.2'],
    ]);
  });
});

describe('findNodeHeaders', () => {
  it("takes the running node's prefix when it has include/node/common.gypi and node_api.h", () => {
    const prefix = path.join(dir, 'prefix');
    fs.mkdirSync(path.join(prefix, 'bin'), { recursive: true });
    fs.mkdirSync(path.join(prefix, 'include', 'node'), { recursive: true });
    fs.writeFileSync(path.join(prefix, 'bin', 'node'), '');
    for (const f of ['common.gypi', 'node_api.h']) fs.writeFileSync(path.join(prefix, 'include', 'node', f), '');
    expect(findNodeHeaders(path.join(prefix, 'bin', 'node'))).toBe(prefix);
  });
});

describe('buildAddon', () => {
  it('runs node-pre-gyp from source with the Python and compiler found, and reports the first error with the log', () => {
    const pkg = path.join(dir, 'node_modules', '@tensorflow', 'tfjs-node');
    const { run, calls } = fakeRunner({ status: 1, stdout: '', stderr: "gyp info ok\n../binding/tfjs_backend.cc:18:10: fatal error: tensorflow/c/c_api.h: No such file or directory\nmake: *** [x] Error 1\n" });
    expect(() => buildAddon({ packageDir: pkg, python: '/usr/bin/python3', compiler: '/usr/bin/g++', logFile: '/logs/build.log' }, run)).toThrow(
      /^setup tensorflow: building the tfjs-node addon failed.*: \.\.\/binding\/tfjs_backend\.cc:18:10: fatal error: tensorflow\/c\/c_api\.h: No such file or directory \(log: \/logs\/build\.log\)$/,
    );
    expect(calls).toHaveLength(1);
    const [{ command, args, cwd, env }] = calls;
    expect(command).toBe(process.execPath);
    expect(args.slice(0, 3)).toEqual([path.join(dir, 'node_modules', '@mapbox', 'node-pre-gyp', 'bin', 'node-pre-gyp'), 'install', '--build-from-source']);
    const nodeDir = findNodeHeaders();
    expect(args.slice(3)).toEqual(nodeDir ? [`--nodedir=${nodeDir}`] : []);
    expect(cwd).toBe(pkg);
    expect(env).toMatchObject({ PYTHON: '/usr/bin/python3', npm_config_python: '/usr/bin/python3', CXX: '/usr/bin/g++' });
    expect(env!.PATH!.split(path.delimiter)[0]).toBe(path.join(dir, 'node_modules', '.bin'));
  });
});

describe('tfjs-node package', () => {
  it("installs its runtime dependencies except the tfjs packages asl-run shares with it", () => {
    const manifest = { name: '@tensorflow/tfjs-node', version: '4.22.0', dependencies: { '@mapbox/node-pre-gyp': '1.0.9', '@tensorflow/tfjs': '4.22.0', 'google-protobuf': '^3.9.2' } };
    expect(runtimeDependencySpecs(manifest)).toEqual(['@mapbox/node-pre-gyp@1.0.9', 'google-protobuf@^3.9.2']);
  });

  it("takes the TensorFlow headers its binding includes as the roots", () => {
    const binding = path.join(dir, 'binding');
    fs.mkdirSync(binding);
    fs.writeFileSync(path.join(binding, 'a.cc'), '#include <node_api.h>\n#include "tensorflow/c/eager/c_api.h"\n#include "utils.h"\n');
    fs.writeFileSync(path.join(binding, 'b.h'), '  #include "tensorflow/c/c_api.h"\n#include "tensorflow/c/eager/c_api.h"\n');
    expect(addonTensorflowHeaders(dir)).toEqual(['tensorflow/c/c_api.h', 'tensorflow/c/eager/c_api.h']);
    fs.rmSync(path.join(binding, 'a.cc'));
    fs.writeFileSync(path.join(binding, 'b.h'), '#include "utils.h"\n');
    expect(() => addonTensorflowHeaders(dir)).toThrow(`setup tensorflow: ${binding}: no TensorFlow headers included; not the tfjs-node source expected`);
  });

  it("names the npm step that failed, with npm's error line and the log", () => {
    const { run, calls } = fakeRunner({ status: 1, stdout: '', stderr: 'npm error code E404\nnpm error 404 Not Found - GET https://registry.npmjs.org/@tensorflow%2ftfjs-node\n' });
    expect(() => fetchTfjsNode('4.22.0', dir, '/logs/build.log', run)).toThrow(
      "setup tensorflow: 'npm pack @tensorflow/tfjs-node@4.22.0' failed (npm error code E404; log: /logs/build.log)",
    );
    // Run in the installation root, so the project's own folder is never npm's working directory.
    expect(calls.map((c) => [c.command, ...c.args.slice(0, 2), c.cwd])).toEqual([['npm', 'pack', '@tensorflow/tfjs-node@4.22.0', dir]]);
  });
});
