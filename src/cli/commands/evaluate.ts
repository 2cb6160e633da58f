/** `asl-run eval --run DIR`: evaluate a trained run's final model on its validation split again. */
import * as path from 'path';
import type { Argv, CommandModule } from 'yargs';
import { createContext, GlobalOptions } from '../context';
import { readRunConfig, RUN_FILES } from '../../core/engine/run';
import { disposeModel, loadLayersModel } from '../../core/engine/model-io';
import { writeFileAtomic } from '../../core/engine/safe-files';
import { checkNotLocked } from '../../core/engine/run-lock';

interface EvalArgs extends GlobalOptions {
  run: string;
}

export const evalCommand: CommandModule<GlobalOptions, EvalArgs> = {
  command: 'eval',
  describe: "Evaluate a run's final model on its validation split; prints the metrics as JSON and writes <run>/eval.json (detection: also <run>/detections.json, COCO results format)",
  builder: (y) => y.option('run', { type: 'string', demandOption: true, describe: 'Run folder written by training' }) as unknown as Argv<EvalArgs>,
  handler: async (args) => {
    const ctx = await createContext(args);
    // It writes into the run folder, and the model may be mid-save: not while a training run holds it.
    checkNotLocked(args.run);
    const { classes, ...config } = readRunConfig(args.run);
    const task = ctx.tasks.get(config.task);
    const model = await loadLayersModel(path.join(args.run, RUN_FILES.model), ctx.log);
    const prepared = await task.prepare(config, { log: ctx.log }, { model, classes });
    if (prepared.classes.join('\n') !== classes.join('\n')) {
      throw new Error(`${args.run}: the validation data's classes differ from the ones the model was trained on`);
    }
    const metrics = await prepared.adapter.evaluate();
    const result = { task: config.task, loss: config.loss, backend: ctx.backend.name, metrics, skipped: prepared.skips.counts() };
    writeFileAtomic(path.join(args.run, 'eval.json'), [`${JSON.stringify(result, null, 2)}\n`]);
    for (const [name, value] of Object.entries(prepared.adapter.evaluationFiles?.() ?? {})) {
      writeFileAtomic(path.join(args.run, name), [`${JSON.stringify(value)}\n`]);
      ctx.log(`asl-run: wrote ${path.join(args.run, name)}`);
    }
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    disposeModel(model);
  },
};
