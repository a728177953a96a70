import { existsSync } from 'node:fs';
import { join } from 'node:path';

/** Why WebGPU is or is not usable in this process, for logs and the run manifest. */
export interface WebGpuStatus {
  readonly ok: boolean;
  /** Adapter vendor/architecture/description when one was found. */
  readonly adapter?: string;
  /** Why not, when `ok` is false. */
  readonly reason?: string;
}

let pending: Promise<WebGpuStatus> | undefined;

/**
 * Makes `navigator.gpu` available in Node through Dawn (npm package `webgpu`, Vulkan on Linux) so that
 * `@tensorflow/tfjs-backend-webgpu` can run, then imports that backend so it registers as 'webgpu'.
 * Resolves false when Dawn does not load or no hardware adapter is found (no GPU, no libvulkan, only a
 * software fallback adapter); never throws. Safe to call many times: the probe runs once per process.
 *
 * `@tensorflow/tfjs-backend-webgpu` registers itself only if `navigator.gpu` exists when it is first
 * imported, so nothing else may import it statically before this runs.
 *
 * @example
 * if (await setupWebGpu()) await tf.setBackend('webgpu');
 */
export async function setupWebGpu(): Promise<boolean> {
  return (await webGpuStatus()).ok;
}

/** Like {@link setupWebGpu}, with the adapter found or the reason there is none. */
export function webGpuStatus(): Promise<WebGpuStatus> {
  pending ??= probe();
  return pending;
}

/** How long to wait for an adapter before giving up (a broken driver can hang Dawn's request). */
const ADAPTER_TIMEOUT_MS = 15_000;

/** Whether libvulkan.so.1 is in a folder the dynamic linker searches (LD_LIBRARY_PATH or the usual ones). */
export function vulkanLoaderPresent(env: NodeJS.ProcessEnv = process.env): boolean {
  const dirs = [
    ...(env['LD_LIBRARY_PATH'] ?? '').split(':').filter(Boolean),
    '/usr/lib/x86_64-linux-gnu', '/usr/lib/aarch64-linux-gnu', '/lib/x86_64-linux-gnu', '/usr/lib64', '/usr/lib', '/lib64', '/lib',
    '/usr/local/lib',
  ];
  return dirs.some((d) => existsSync(join(d, 'libvulkan.so.1')));
}

async function probe(): Promise<WebGpuStatus> {
  try {
    const g = globalThis as { navigator?: { gpu?: GpuLike } };
    let gpu = g.navigator?.gpu;
    if (gpu === undefined) {
      // Dawn prints a native warning to stderr when it cannot load Vulkan: look for the loader first.
      if (process.platform === 'linux' && !vulkanLoaderPresent()) {
        return { ok: false, reason: 'no Vulkan loader (libvulkan.so.1) on this machine' };
      }
      const dawn = (await import('webgpu')) as unknown as { create(flags: string[]): GpuLike; globals: object };
      // Dawn's constructors (GPUBufferUsage, GPUShaderStage, ...) must be globals, as in a browser.
      Object.assign(globalThis, dawn.globals);
      gpu = dawn.create([]);
      if (g.navigator === undefined) {
        Object.defineProperty(globalThis, 'navigator', { value: { gpu }, configurable: true, writable: true });
      } else {
        // Node >= 21 has a `navigator` without `gpu`.
        Object.defineProperty(g.navigator, 'gpu', { value: gpu, configurable: true, writable: true });
      }
    }
    const adapter = await withTimeout(gpu.requestAdapter({ powerPreference: 'high-performance' }), ADAPTER_TIMEOUT_MS);
    if (adapter === null || adapter === undefined) return { ok: false, reason: 'no WebGPU adapter (no GPU or no Vulkan driver)' };
    const info = adapter.info;
    const name = [info?.vendor, info?.architecture, info?.description].filter(Boolean).join(' ');
    if (adapter.isFallbackAdapter === true || info?.isFallbackAdapter === true || /swiftshader|llvmpipe|lavapipe/i.test(name)) {
      return { ok: false, adapter: name, reason: 'only a software WebGPU adapter, slower than wasm' };
    }
    await import('@tensorflow/tfjs-backend-webgpu');
    return { ok: true, adapter: name };
  } catch (err) {
    return { ok: false, reason: err instanceof Error ? err.message : String(err) };
  }
}

interface AdapterLike {
  readonly isFallbackAdapter?: boolean;
  readonly info?: { vendor?: string; architecture?: string; description?: string; isFallbackAdapter?: boolean };
}

interface GpuLike {
  requestAdapter(options?: { powerPreference?: 'high-performance' | 'low-power' }): Promise<AdapterLike | null>;
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), ms);
    timer.unref();
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}
