import * as tf from '@tensorflow/tfjs-core';
import { UngreedyError } from '../../contract/errors/errors.js';
import type { BackendName } from '../config/experiment-config.js';
import type { Logger } from '../../contract/log/logger.js';
import type { BackendInfo } from './backend-info.js';
import { WASM_TRAINING_READY, nativeKernelStatus, registerProjectKernels, webGpuStatus } from '@ungreedy/backend';

type Concrete = BackendInfo['name'];

/** How each backend is loaded; each throws (with the reason) when it cannot be used here. */
const LOADERS: Readonly<Record<Concrete, (log?: Logger) => Promise<string>>> = {
  async tensorflow() {
    // Optional dependencies whose install downloads libtensorflow: absent or broken on most machines
    // (packages/core/docs/backends.md), so both a failed import and a failed native load are expected.
    const errors: string[] = [];
    for (const pkg of ['@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-node']) {
      try {
        await import(pkg);
        await activate('tensorflow');
        return pkg;
      } catch (err) {
        errors.push(`${pkg}: ${firstLine(err)}`);
      }
    }
    throw new Error(errors.join('; '));
  },
  async webgpu(log) {
    const status = await webGpuStatus();
    // Dawn's and the driver's own words stay off the terminal (the probe runs in a child): debug level only.
    if (status.diagnostics !== undefined) log?.debug({ backend: 'webgpu', diagnostics: status.diagnostics }, 'webgpu probe output');
    if (!status.ok) throw new Error(status.reason ?? 'no WebGPU adapter');
    await import('@tensorflow/tfjs-backend-webgpu');
    await activate('webgpu');
    return '@tensorflow/tfjs-backend-webgpu on Dawn';
  },
  async wasm() {
    await import('@tensorflow/tfjs-backend-wasm');
    await activate('wasm');
    const native = nativeKernelStatus();
    return `@tensorflow/tfjs-backend-wasm; ${native.active ? native.detail : `native convolutions off: ${native.detail}`}`;
  },
  async cpu() {
    await import('@tensorflow/tfjs-backend-cpu');
    await activate('cpu');
    return '@tensorflow/tfjs-backend-cpu';
  },
};

async function activate(name: Concrete): Promise<void> {
  if (!(await tf.setBackend(name))) throw new Error(`tf.setBackend('${name}') returned false`);
  await tf.ready();
  registerProjectKernels(name);
}

/**
 * Loads and activates a TensorFlow.js backend for the process and says why it was chosen.
 * `auto` tries, fastest first: `tensorflow` (only if tfjs-node(-gpu) loads), `webgpu` (only with a GPU
 * adapter and a Vulkan loader), `wasm` (only when the project's wasm training kernels are verified, `WASM_TRAINING_READY`:
 * stock wasm cannot train convolutions and has wrong gradients), then `cpu`, which always works.
 * An explicitly requested backend that fails is UNG_ERR_BACKEND_UNAVAILABLE. Calls run one after another: two
 * overlapping `tf.setBackend('wasm')` make the first return false while the wasm module initialises.
 *
 * @example
 * const backend = await selectBackend(config.backend, log); // { name: 'cpu', reason: 'auto: ...', tried: [...] }
 */
export function selectBackend(requested: BackendName, log?: Logger): Promise<BackendInfo> {
  const selected = pending.then(() => select(requested, log));
  pending = selected.catch(() => undefined);
  return selected;
}

let pending: Promise<unknown> = Promise.resolve();

async function select(requested: BackendName, log?: Logger): Promise<BackendInfo> {
  const tried: { name: string; error: string }[] = [];
  if (requested !== 'auto') {
    try {
      const loaded = await LOADERS[requested](log);
      const info: BackendInfo = { name: requested, reason: `requested in the config or on the command line (${loaded})`, tried };
      log?.info({ backend: info.name, reason: info.reason }, 'backend selected');
      return info;
    } catch (err) {
      tried.push({ name: requested, error: firstLine(err) });
      throw new UngreedyError(
        'UNG_ERR_BACKEND_UNAVAILABLE',
        `backend "${requested}" must load, but it failed: ${firstLine(err)}. Fix: use backend "auto" or "cpu", or install the backend's package.`,
        { backend: requested, tried },
        { cause: err },
      );
    }
  }
  const order: Concrete[] = ['tensorflow', 'webgpu', 'wasm', 'cpu'];
  for (const name of order) {
    if (name === 'wasm' && !WASM_TRAINING_READY) {
      tried.push({ name, error: 'skipped: the wasm training kernels are not verified yet (WASM_TRAINING_READY is false)' });
      continue;
    }
    try {
      const loaded = await LOADERS[name](log);
      const skipped = tried.map((t) => `${t.name}: ${t.error}`).join('; ');
      const info: BackendInfo = {
        name,
        reason: `auto: ${name} (${loaded}) is the fastest backend that loaded` + (skipped ? `; not used: ${skipped}` : ''),
        tried,
      };
      log?.info({ backend: name, tried }, 'backend selected');
      return info;
    } catch (err) {
      tried.push({ name, error: firstLine(err) });
    }
  }
  throw new UngreedyError('UNG_ERR_BACKEND_UNAVAILABLE', 'backend "auto" must find a backend that loads, but none did (not even cpu).', { backend: 'auto', tried });
}

function firstLine(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  return text.split('\n')[0]!.slice(0, 300);
}
