/**
 * The programs `setup tensorflow` runs (python/pip, npm, tar, a C++ compiler, make) and the check that
 * each is there, so that a missing one stops the setup with one line naming it, before any download.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';

export interface ToolResult {
  /** Exit status; null when the program could not be started (absent) or was killed. */
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a program to completion; never throws (a program that cannot start gives status null). */
export type ToolRunner = (command: string, args: string[], options?: { cwd?: string; env?: NodeJS.ProcessEnv; logFile?: string }) => ToolResult;

export const runTool: ToolRunner = (command, args, options = {}) => {
  const result = spawnSync(command, args, {
    cwd: options.cwd,
    env: options.env ?? process.env,
    encoding: 'utf8',
    // pip and node-gyp print a lot; the wheel's libraries never pass through stdout.
    maxBuffer: 64 * 1024 * 1024,
  });
  const stdout = result.stdout ?? '';
  const stderr = result.error ? `${result.error.message}\n${result.stderr ?? ''}` : (result.stderr ?? '');
  if (options.logFile) fs.appendFileSync(options.logFile, `$ ${command} ${args.join(' ')}\n${stdout}${stderr}\n`);
  return { status: result.error ? null : result.status, stdout, stderr };
};

/** The full path of `name` on $PATH (or `name` itself when it is a path to an executable file), else undefined. */
export function findExecutable(name: string, searchPath: string = process.env.PATH ?? ''): string | undefined {
  const candidates = name.includes(path.sep) ? [path.resolve(name)] : searchPath.split(path.delimiter).filter(Boolean).map((dir) => path.join(dir, name));
  return candidates.find((file) => {
    try {
      fs.accessSync(file, fs.constants.X_OK);
      return fs.statSync(file).isFile();
    } catch {
      return false;
    }
  });
}

export interface Prerequisites {
  python: string;
  compiler: string;
  make: string;
  npm: string;
  tar: string;
}

/**
 * Finds every program the setup needs; throws one line naming the first one missing and how to get it.
 * `python` is `--python` (default python3), the compiler $CXX (default g++).
 */
export function checkPrerequisites(python: string, searchPath: string = process.env.PATH ?? '', env: NodeJS.ProcessEnv = process.env): Prerequisites {
  const need = (name: string, what: string, hint: string): string => {
    const found = findExecutable(name, searchPath);
    const where = name.includes(path.sep) ? 'is not an executable file' : 'is not on PATH';
    if (!found) throw new Error(`setup tensorflow: no ${what}: '${name}' ${where} (${hint})`);
    return found;
  };
  return {
    python: need(python, 'Python 3 (pip downloads the wheel, node-gyp needs it)', 'install python3 with pip, or pass --python PATH'),
    compiler: need(env.CXX || 'g++', 'C++ compiler', 'install g++ (Debian: apt-get install g++ make), or set CXX'),
    make: need('make', 'make', 'Debian: apt-get install make'),
    npm: need('npm', 'npm', 'it comes with Node.js'),
    tar: need('tar', 'tar', 'needed to unpack the tfjs-node package'),
  };
}

/** The first line of a program's error output that says what went wrong (pip, npm and gyp prefix it with ERROR/ERR!). */
export function failureLine(result: ToolResult): string {
  const lines = `${result.stderr}\n${result.stdout}`.split('\n').map((l) => l.trim()).filter(Boolean);
  return lines.find((l) => /\b(error|ERR!)\b/i.test(l)) ?? lines[lines.length - 1] ?? `exit ${result.status}`;
}
