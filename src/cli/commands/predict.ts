/** `asl-run predict --run DIR image…`: the trained model's predictions per image, as JSON on stdout. */
import * as path from 'path';
import type { Argv, CommandModule } from 'yargs';
import { createContext, GlobalOptions } from '../context';
import { readRunConfig, RUN_FILES } from '../../core/engine/run';
import { loadLayersModel } from '../../core/engine/model-io';
import { TOKENS } from '../../core/container';
import type { TaskRegistry } from '../../core/registry/task-registry';

interface PredictArgs extends GlobalOptions {
  run: string;
  images: string[];
  top: number;
}

export const predictCommand: CommandModule<GlobalOptions, PredictArgs> = {
  command: 'predict <images..>',
  describe: 'Predict with a trained run: JSON with the label scores (or boxes) of each image',
  builder: (y) =>
    y
      .positional('images', { type: 'string', array: true, describe: 'PNG or JPEG files' })
      .option('run', { type: 'string', demandOption: true, describe: 'Run folder written by training' })
      .option('top', { type: 'number', default: 5, describe: 'How many top-scoring labels to list per image' }) as unknown as Argv<PredictArgs>,
  handler: async (args) => {
    const ctx = await createContext(args);
    const { classes, ...config } = readRunConfig(args.run);
    const task = ctx.container.get<TaskRegistry>(TOKENS.TaskRegistry).get(config.task);
    const model = await loadLayersModel(path.join(args.run, RUN_FILES.model));
    // Predictions must not depend on a training-only option.
    const predictions = await task.predict(model, { ...config, data: { ...config.data, skipBad: false } }, classes, args.images, { topK: args.top });
    process.stdout.write(`${JSON.stringify(predictions, null, 2)}\n`);
    model.dispose();
  },
};
