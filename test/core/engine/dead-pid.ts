/** The pid of a process that has already exited: what a killed writer leaves in lock and temporary names. */
import { spawnSync } from 'child_process';

export function deadPid(): number {
  return Number(spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' }).stdout);
}
