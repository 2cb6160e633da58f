import type { Named } from '../../../../core/registry/registry';
export interface AssignerEntry extends Named { description: string; create(): unknown }
export const simOtaAssigner: AssignerEntry = { name: 'simota', description: 'interim', create: () => undefined };
export const centerPriorAssigner: AssignerEntry = { name: 'center-prior', description: 'interim', create: () => undefined };
