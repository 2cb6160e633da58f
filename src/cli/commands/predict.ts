/** `asl-run predict --run DIR image…`: the trained model's predictions per image, as JSON on stdout. */
import * as path from 'path';
import type { Argv, CommandModule } from 'yargs';
import { createContext, GlobalOptions } from '../context';
import { readRunConfig, RUN_FILES } from '../../core/engine/run';
import { disposeModel, loadLayersModel } from '../../core/engine/model-io';
import { writeDrawnPredictions } from '../draw-predictions';
import { asFlags, integerIn, numberIn, parseOrThrow, z } from '../../core/schema';

const PREDICT_OPTIONS = z.object({ top: integerIn({ min: 1 }), 'draw-min-score': numberIn({ min: 0, max: 1 }) });

interface PredictArgs extends GlobalOptions {
  run: string;
  images: string[];
  top: number;
  draw?: string;
  'draw-min-score': number;
}

export const predictCommand: CommandModule<GlobalOptions, PredictArgs> = {
  command: 'predict <images..>',
  describe: 'Predict with a trained run: JSON with the label scores (or boxes) of each image',
  builder: (y) =>
    y
      .positional('images', { type: 'string', array: true, describe: 'PNG or JPEG files' })
      .option('run', { type: 'string', demandOption: true, describe: 'Run folder written by training' })
      .option('top', { type: 'number', default: 5, describe: 'How many top-scoring labels to list per image' })
      .option('draw', { type: 'string', describe: 'Also write each image with its predictions drawn (boxes, or top labels) as DIR/<name>.png' })
      .option('draw-min-score', { type: 'number', default: 0.3, describe: 'With --draw: leave out boxes scoring below this (the JSON keeps them)' }) as unknown as Argv<PredictArgs>,
  handler: async (args) => {
    parseOrThrow(PREDICT_OPTIONS, { top: args.top, 'draw-min-score': args['draw-min-score'] }, asFlags);
    const ctx = await createContext(args);
    const { classes, ...config } = readRunConfig(args.run);
    const task = ctx.tasks.get(config.task);
    const model = await loadLayersModel(path.join(args.run, RUN_FILES.model), ctx.log);
    // Predictions must not depend on a training-only option.
    const predictions = await task.predict(model, { ...config, data: { ...config.data, skipBad: false } }, classes, args.images, { topK: args.top });
    if (args.draw !== undefined) {
      const files = writeDrawnPredictions(args.draw, predictions, classes, args['draw-min-score']);
      ctx.log(`asl-run: drew ${files.length} image(s) into ${args.draw}`);
    }
    process.stdout.write(`${JSON.stringify(predictions, null, 2)}\n`);
    disposeModel(model);
  },
};
