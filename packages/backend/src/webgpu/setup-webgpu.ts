import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

/** Why WebGPU is or is not usable in this process, for logs and the run manifest. */
export interface WebGpuStatus {
  readonly ok: boolean;
  /** Adapter vendor/architecture/description when one was found. */
  readonly adapter?: string;
  /** Why not, when `ok` is false. */
  readonly reason?: string;
  /**
   * What Dawn and the Vulkan driver wrote to stderr while the adapter was looked for (in a child process, so the
   * user's terminal stays quiet): `selectBackend` logs it at debug level (`UNGREEDY_LOG_LEVEL=debug`).
   */
  readonly diagnostics?: readonly string[];
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

/**
 * Looks for a WebGPU adapter in a child Node process and reports what it found as one JSON line on stdout.
 * Dawn and the Vulkan driver write warnings straight to file descriptor 2 from native code (mesa's software
 * driver: `XDG_RUNTIME_DIR is invalid`, Dawn: `Vulkan ... required` with a path from the machine that built it),
 * which no JavaScript can silence in-process: in a child, that text is captured instead of reaching the user's
 * terminal or the test log. argv[1] is the file URL of the `webgpu` package.
 */
const CHILD_PROBE = `
const dawn = await import(process.argv[1]);
Object.assign(globalThis, dawn.globals);
const gpu = dawn.create([]);
const adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
const info = adapter?.info ?? {};
process.stdout.write(JSON.stringify(adapter ? { found: true, fallback: adapter.isFallbackAdapter === true || info.isFallbackAdapter === true,
  name: [info.vendor, info.architecture, info.description].filter(Boolean).join(' ') } : { found: false }) + '\\n');
process.exit(0);
`;

interface ChildProbeResult {
  readonly found: boolean;
  readonly fallback?: boolean;
  readonly name?: string;
  readonly diagnostics: readonly string[];
  readonly error?: string;
}

/** Runs {@link CHILD_PROBE}; never throws. */
export function probeWebGpuInChild(timeoutMs = ADAPTER_TIMEOUT_MS): Promise<ChildProbeResult> {
  let url: string;
  try {
    url = pathToFileURL(createRequire(import.meta.url).resolve('webgpu')).href;
  } catch (err) {
    return Promise.resolve({ found: false, diagnostics: [], error: `the webgpu package does not resolve: ${message(err)}` });
  }
  return new Promise((resolve) => {
    execFile(process.execPath, ['--input-type=module', '-e', CHILD_PROBE, url], { timeout: timeoutMs, encoding: 'utf8', windowsHide: true }, (err, stdout, stderr) => {
      const diagnostics = stderr.split('\n').map((l) => l.trimEnd()).filter((l) => l.length > 0);
      const line = stdout.split('\n').find((l) => l.startsWith('{'));
      if (line !== undefined) {
        try {
          resolve({ ...(JSON.parse(line) as { found: boolean; fallback?: boolean; name?: string }), diagnostics });
          return;
        } catch {
          // fall through: reported as an error below
        }
      }
      const why = err?.killed === true ? `no answer within ${timeoutMs} ms` : err !== null ? message(err).split('\n')[0]! : 'no answer';
      resolve({ found: false, diagnostics, error: `Dawn's adapter probe failed: ${why}` });
    });
  });
}

/**
 * Dawn's own warning if it gave one (else the driver's first line), without the source paths of the machine that
 * built Dawn: the short finding that goes into the backend reason.
 *
 * @example
 * summarizeDawnOutput(['Warning: Vulkan X required.', '    at F (/home/runner/dawn/x.cpp:257)']) // 'Vulkan X required.'
 */
export function summarizeDawnOutput(lines: readonly string[]): string | undefined {
  const useful = lines.filter((l) => !/^\s*(at |- While)/.test(l));
  const first = useful.find((l) => /^warning:/i.test(l)) ?? useful[0];
  return first?.replace(/\s*\(\/[^)]*\)/g, '').replace(/^(Warning|error):\s*/i, '').trim().slice(0, 200);
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
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
      // Look in a child first: only a usable hardware adapter is worth loading Dawn here (and hearing it).
      const child = await probeWebGpuInChild();
      const said = summarizeDawnOutput(child.diagnostics);
      const diagnostics = child.diagnostics.length > 0 ? { diagnostics: child.diagnostics } : {};
      if (child.error !== undefined) return { ok: false, reason: child.error + (said === undefined ? '' : ` (${said})`), ...diagnostics };
      if (!child.found) {
        return { ok: false, reason: 'no WebGPU adapter (no GPU or no Vulkan driver)' + (said === undefined ? '' : `; Dawn: ${said}`), ...diagnostics };
      }
      if (child.fallback === true || /swiftshader|llvmpipe|lavapipe/i.test(child.name ?? '')) {
        return { ok: false, adapter: child.name ?? '', reason: 'only a software WebGPU adapter, slower than wasm', ...diagnostics };
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
