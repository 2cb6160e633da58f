/**
 * One training step of every task's default model on wasm and then on webgpu, from the same weights
 * and batch (test/backend-parity/native-steps.js's step), in a process of its own: run on dist/, as
 * the CLI, with the wasm kernels and gradient overrides asl-run registers process-wide already in
 * place when webgpu runs. The webgpu Adam update gets wasm's gradients, so that it is compared alone.
 *
 * node webgpu-steps.js CACHE_DIR → one JSON line on stdout:
 *   [{ task, taskOptions, loss: { wasm, webgpu }, gradDifference, updateDifference, leaked }] or,
 *   where webgpu's step threw, [{ task, taskOptions, error }]
 */
const { TASKS, compareStep } = require('../backend-parity/native-steps');

async function main() {
  const [cacheDir] = process.argv.slice(2);
  const results = [];
  for (const [task, taskOptions] of TASKS) {
    try {
      results.push(await compareStep('webgpu', task, taskOptions, cacheDir));
    } catch (err) {
      results.push({ task, taskOptions, error: String(err.message).split('\n')[0] });
    }
  }
  process.stdout.write(`${JSON.stringify(results)}\n`);
}

main().catch((err) => {
  process.stderr.write(`${err.stack}\n`);
  process.exit(1);
});
