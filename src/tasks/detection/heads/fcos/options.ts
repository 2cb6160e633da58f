/**
 * FCOS's own options (besides the shared ones of ../options.ts) and their defaults: narrow towers
 * (2 convs instead of FCOS's 4, on the shared 32 channels) so that the default run fits 15 minutes
 * on a 2-core CPU.
 */
import { integerIn, numberIn, z } from '../../../../core/schema';
import type { DetectionOptions } from '../../options';

export const fcosOptionsSchema = z.strictObject({
  towerConvs: integerIn({ min: 0 }).describe('conv3x3 + GroupNorm + ReLU blocks per tower (FCOS: 4)'),
  groupNormGroups: integerIn({ min: 1 }).describe('GroupNorm groups in the towers; must divide `channels`'),
  centerSampleRadius: numberIn({ min: 0 }).describe('Center sampling: a location is a positive candidate only within radius x stride of the box centre (0 disables)'),
  centernessWeight: numberIn({ min: 0 }).describe('Weight of the centerness term'),
});

export type FcosOptions = DetectionOptions & z.output<typeof fcosOptionsSchema>;

export const FCOS_DEFAULTS: Readonly<z.output<typeof fcosOptionsSchema>> = Object.freeze({
  towerConvs: 2,
  groupNormGroups: 8,
  centerSampleRadius: 1.5,
  centernessWeight: 1,
});

export function checkFcosOptions(options: DetectionOptions, problem: (key: string, message: string) => void): void {
  const { channels, groupNormGroups } = options as FcosOptions;
  if (channels % groupNormGroups !== 0) problem('groupNormGroups', `must divide channels (${channels}), got ${groupNormGroups}`);
}
