/**
 * The hook table (STYLE.md H10): each hook's kind and its place in a training step. The hook runner's types
 * and docs/hooks.md are derived from this table; the hook-order test checks a recorded run against it.
 * - observe: returns nothing, all observers run;
 * - decide: the strategy's answer is used (the strategy is the only decider in a run);
 * - reduce: takes a value and returns a replacement.
 * Phases: `epoch` hooks run once per epoch, `step` hooks once per training step (in `order`), `predict` hooks
 * wherever the model's fused output is formed (training forward, evaluation passes), outside the step order.
 */
export const HOOKS = {
  onEpochBegin: { kind: 'observe', phase: 'epoch', order: 0 },
  chooseForwardMode: { kind: 'decide', phase: 'step', order: 1 },
  wrapLoss: { kind: 'reduce', phase: 'step', order: 2 },
  lossTerms: { kind: 'decide', phase: 'step', order: 3 },
  onAfterBackward: { kind: 'observe', phase: 'step', order: 4 },
  transformGradients: { kind: 'reduce', phase: 'step', order: 5 },
  updateMask: { kind: 'decide', phase: 'step', order: 6 },
  onEpochEnd: { kind: 'observe', phase: 'epoch', order: 7 },
  onValidationEnd: { kind: 'observe', phase: 'epoch', order: 8 },
  fuseLogits: { kind: 'decide', phase: 'predict', order: 9 },
} as const;

export type HookName = keyof typeof HOOKS;
export type HookKind = (typeof HOOKS)[HookName]['kind'];
