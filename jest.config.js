/** Tests run one wasm compute thread per jest worker (two workers on two cores); the threaded backend has its own test. */
process.env.ASL_RUN_THREADS ??= '1';
/**
 * Detection starts from the built-in pretrained backbone by default (pretrained: auto); tests get a
 * tiny pretraining recipe (its own cache key) so that each test cache pretrains in seconds.
 */
process.env.ASL_RUN_PRETRAIN_RECIPE ??= JSON.stringify({ data: { builtinOptions: { trainCount: 256, valCount: 100 } }, train: { epochs: 1, batchSize: 32, lr: 0.01, ema: { enabled: false } } });
/** Dawn's OpenGL ES adapter needs it in the real environment, which a test's process.env (a copy) does not reach. */
process.env.EGL_PLATFORM ??= 'surfaceless';
/** What asl-run's setNativeDefaults sets for TensorFlow, which reads it from the real environment when its library loads in a test. */
process.env.TF_ENABLE_ONEDNN_OPTS ??= '0';
process.env.TF_CPP_MIN_LOG_LEVEL ??= '1';

/** Tests are TypeScript, transpiled by swc (type checking is `npm run build`'s job). */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test', '<rootDir>/examples'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.ts$': ['@swc/jest', { jsc: { target: 'es2022', parser: { syntax: 'typescript' } }, module: { type: 'commonjs' } }] },
  testTimeout: 120000,
  maxWorkers: 2,
};
