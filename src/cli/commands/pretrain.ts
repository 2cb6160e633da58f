/**
 * `asl-run pretrain [--backbone B] [--width W]`: the built-in pretraining of a backbone (see
 * core/engine/pretrained.ts), run once into the cache; `--pretrained builtin` runs use it. A
 * second call finds it there and says so.
 */
import type { Argv, CommandModule } from 'yargs';
import { createContext, type GlobalOptions } from '../context';
import { TOKENS } from '../../core/container';
import { baseRunConfig } from '../../core/run-config';
import { describeRequest, ensurePretrained, RECIPE_ENV, type PretrainRequest } from '../../core/engine/pretrained';
import { formatDuration } from '../../core/engine/progress';
import type { BackboneRegistry } from '../../backbones/registry';

interface PretrainArgs extends GlobalOptions {
  backbone?: string;
  width?: number;
  'stem-stride'?: number;
  'cache-dir'?: string;
}

export const pretrainCommand: CommandModule<GlobalOptions, PretrainArgs> = {
  command: 'pretrain',
  describe: 'Pretrain a backbone on the built-in single-label set, once, into the cache (used by --pretrained builtin)',
  builder: (y) =>
    y
      .option('backbone', { type: 'string', describe: `Backbone to pretrain (default ${baseRunConfig().model.backbone}, the tasks' default); a --plugin one too` })
      .option('width', { type: 'number', describe: 'Backbone width multiplier (default 1)' })
      .option('stem-stride', { type: 'number', choices: [1, 2], describe: 'Stem stride (default 2)' })
      .option('cache-dir', { type: 'string', describe: 'Cache folder (default $ASL_RUN_CACHE, else ~/.cache/asl-run)' })
      .epilogue(`The recipe: the singlelabel task's default run on the built-in mnist with this backbone. $${RECIPE_ENV} (config keys as JSON) changes it, and the cache key with it.`) as unknown as Argv<PretrainArgs>,
  handler: async (args) => {
    const ctx = await createContext(args);
    const base = baseRunConfig().model;
    const request: PretrainRequest = {
      backbone: args.backbone ?? base.backbone,
      widthMultiplier: args.width ?? base.widthMultiplier,
      stemStride: (args['stem-stride'] ?? base.stemStride) as PretrainRequest['stemStride'],
    };
    const backbones = ctx.container.get<BackboneRegistry>(TOKENS.BackboneRegistry);
    const result = await ensurePretrained({ engine: ctx.engine, tasks: ctx.tasks, backbones }, request, {
      cacheDir: args['cache-dir'],
      backend: args.backend,
      env: { log: ctx.log },
      run: { quiet: args.quiet },
    });
    const accuracy = `top-1 ${result.top1.toFixed(2)} %`;
    const how = result.trained ? `pretrained in ${formatDuration(result.seconds)} (${accuracy})` : `found in the cache (pretrained earlier in ${formatDuration(result.seconds)}, ${accuracy})`;
    process.stdout.write(`${describeRequest(request)}: ${how}: ${result.dir}\n`);
  },
};
