/** Built-in datasets generated from MNIST, written in the user-facing formats. */
export { BUILTIN_VERSION, DatasetRegistry, describeDataset, MANIFEST_FILE, writeBuiltinDataset } from './catalog';
export type { BuiltinDescription } from './catalog';
export { givenOptionsSchema } from './generator';
export { ensureBuiltinDataset } from './cache';
export { defaultCacheDir } from '../../cache-entry';
export type { EnsureBuiltinOptions } from './cache';
export { readIdx, loadMnist } from './idx';
export type { IdxArray, MnistSplit } from './idx';
