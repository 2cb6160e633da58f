/** The run lock and the run-folder rules: one writer, no silent overwrite, stale locks and temporaries swept. */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { LOCK_FILE, RunFolderBusyError, RunLock } from '../../../src/core/engine/run-lock';
import { claimRunFolder, describeKept, RunExistsError, withWhatWasKept } from '../../../src/core/engine/run-folder';
import { writeCheckpoint } from '../../../src/core/engine/checkpoint';
import { DiskWriteError } from '../../../src/core/engine/safe-files';
import { deadPid } from './dead-pid';

describe('run folders', () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'run-folder-'));
  afterAll(() => fs.rmSync(root, { recursive: true, force: true }));
  let n = 0;
  const fresh = () => path.join(root, `run${n++}`);
  const notes: string[] = [];
  const note = (line: string) => notes.push(line);
  const writeLock = (dir: string, owner: object) => {
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, LOCK_FILE), JSON.stringify(owner));
  };

  beforeEach(() => (notes.length = 0));

  it('a lock holds pid, host and start time, refuses a second writer, and goes on release and on exit', () => {
    const dir = fresh();
    const exitListeners = process.listenerCount('exit');
    const lock = claimRunFolder(dir, { resume: false, overwrite: false }, note);
    const owner = JSON.parse(fs.readFileSync(path.join(dir, LOCK_FILE), 'utf8'));
    expect(owner).toEqual({ pid: process.pid, host: os.hostname(), started: expect.stringMatching(/^\d{4}-\d\d-\d\dT/) });
    expect(process.listenerCount('exit')).toBe(exitListeners + 1);
    const second = () => claimRunFolder(dir, { resume: true, overwrite: false }, note);
    expect(second).toThrow(RunFolderBusyError);
    expect(second).toThrow(new RegExp(`^${dir}: in use by another asl-run \\(pid ${process.pid}, started .+\\); wait for it to finish, or remove ${dir}/run\\.lock if that process is gone$`));
    lock.release();
    lock.release();
    expect(fs.existsSync(path.join(dir, LOCK_FILE))).toBe(false);
    expect(process.listenerCount('exit')).toBe(exitListeners);
    expect(notes).toEqual([]);
  });

  it('takes over the lock of a dead process with a note; never one from a live process or another host', () => {
    const stale = fresh();
    const dead = deadPid();
    writeLock(stale, { pid: dead, host: os.hostname(), started: 'then' });
    claimRunFolder(stale, { resume: true, overwrite: false }, note).release();
    expect(notes).toEqual([`asl-run: ${stale}: taking over the run lock of pid ${dead}, which is no longer running`]);

    const live = fresh();
    writeLock(live, { pid: process.ppid, host: os.hostname(), started: 'now' });
    expect(() => RunLock.acquire(live, note)).toThrow(`${live}: in use by another asl-run (pid ${process.ppid}, started now)`);
    const remote = fresh();
    writeLock(remote, { pid: dead, host: 'elsewhere', started: 'now' });
    expect(() => RunLock.acquire(remote, note)).toThrow(`(pid ${dead} on host elsewhere, started now)`);
    expect(fs.readFileSync(path.join(remote, LOCK_FILE), 'utf8')).toContain('elsewhere');
  });

  it('an unreadable lock is busy while young (a racing writer between create and write), stale when old', () => {
    const dir = fresh();
    fs.mkdirSync(dir);
    const file = path.join(dir, LOCK_FILE);
    fs.writeFileSync(file, '');
    expect(() => RunLock.acquire(dir, note)).toThrow(`${dir}: in use by another asl-run (being locked right now)`);
    const old = new Date(Date.now() - 60_000);
    fs.utimesSync(file, old, old);
    RunLock.acquire(dir, note).release();
    expect(notes).toEqual([`asl-run: ${dir}: taking over the run lock of an unreadable lock file`]);
  });

  it('refuses a folder holding a run without --overwrite or --resume, naming both; --overwrite removes only the run\'s files', () => {
    const dir = fresh();
    fs.mkdirSync(path.join(dir, 'model'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'config.json'), '{}');
    fs.writeFileSync(path.join(dir, 'notes.txt'), 'mine');
    expect(() => claimRunFolder(dir, { resume: false, overwrite: false }, note)).toThrow(
      new RunExistsError(`${dir}: already holds a run (config.json, model); it has no checkpoint to resume from; pass --overwrite to replace it`),
    );
    writeCheckpoint(path.join(dir, 'checkpoint', 'last.ckpt'), { meta: { epoch: 1, batch: 0 }, tensors: {} });
    expect(() => claimRunFolder(dir, { resume: false, overwrite: false }, note)).toThrow(
      `${dir}: already holds a run (config.json, checkpoint/last.ckpt, model); continue it with --resume ${dir}, or pass --overwrite to replace it`,
    );
    expect(fs.existsSync(path.join(dir, LOCK_FILE))).toBe(false);
    claimRunFolder(dir, { resume: false, overwrite: true }, note).release();
    expect(fs.readdirSync(dir)).toEqual(['notes.txt']);
    // An empty folder, or one with other files only, is free.
    claimRunFolder(dir, { resume: false, overwrite: false }, note).release();
  });

  it('sweeps temporaries of killed writers when the folder is taken', () => {
    const dir = fresh();
    const dead = deadPid();
    const leftovers = [`config.json.tmp-${dead}`, path.join('checkpoint', `last.ckpt.tmp-${dead}`), path.join('model', `weights.bin.tmp-${dead}`)];
    for (const name of leftovers) {
      fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
      fs.writeFileSync(path.join(dir, name), 'x');
    }
    writeCheckpoint(path.join(dir, 'checkpoint', 'last.ckpt'), { meta: { epoch: 1, batch: 0 }, tensors: {} });
    claimRunFolder(dir, { resume: true, overwrite: false }, note).release();
    expect(notes).toEqual([`asl-run: removed 3 temporary file(s) left by a killed run: ${leftovers.map((name) => path.join(dir, name)).join(', ')}`]);
    expect(fs.readdirSync(path.join(dir, 'checkpoint'))).toEqual(['last.ckpt']);
    expect(fs.readdirSync(path.join(dir, 'model'))).toEqual([]);
  });

  it('a disk error says what was kept', () => {
    const dir = fresh();
    const err = new DiskWriteError(path.join(dir, 'log.jsonl'), 'ENOSPC', `${dir}/log.jsonl: cannot write (ENOSPC: no space left on device)`);
    expect((withWhatWasKept(err, dir) as Error).message).toBe(
      `${dir}/log.jsonl: cannot write (ENOSPC: no space left on device); no checkpoint was written yet (the first is written at the end of epoch 1)`,
    );
    const ckpt = path.join(dir, 'checkpoint', 'last.ckpt');
    writeCheckpoint(ckpt, { meta: { epoch: 2, batch: 0 }, tensors: {} });
    expect(describeKept(dir)).toBe(`the checkpoint ${ckpt} from the end of epoch 2 is kept (continue with --resume ${dir})`);
    const other = new Error('not a disk error');
    expect(withWhatWasKept(other, dir)).toBe(other);
  });
});
