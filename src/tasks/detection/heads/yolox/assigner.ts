/**
 * Foreground assignment of the YOLOX head: which ground-truth box (if any) each location of one
 * image learns. Assigners run on host arrays during the loss, with the image's decoded predictions
 * (SimOTA needs them; the center prior does not). Only regular boxes reach an assigner: locations
 * inside ignored (crowd, difficult) boxes are handled by the loss targets. The assigners
 * `taskOptions.assigner` may name are the entries of the assigner registry (assigners.ts).
 */
import type { BoxXYWH } from '../../../../core/data/records';
import type { LocationGrid } from '../../locations';
import { assignTargets, NEGATIVE } from '../../targets';
import type { DecodedPredictions } from './decode';
import { PluginError, reason } from '../../../../core/registry/plugin-guard';
import type { AssignerEntry, YoloxOptions } from './index';

export interface AssignerInput {
  grid: LocationGrid;
  /** [G] boxes in network-input pixels [x, y, w, h]. */
  boxes: readonly BoxXYWH[];
  /** [G] class index per box, in [0, numClasses). */
  labels: readonly number[];
  numClasses: number;
  /** The image's predictions at every location. */
  predictions: DecodedPredictions;
}

export interface Assigner {
  readonly name: string;
  /** @returns [L] the index of the box each location is foreground for, or NEGATIVE (-1). */
  assign(input: AssignerInput): Int32Array;
}

/**
 * The static center prior (FCOS's positives, as a YOLOX assigner): a location is foreground for a
 * box when it lies strictly inside the box and within `radius` strides of the box centre, and the
 * box's largest ltrb distance from it is in its level's range (LocationGrid's levelBounds); of
 * several such boxes, the smallest wins. The predictions are not used.
 */
export class CenterPriorAssigner implements Assigner {
  readonly name = 'center-prior';

  constructor(private readonly radius: number) {
    if (!(radius > 0)) throw new Error(`center-prior assigner: radius must be > 0 strides, got ${radius}`);
  }

  assign(input: AssignerInput): Int32Array {
    const { boxes } = input;
    // FCOS's rule with each box's index as its label gives the matched box per location.
    const t = assignTargets(input.grid, { boxes, labels: boxes.map((_, i) => i), ignore: boxes.map(() => false) }, this.radius);
    return t.labels.map((b) => (b >= 0 ? b : NEGATIVE));
  }
}

/**
 * The assigner of a plugin's entry, every call checked: what it throws, or a match that is not one
 * box index (or NEGATIVE) per location, stops the run with one line naming `source` (its file).
 */
export function pluginAssigner(entry: AssignerEntry, source: string, options: YoloxOptions): Assigner {
  const where = `plugin ${source}: assigner '${entry.name}'`;
  const run = <T>(part: string, call: () => T): T => {
    try {
      return call();
    } catch (err) {
      throw new PluginError(`${where}: ${part} failed (${reason(err)})`);
    }
  };
  const assigner = run('create()', () => entry.create(options));
  return {
    name: entry.name,
    assign(input) {
      const matched = run('assign()', () => assigner.assign(input));
      if (!(matched instanceof Int32Array) || matched.length !== input.grid.count || matched.some((g) => g < NEGATIVE || g >= input.boxes.length)) {
        throw new PluginError(`${where}: assign() must return an Int32Array of ${input.grid.count} box indices in [0, ${input.boxes.length}) or ${NEGATIVE}`);
      }
      return matched;
    },
  };
}
