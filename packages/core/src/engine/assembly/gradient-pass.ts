import { installLeanBackprop, uninstallLeanBackprop } from '@ungreedy/backend';
import type { GradientPass } from './tokens.js';

let holders = 0;

/**
 * Installs the lean backward pass (it frees each intermediate gradient as soon as it is used, as PyTorch's autograd
 * does: same values, about a quarter less peak memory per step; docs/backends.md, "Memory") for one run. Runs in
 * one process may overlap (tests, kits): the stock pass comes back when the last of them restores, and a second
 * `restore` of one handle does nothing.
 */
export function leanGradientPass(): GradientPass {
  if (holders === 0) installLeanBackprop();
  holders += 1;
  let restored = false;
  return {
    restore() {
      if (restored) return;
      restored = true;
      holders -= 1;
      if (holders === 0) uninstallLeanBackprop();
    },
  };
}
