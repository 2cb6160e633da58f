/** The dataset format readers and split discovery. */
export { IMAGE_EXTENSIONS } from './reader-support';
export type { ReadOptions, MultiLabelReadOptions } from './reader-support';
export { readCocoMultiLabel, readCocoDetection } from './coco';
export type { CocoDetectionDataset } from './coco';
export type { CocoGroundTruth, CocoImage, CocoAnnotation, CocoCategory } from './coco-gt';
export { readCsvMultiLabel, readCsvSingleLabel } from './csv';
export type { CsvReadOptions } from './csv';
export { readImageFolder } from './image-folder';
export { readVoc, VOC_CLASSES } from './voc';
export { resolveSplits } from './splits';
export type { ResolvedSplits, TaskKind, CocoSplit } from './splits';
export { BOX_TOLERANCE_PX } from './box-check';
