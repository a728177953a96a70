import { getCoreSchema } from '@ungreedy/core';

/**
 * Whether the installed core builds a model with one head shared by every modality (`model.heads: 'shared'`,
 * docs/mla.md "Model settings"). Tests that train MLA with the real engine run only when it does.
 */
export function coreHasSharedHeads(): boolean {
  const model = (getCoreSchema() as { properties?: { model?: { properties?: Record<string, unknown> } } }).properties?.model;
  return model?.properties?.['heads'] !== undefined;
}
