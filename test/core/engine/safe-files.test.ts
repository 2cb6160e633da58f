import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

// The code under test holds its own copy of fs's functions (module interop), taken at import: wrap them before.
jest.mock('fs', () => {
  const actual = jest.requireActual('fs');
  return { ...actual, writeSync: jest.fn(actual.writeSync), appendFileSync: jest.fn(actual.appendFileSync), mkdirSync: jest.fn(actual.mkdirSync), accessSync: jest.fn(actual.accessSync) };
});

import { appendFileNamed, DiskWriteError, makeFolder, pidIsAlive, sweepTemporaries, writeFileAtomic } from '../../../src/core/engine/safe-files';
import { deadPid } from './dead-pid';

function errnoError(code: string, text: string, syscall: string): NodeJS.ErrnoException {
  return Object.assign(new Error(`${code}: ${text}, ${syscall}`), { code, syscall });
}

describe('safe files', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'safe-files-'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
  /** Makes fs.`name` throw `err` once. */
  const failOnce = (name: 'writeSync' | 'appendFileSync' | 'mkdirSync' | 'accessSync', err: Error) =>
    (fs[name] as unknown as jest.Mock).mockImplementationOnce(() => {
      throw err;
    });

  it('writes atomically and leaves no temporary', () => {
    const file = path.join(dir, 'a.json');
    writeFileAtomic(file, ['{"a":', new Uint8Array([0x31]), '}'], true);
    expect(fs.readFileSync(file, 'utf8')).toBe('{"a":1}');
    expect(fs.readdirSync(dir)).toEqual(['a.json']);
  });

  it('a full disk names the file, removes the temporary and keeps the previous content', () => {
    const file = path.join(dir, 'a.json');
    failOnce('writeSync', errnoError('ENOSPC', 'no space left on device', 'write'));
    let thrown: unknown;
    try {
      writeFileAtomic(file, ['{"a":2}']);
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(DiskWriteError);
    expect((thrown as DiskWriteError).message).toBe(`${file}: cannot write (ENOSPC: no space left on device)`);
    expect((thrown as DiskWriteError).code).toBe('ENOSPC');
    expect(fs.readFileSync(file, 'utf8')).toBe('{"a":1}');
    expect(fs.readdirSync(dir)).toEqual(['a.json']);
  });

  it('appends, naming the file when the disk refuses', () => {
    const file = path.join(dir, 'log.jsonl');
    appendFileNamed(file, 'x\n');
    failOnce('appendFileSync', errnoError('EROFS', 'read-only file system', 'open'));
    expect(() => appendFileNamed(file, 'y\n')).toThrow(`${file}: cannot write (EROFS: read-only file system)`);
    expect(fs.readFileSync(file, 'utf8')).toBe('x\n');
    fs.rmSync(file);
  });

  it('a folder that cannot be created names the read-only place instead of ENOENT', () => {
    const target = path.join(dir, 'ro', 'run');
    failOnce('mkdirSync', errnoError('ENOENT', 'no such file or directory', `mkdir '${target}'`));
    failOnce('accessSync', errnoError('EROFS', 'read-only file system', 'access'));
    expect(() => makeFolder(target, 'run folder')).toThrow(`${target}: cannot create the run folder (${dir} is not writable: EROFS: read-only file system)`);
  });

  it('sweeps the temporaries of dead processes only', () => {
    const sweep = path.join(dir, 'sweep');
    fs.mkdirSync(sweep);
    const dead = deadPid();
    expect(pidIsAlive(dead)).toBe(false);
    expect(pidIsAlive(process.pid)).toBe(true);
    for (const name of [`last.ckpt.tmp-${dead}`, `last.ckpt.tmp-${process.pid}`, `last.ckpt.tmp-${process.ppid}`, 'notes.tmp-x', 'last.ckpt']) {
      fs.writeFileSync(path.join(sweep, name), '');
    }
    expect(sweepTemporaries(sweep)).toEqual([`last.ckpt.tmp-${dead}`]);
    expect(fs.readdirSync(sweep).sort()).toEqual(['last.ckpt', `last.ckpt.tmp-${process.pid}`, `last.ckpt.tmp-${process.ppid}`, 'notes.tmp-x'].sort());
    expect(sweepTemporaries(path.join(dir, 'no-such-folder'))).toEqual([]);
  });
});
