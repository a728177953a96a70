import type { KernelConfig } from '@tensorflow/tfjs-core';

/** Stock kernel configs that the project replaced, by `${backend}/${kernel}` (filled by index.ts). */
export const replacedStockKernels = new Map<string, KernelConfig>();
