/**
 * The hook table (STYLE.md H10): each hook's kind and its place in a training step. The hook runner's types
 * and docs/hooks.md are derived from this table; the hook-order test checks a recorded run against it.
 * - observe: returns nothing, all observers run;
 * - decide: the strategy's answer is used (the strategy is the only decider in a run);
 * - reduce: takes a value and returns a replacement.
 */
export const HOOKS = {
  onEpochBegin: { kind: 'observe', phase: 'epoch', order: 0 },
  chooseForwardMode: { kind: 'decide', phase: 'step', order: 1 },
  wrapLoss: { kind: 'reduce', phase: 'step', order: 2 },
  onAfterBackward: { kind: 'observe', phase: 'step', order: 3 },
  updateMask: { kind: 'decide', phase: 'step', order: 4 },
  onEpochEnd: { kind: 'observe', phase: 'epoch', order: 5 },
} as const;

export type HookName = keyof typeof HOOKS;
export type HookKind = (typeof HOOKS)[HookName]['kind'];
