/** Every shipped config in configs/ resolves as `--config` would, with a registered loss and valid task options. */
import type { DatasetRegistry } from '../../src/core/data/builtin';
import * as fs from 'fs';
import * as path from 'path';
import { createContainer, TOKENS } from '../../src/core/container';
import type { LossRegistry } from '../../src/core/registry/loss-registry';
import type { TaskRegistry } from '../../src/core/registry/task-registry';
import { resolveRunConfig } from '../../src/cli/train-options';

const CONFIG_DIR = path.resolve(__dirname, '../../configs');
const files = fs.readdirSync(CONFIG_DIR).filter((f) => f.endsWith('.json') && f !== 'config.schema.json').sort();

describe('configs/', () => {
  const container = createContainer();
  const tasks = container.get<TaskRegistry>(TOKENS.TaskRegistry);
  const losses = container.get<LossRegistry>(TOKENS.LossRegistry);
  const datasets = container.get<DatasetRegistry>(TOKENS.DatasetRegistry);

  it('holds a config for every task', () => {
    const covered = new Set(files.map((f) => JSON.parse(fs.readFileSync(path.join(CONFIG_DIR, f), 'utf8')).task));
    expect([...covered].sort()).toEqual(['detection', 'multilabel', 'singlelabel']);
  });

  it.each(files)('%s resolves, names a registered loss with valid parameters, and keeps its own values', (file) => {
    const text = JSON.parse(fs.readFileSync(path.join(CONFIG_DIR, file), 'utf8'));
    const config = resolveRunConfig(tasks, undefined, path.join(CONFIG_DIR, file), {}, datasets);
    expect(config.task).toBe(text.task);
    expect(config.loss).toBe(text.loss);
    expect(config.model).toMatchObject(text.model ?? {});
    expect(config.train).toMatchObject(text.train ?? {});
    const loss = losses.create(config.loss, config.lossParams);
    expect(loss.name).toBe(config.loss);
    if (config.task === 'detection') {
      // resolveRunConfig checked the options with the schema of their head.
      const options = config.taskOptions;
      expect(options).toMatchObject(text.taskOptions ?? {});
      if (options.head === 'yolox') losses.create(options.objLoss as string, options.objLossParams as never);
    }
  });
});
