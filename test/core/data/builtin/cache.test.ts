import * as fs from 'fs';
import * as path from 'path';
import { ensureBuiltinDataset } from '../../../../src/core/data/builtin/cache';
import { MNIST_FOLDER } from '../../../../src/core/data/builtin/mnist-folder';
import { MNIST_DETECTION } from '../../../../src/core/data/builtin/mnist-detection';
import { MNIST_MULTILABEL } from '../../../../src/core/data/builtin/mnist-multilabel';
import { describeDataset, MANIFEST_FILE, writeBuiltinDataset } from '../../../../src/core/data/builtin/catalog';
import { components } from '../../../components';
import { expectDataError, makeTmpDir, removeDir, writeText } from '../formats/fixtures';
import { hashTree } from './tree-hash';
import { ConfigError } from '../../../../src/core/config';
import { inFile } from '../../../../src/core/schema';

describe('built-in dataset cache and catalog', () => {
  let dir: string;
  beforeAll(() => (dir = makeTmpDir('cache')));
  afterAll(() => removeDir(dir));
  const tiny = { trainCount: 3, valCount: 2 };

  it('describes the built-in datasets with their defaults', () => {
    const BUILTIN_DATASETS = components().datasets.list().map((e) => describeDataset(e.component));
    expect(BUILTIN_DATASETS.map((d) => [d.name, d.task, d.format])).toEqual([
      ['mnist-multilabel', 'multilabel', 'coco'],
      ['mnist', 'singlelabel', 'imagefolder'],
      ['mnist-detection', 'detection', 'coco'],
      ['mnist-colour-multilabel', 'multilabel', 'coco'],
    ]);
    expect(BUILTIN_DATASETS[0].defaults).toEqual({ trainCount: 12000, valCount: 2000, missingLabels: 0, seed: 0 });
    expect(BUILTIN_DATASETS[0].readerOptions).toEqual({ allowEmpty: true });
    expect(BUILTIN_DATASETS[1].defaults).toEqual({ trainCount: 60000, valCount: 10000 });
    expect(BUILTIN_DATASETS[2].defaults).toEqual({ trainCount: 6000, valCount: 1000, seed: 0 });
    expect(BUILTIN_DATASETS[3].defaults).toEqual({ trainCount: 12000, valCount: 2000, missingLabels: 0, classSkew: 1, seed: 0 });
    expect(BUILTIN_DATASETS[3].readerOptions).toEqual({ allowEmpty: true });
  });

  it('generates once into <name>-<hash>-v1, atomically, then returns the cached folder', () => {
    const cacheDir = path.join(dir, 'c1');
    // A leftover of an interrupted generation is never taken for a dataset.
    writeText(path.join(cacheDir, '.tmp-mnist-multilabel-leftover', 'train', 'x.png'), '');
    const root = ensureBuiltinDataset(MNIST_MULTILABEL, { cacheDir, ...tiny });
    expect(path.dirname(root)).toBe(cacheDir);
    expect(path.basename(root)).toMatch(/^mnist-multilabel-[0-9a-f]{12}-v1$/);
    const manifest = JSON.parse(fs.readFileSync(path.join(root, MANIFEST_FILE), 'utf8'));
    expect(manifest).toMatchObject({ name: 'mnist-multilabel', version: 1, options: { trainCount: 3, valCount: 2, missingLabels: 0, seed: 0 } });
    expect(fs.readdirSync(cacheDir).filter((n) => n.startsWith('.tmp-'))).toEqual(['.tmp-mnist-multilabel-leftover']);
    const before = hashTree(root);
    const mtime = fs.statSync(path.join(root, MANIFEST_FILE)).mtimeMs;
    const start = Date.now();
    // Defaults spelled out give the same key; the second call does not regenerate.
    expect(ensureBuiltinDataset(MNIST_MULTILABEL, { cacheDir, ...tiny, seed: 0 })).toBe(root);
    expect(Date.now() - start).toBeLessThan(200);
    expect(fs.statSync(path.join(root, MANIFEST_FILE)).mtimeMs).toBe(mtime);
    expect(hashTree(root)).toEqual(before);
    const other = ensureBuiltinDataset(MNIST_MULTILABEL, { cacheDir, ...tiny, seed: 1 });
    expect(other).not.toBe(root);
    expect(fs.readdirSync(cacheDir).sort()).toEqual(['.tmp-mnist-multilabel-leftover', path.basename(root), path.basename(other)].sort());
  });

  it('uses $ASL_RUN_CACHE when no cacheDir is given', () => {
    const saved = process.env.ASL_RUN_CACHE;
    process.env.ASL_RUN_CACHE = path.join(dir, 'env');
    try {
      expect(path.dirname(ensureBuiltinDataset(MNIST_DETECTION, tiny))).toBe(path.join(dir, 'env'));
    } finally {
      if (saved === undefined) delete process.env.ASL_RUN_CACHE;
      else process.env.ASL_RUN_CACHE = saved;
    }
  });

  it('rejects unknown datasets and options, bad values and non-empty output folders, leaving nothing behind', () => {
    const cacheDir = path.join(dir, 'c2');
    expect(() => components().datasets.get('cifar')).toThrow("data.builtin: unknown built-in dataset 'cifar' (known: mnist-multilabel, mnist, mnist-detection, mnist-colour-multilabel)");
    const configError = (fn: () => unknown, message: string) => {
      const thrown = (() => {
        try {
          fn();
        } catch (err) {
          return err;
        }
      })();
      expect(thrown).toBeInstanceOf(ConfigError);
      expect((thrown as Error).message).toBe(message);
    };
    configError(() => ensureBuiltinDataset(MNIST_FOLDER, { cacheDir, seed: 1 }), "built-in dataset 'mnist': unknown option 'seed' (known: trainCount, valCount)");
    configError(() => ensureBuiltinDataset(MNIST_FOLDER, { cacheDir, trainCount: 60001 }), "built-in dataset 'mnist': trainCount: expected an integer in [100, 60000], got 60001");
    configError(() => ensureBuiltinDataset(MNIST_FOLDER, { cacheDir, trainCount: 150.5 }), "built-in dataset 'mnist': trainCount: expected an integer in [100, 60000], got 150.5");
    configError(
      () => ensureBuiltinDataset(MNIST_MULTILABEL, { cacheDir, missingLabels: '0.5' }),
      `built-in dataset 'mnist-multilabel': missingLabels: expected a number in [0, 0.99], got "0.5"`,
    );
    // `asl-run data make --options '…'` names the flag instead.
    configError(() => writeBuiltinDataset(MNIST_DETECTION, path.join(dir, 'never'), { bogus: 1 }, inFile('--options')), "--options: unknown option 'bogus' (known: trainCount, valCount, seed)");
    expect(fs.existsSync(path.join(dir, 'never'))).toBe(false);
    expect(fs.existsSync(cacheDir)).toBe(false);
    const out = path.join(dir, 'busy');
    writeText(path.join(out, 'keep.txt'), 'mine');
    expectDataError(() => writeBuiltinDataset(MNIST_DETECTION, out, tiny), `${out}: output folder is not empty`);
    expect(fs.readdirSync(out)).toEqual(['keep.txt']);
  });
});
