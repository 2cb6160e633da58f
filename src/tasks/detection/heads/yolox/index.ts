import type { DetectionHead } from '../../head';
import type { Registry } from '../../../../core/registry/registry';
import type { AssignerEntry } from './assigners';
export const createYoloxHead = (_assigners: Registry<AssignerEntry>): DetectionHead => ({ name: 'yolox', description: 'interim' });
