/**
 * The assigners of the YOLOX head as registry entries: `taskOptions.assigner` names one of the
 * assigner registry, which the composition root fills with these and `--plugin` files may extend.
 */
import type { Named } from '../../../../core/registry/registry';
import { CenterPriorAssigner, type Assigner } from './assigner';
import { SimOtaAssigner } from './simota';
import type { YoloxOptions } from './options';

/** An assigner of the registry: `taskOptions.assigner` names it. */
export interface AssignerEntry extends Named {
  readonly description: string;
  /** The assigner of a run with these options; may throw a one-line error naming a bad option. */
  create(options: YoloxOptions): Assigner;
}

export const simOtaAssigner: AssignerEntry = {
  name: 'simota',
  description: "YOLOX's SimOTA: from the predictions, dynamic k per box at the lowest cls + 3·IoU cost",
  create: () => new SimOtaAssigner(),
};

export const centerPriorAssigner: AssignerEntry = {
  name: 'center-prior',
  description: "FCOS's static rule: inside the box, within centerSampleRadius strides of its centre, levelBounds by size",
  create: (options) => new CenterPriorAssigner(options.centerSampleRadius),
};
