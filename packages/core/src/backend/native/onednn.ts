import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

/** The native addon built from `packages/core/native/onednn-conv.cc` (see that file for the parameter layout). */
export interface OneDnnAddon {
  /** op 0 forward, 1 backward data, 2 backward weights; `heap` is the wasm memory, `params` offsets and sizes. */
  run(op: 0 | 1 | 2, heap: ArrayBufferLike, params: Float64Array): void;
  /** oneDNN's version, e.g. "2.6.3". */
  version(): string;
}

/** Where `npm run build` (packages/core/native/build-native.mjs) puts the addon, from the package root. */
export const ONEDNN_ADDON_PATH = 'dist/native/ungreedy-onednn.node';

export type OneDnnStatus = { readonly ok: true; readonly addon: OneDnnAddon; readonly detail: string } | { readonly ok: false; readonly reason: string };

let status: OneDnnStatus | undefined;

/**
 * Loads the oneDNN convolution addon once per process, or says why not. It is optional: it exists only where
 * the build found oneDNN's headers (Debian: `apt install libdnnl-dev`) and a C++ compiler, and it is skipped
 * when `UNGREEDY_NATIVE=off` (to run the pure-wasm kernels, e.g. as a baseline).
 */
export function oneDnnStatus(): OneDnnStatus {
  status ??= load();
  return status;
}

function load(): OneDnnStatus {
  if (process.env.UNGREEDY_NATIVE === 'off') return { ok: false, reason: 'UNGREEDY_NATIVE=off' };
  // Both src/backend/native and dist/backend/native sit three folders below the package root.
  const root = fileURLToPath(new URL('../../../', import.meta.url));
  const path = root + ONEDNN_ADDON_PATH;
  if (!existsSync(path)) {
    return { ok: false, reason: `no native addon at ${path} (the build needs libdnnl-dev and g++: apt install libdnnl-dev, then npm run build)` };
  }
  try {
    const addon = createRequire(import.meta.url)(path) as OneDnnAddon;
    const threads = process.env.OMP_NUM_THREADS ?? 'all cores';
    return { ok: true, addon, detail: `oneDNN ${addon.version()} convolutions, threads: ${threads}` };
  } catch (err) {
    return { ok: false, reason: `native addon ${path} failed to load: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}` };
  }
}
