export { tinyDataset, tinyDatasetContribution } from './tiny-dataset.js';
export type { TinyDatasetOptions, TinyModalityOptions } from './tiny-dataset.js';
