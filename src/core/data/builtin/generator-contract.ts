/**
 * The contract of a built-in dataset registered by a plugin (`api.datasets.register(generator)`):
 * its declared task, format and reader options, and option specs whose defaults lie in their own
 * ranges — an inconsistent spec would otherwise surface only when a user's value is checked
 * against it, naming the user's option instead of the plugin.
 */
import { z } from '../../schema';
import { checkContract, fn, identifier, text } from '../../registry/contract';
import type { BuiltinGenerator } from './generator';

const finite = () => z.number({ error: 'a finite number' });

const optionSpec = z
  .object({ default: finite(), min: finite(), max: finite(), integer: z.boolean({ error: 'true or false' }), help: text() }, { error: 'an option spec { default, min, max, integer, help }' })
  .refine((s) => s.min <= s.max, { error: 'min must not exceed max', path: ['max'] })
  .refine((s) => s.default >= s.min && s.default <= s.max, { error: 'the default must lie in [min, max]', path: ['default'] })
  .refine((s) => !s.integer || [s.default, s.min, s.max].every(Number.isInteger), { error: 'an integer option needs integer default, min and max', path: ['default'] });

const generatorContract = z.object(
  {
    name: identifier(),
    task: z.enum(['multilabel', 'singlelabel', 'detection'], { error: "one of 'multilabel', 'singlelabel', 'detection'" }),
    format: z.enum(['coco', 'imagefolder'], { error: "one of 'coco', 'imagefolder'" }),
    description: text(),
    options: z.record(z.string().regex(/^[a-z][A-Za-z0-9]*$/, { error: 'a camelCase option name' }), optionSpec, { error: 'an object of option specs' }),
    readerOptions: z.object({ allowEmpty: z.boolean({ error: 'true or false' }).optional() }, { error: 'an object { allowEmpty? }' }),
    write: fn(),
  },
  { error: 'a built-in dataset object { name, task, format, description, options, readerOptions, write }' },
);

/** @throws PluginError `plugin <source>: <field>: …` when the generator breaks the contract. */
export function checkBuiltinGenerator(candidate: unknown, source: string): BuiltinGenerator {
  return checkContract<BuiltinGenerator>(generatorContract, candidate, source);
}
