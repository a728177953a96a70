/**
 * Parameter groups (docs/method.md#parameter-groups), declared by whoever creates the parameter, never inferred from names:
 * - `branch/k`: encoder of modality k (θ_k of the paper, with `head/k`);
 * - `head/k`: the classifier on branch k's features;
 * - `fusion/k`: fusion parameters that reach only branch k (MMTM's excitation layer for k);
 * - `fusion/shared`: fusion parameters that reach every branch (MMTM's joint squeeze layer), counted in every θ'_k;
 * - `head/shared`: one linear head applied to every modality's features (`model.heads: shared`, MLA);
 * - `head/fused`: a linear classifier over the concatenated features (`model.fused: concat`).
 * The learning-speed probe counts only `branch/k`, `head/k`, `fusion/k` and `fusion/shared`.
 */
export type ParamGroupId =
  | `branch/${number}`
  | `head/${number}`
  | `fusion/${number}`
  | 'fusion/shared'
  | 'head/shared'
  | 'head/fused';

export const branchGroup = (k: number): ParamGroupId => `branch/${k}`;
export const headGroup = (k: number): ParamGroupId => `head/${k}`;
export const fusionGroup = (k: number): ParamGroupId => `fusion/${k}`;
export const SHARED_FUSION_GROUP: ParamGroupId = 'fusion/shared';
export const SHARED_HEAD_GROUP: ParamGroupId = 'head/shared';
export const FUSED_HEAD_GROUP: ParamGroupId = 'head/fused';

/** θ_k: the groups whose learning is branch k learning from its own modality. */
export function mainGroups(k: number): ParamGroupId[] {
  return [branchGroup(k), headGroup(k)];
}

/** θ'_k: the fusion groups through which the other modalities reach branch k. */
export function bypassGroups(k: number): ParamGroupId[] {
  return [fusionGroup(k), SHARED_FUSION_GROUP];
}

/**
 * Which parameters a re-balancing step updates (docs/method.md#balancing): `all` that received a gradient (the reference code),
 * or only the helped modality's θ_k and θ'_k (`helped-branch`, the paper's prose). Returns the mask for
 * `BalancingStrategy.updateMask`: undefined means every group.
 */
export function rebalanceUpdateMask(
  mode: { readonly kind: string; readonly modality?: number },
  updates: 'all' | 'helped-branch',
): ReadonlySet<ParamGroupId> | undefined {
  if (updates === 'all' || mode.kind !== 'rebalance' || mode.modality === undefined) return undefined;
  return new Set([...mainGroups(mode.modality), ...bypassGroups(mode.modality)]);
}
