/** Interim placeholder until the head modules land. */
import type { Named } from '../../core/registry/registry';

export interface DetectionHead extends Named {
  readonly description: string;
}

export function checkDetectionHead(candidate: unknown, source: string): DetectionHead {
  throw new Error(`plugin ${source}: detection heads are not pluggable yet (${String(candidate)})`);
}
