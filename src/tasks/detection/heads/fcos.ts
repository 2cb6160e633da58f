import type { DetectionHead } from '../head';
export const fcosHead: DetectionHead = { name: 'fcos', description: 'interim' };
