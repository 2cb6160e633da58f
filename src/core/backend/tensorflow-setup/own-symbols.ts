/**
 * Loading a tfjs-node package so that TensorFlow binds to its own symbols.
 *
 * libtensorflow_framework links LLVM statically and exports its symbols. Where another LLVM is
 * already in the process with global symbols (Mesa's libLLVM, which Dawn loads for the webgpu backend
 * on llvmpipe), TensorFlow's static constructors bind to that LLVM's globals and the process dies with
 * SIGSEGV in `_GLOBAL__sub_I_DebugInfoMetadata.cpp` while the addon opens. Opening the addon first with
 * RTLD_DEEPBIND puts the addon's own dependency tree ahead of the global scope; tfjs-node's own
 * `require` of the addon then finds it in the module cache.
 */
import * as fs from 'fs';
import Module from 'module';
import * as os from 'os';
import * as path from 'path';

/** The addon of the tfjs-node package in `packageDir` (lib/napi-vN/tfjs_binding.node, highest N), if built. */
function addonFile(packageDir: string): string | undefined {
  const lib = path.join(packageDir, 'lib');
  if (!fs.existsSync(lib)) return undefined;
  const napiVersion = (name: string) => Number(/^napi-v(\d+)$/.exec(name)?.[1] ?? -1);
  const folders = fs.readdirSync(lib).filter((name) => napiVersion(name) >= 0).sort((a, b) => napiVersion(b) - napiVersion(a));
  return folders.map((name) => path.join(lib, name, 'tfjs_binding.node')).find((file) => fs.existsSync(file));
}

/** Opens the addon with RTLD_DEEPBIND into require's cache, where the platform has it; does nothing where it cannot. */
function openAddonWithOwnSymbols(packageDir: string): void {
  const flags = os.constants.dlopen as Record<string, number | undefined>;
  const found = addonFile(packageDir);
  if (flags.RTLD_DEEPBIND === undefined || flags.RTLD_NOW === undefined || found === undefined) return;
  // require() caches a module under its real path.
  const file = fs.realpathSync(found);
  if (require.cache[file]) return;
  const addon = new Module(file);
  addon.filename = file;
  process.dlopen(addon, file, flags.RTLD_NOW | flags.RTLD_DEEPBIND);
  addon.loaded = true;
  require.cache[file] = addon;
}

/**
 * Loads the tfjs-node package `specifier` (a package name or folder), which registers the `tensorflow`
 * backend; throws what `require` throws.
 */
export function requireTfjsNode(specifier: string): unknown {
  let packageDir: string | undefined;
  try {
    packageDir = path.dirname(require.resolve(path.join(specifier, 'package.json')));
  } catch {
    // Not installed: require below says so in its own words.
  }
  if (packageDir !== undefined) openAddonWithOwnSymbols(packageDir);
  return require(specifier);
}
