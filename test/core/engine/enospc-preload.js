/**
 * Preloaded into a CLI child (NODE_OPTIONS=--require) to simulate a full disk: writes into files
 * whose path matches $ASL_FAULT_ENOSPC (a regular expression) fail with ENOSPC, from the
 * $ASL_FAULT_ENOSPC_FROM-th such file opened on (1-based; default 1). Patched before the CLI loads,
 * so the modules' own references to fs take the patched functions.
 */
'use strict';
const fs = require('fs');

const pattern = new RegExp(process.env.ASL_FAULT_ENOSPC);
const from = Number(process.env.ASL_FAULT_ENOSPC_FROM || 1);
const failing = new Set();
let opened = 0;

const openSync = fs.openSync;
fs.openSync = function patchedOpenSync(file, ...rest) {
  const fd = openSync.call(fs, file, ...rest);
  if (typeof file === 'string' && pattern.test(file) && ++opened >= from) failing.add(fd);
  return fd;
};
const closeSync = fs.closeSync;
fs.closeSync = function patchedCloseSync(fd) {
  failing.delete(fd);
  return closeSync.call(fs, fd);
};
const writeSync = fs.writeSync;
fs.writeSync = function patchedWriteSync(fd, ...rest) {
  if (failing.has(fd)) throw Object.assign(new Error('ENOSPC: no space left on device, write'), { errno: -28, code: 'ENOSPC', syscall: 'write' });
  return writeSync.call(fs, fd, ...rest);
};
