/** The dataset cache never keeps a temporary folder: removed when generation fails, swept when its process was killed. */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

// Generation that can be made to fail part-way (after writing a file), as a full disk would.
let failAfterWriting = false;
/** The folders generation wrote into. */
const generatedInto: string[] = [];
jest.mock('../../../../src/core/data/builtin/catalog', () => {
  const actual = jest.requireActual('../../../../src/core/data/builtin/catalog');
  return {
    ...actual,
    writeResolved: (generator: unknown, root: string, options: unknown) => {
      generatedInto.push(root);
      if (!failAfterWriting) return actual.writeResolved(generator, root, options);
      fs.writeFileSync(path.join(root, 'partial.png'), 'x');
      throw Object.assign(new Error(`ENOSPC: no space left on device, write`), { code: 'ENOSPC' });
    },
  };
});

import { ensureBuiltinDataset } from '../../../../src/core/data/builtin/cache';
import { MNIST_MULTILABEL } from '../../../../src/core/data/builtin/mnist-multilabel';
import { makeTmpDir, removeDir } from '../formats/fixtures';
import { deadPid } from '../../engine/dead-pid';

describe('dataset cache temporaries', () => {
  let dir: string;
  beforeAll(() => (dir = makeTmpDir('cache-tmp')));
  afterAll(() => removeDir(dir));
  const tiny = { trainCount: 3, valCount: 2 };

  it('a failed generation removes its temporary folder and leaves no dataset', () => {
    const cacheDir = path.join(dir, 'failing');
    failAfterWriting = true;
    try {
      expect(() => ensureBuiltinDataset(MNIST_MULTILABEL, { cacheDir, ...tiny })).toThrow('ENOSPC: no space left on device');
    } finally {
      failAfterWriting = false;
    }
    expect(fs.readdirSync(cacheDir)).toEqual([]);
  });

  it('sweeps the temporary folders of generations killed on this host, and only those', () => {
    const cacheDir = path.join(dir, 'sweep');
    const host = os.hostname();
    const dead = deadPid();
    const killed = `.tmp-mnist-aaaaaaaaaaaa-v1.${dead}@${host}-Ab12Cd`;
    const kept = [
      `.tmp-mnist-bbbbbbbbbbbb-v1.${process.ppid}@${host}-Ef34Gh`, // a live process still generating
      `.tmp-mnist-cccccccccccc-v1.${dead}@another-host-Ij56Kl`, // cannot be checked from here
      '.tmp-mnist-multilabel-leftover', // no owner in its name
    ];
    for (const name of [killed, ...kept]) fs.mkdirSync(path.join(cacheDir, name, 'train'), { recursive: true });
    const root = ensureBuiltinDataset(MNIST_MULTILABEL, { cacheDir, ...tiny });
    expect(fs.readdirSync(cacheDir).sort()).toEqual([...kept, path.basename(root)].sort());
  });

  it('generates into a temporary folder named after the generating process and host', () => {
    generatedInto.length = 0;
    ensureBuiltinDataset(MNIST_MULTILABEL, { cacheDir: path.join(dir, 'named'), ...tiny });
    const host = os.hostname().replace(/\./g, '\\.');
    expect(generatedInto.map((root) => path.basename(root))).toEqual([expect.stringMatching(new RegExp(`^\\.tmp-mnist-multilabel-[0-9a-f]{12}-v1\\.${process.pid}@${host}-\\w{6}$`))]);
  });
});
