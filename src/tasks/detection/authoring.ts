/**
 * What a detection head's author needs, exported as `detection` from the package
 * (`const { detection } = require('asl-run')`): the head's types, zod with the option helpers whose
 * errors read like asl-run's own, and the pieces the built-in heads are made of (the center-prior
 * assignment and its packed targets, box coding, GIoU). A plugin head is checked on load by
 * `checkDetectionHead`. examples/plugins/custom-detection-head.js is a complete one.
 */
export type { DetectionHead, HeadLoss, HeadLossContext, HeadModelInput } from './head';
export type { DetectionOptions } from './options';
export type { RowDecoder } from './postprocess';
export type { LocationGrid, LevelRange } from './locations';
export type { BoxesToAssign, FcosTargets } from './targets';
export type { PackedTargets } from './heads/fcos/loss';
export type { Assigner, AssignerInput } from './heads/yolox/assigner';
export type { AssignerEntry } from './heads/yolox/assigners';

export { z, integerIn, numberIn, oneOf } from '../../core/schema';
export { sharedOptionsShape, SHARED_DEFAULTS } from './options';
/** FCOS's static rule (inside the box, center sampling, level ranges) → per-location labels, ltrb targets and centerness. */
export { assignTargets, IGNORED, NEGATIVE } from './targets';
/** A batch of assignTargets' targets as flat arrays over its B·L locations. */
export { packTargets } from './heads/fcos/loss';
export { decodeBox, encodeBox, MAX_LOG_DISTANCE } from './box-coding';
export { giouLoss } from './giou';
export { sigmoid } from './postprocess';
export { checkDetectionHead } from './head-contract';
