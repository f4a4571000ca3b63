/**
 * WebGPU in Node through the `webgpu` npm package (Dawn): one GPU instance per
 * process, the adapter it gives, and what that adapter is (hardware or a
 * software rasteriser such as SwiftShader).
 *
 * On a CPU-only Linux machine Dawn finds no Vulkan device; Debian's `chromium`
 * package ships SwiftShader as a Vulkan ICD, so when the user has not chosen
 * an ICD and the loader's search holds none (or none gives an adapter), we
 * point the Vulkan loader at it (VK_ICD_FILENAMES, read by the loader when
 * Dawn creates its instance). NVIDIA's ICD where container runtimes mount it,
 * outside the loader's search, is tried first. The `webgpu` device accepts any adapter; the `gpu` device only
 * hardware ones (see hardwareAdapter).
 */
import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';

/** What the adapter is, as reported by Dawn, plus our reading of it. */
export interface AdapterReport {
  vendor: string;
  architecture: string;
  device: string;
  description: string;
  /** The adapter's own flag (GPUAdapterInfo.isFallbackAdapter). */
  isFallbackAdapter: boolean;
  /** Fallback flag set, or a known software rasteriser by name (SwiftShader, llvmpipe, lavapipe, WARP). */
  software: boolean;
  /** Dawn backend: vulkan, metal or d3d12 (inferred from the platform, see platformBackend). */
  backend: string;
  /** The SwiftShader ICD se-bench selected because no adapter was found without it. */
  icdOverride?: string;
}

/** An opened Dawn instance with its adapter, or why there is none. */
export type NodeWebGpu =
  | { ok: true; gpu: GPU; globals: object; report: AdapterReport }
  | { ok: false; reason: string; installHint: string };

/** Where Chromium / Chrome packages put SwiftShader's Vulkan ICD manifest. */
export const SWIFTSHADER_ICDS = [
  '/usr/lib/chromium/vk_swiftshader_icd.json', // Debian's chromium-common
  '/usr/lib/chromium-browser/vk_swiftshader_icd.json', // Ubuntu / Fedora
  '/opt/google/chrome/vk_swiftshader_icd.json', // Google Chrome
];

/** Hardware ICD manifests outside the Vulkan loader's search path: NVIDIA's, where a container runtime mounts the driver. */
const EXTRA_HARDWARE_ICDS = ['/usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json'];

const VULKAN_LOADER_HINT = 'apt-get install libvulkan1 (Debian/Ubuntu); without network, `apt-get download libvulkan1` on another machine, '
  + 'then `dpkg -x libvulkan1_*.deb DIR` here and add DIR/usr/lib/x86_64-linux-gnu to LD_LIBRARY_PATH (scripts/gpu-run.sh does this)';

/** Whether libvulkan.so.1 (Dawn loads it by that name) is a shared library in LD_LIBRARY_PATH, /etc/ld.so.conf.d's folders or the usual ones. */
function vulkanLoaderFound(): boolean {
  let configured: string[] = [];
  try {
    configured = readdirSync('/etc/ld.so.conf.d').filter((f) => f.endsWith('.conf'))
      .flatMap((f) => readFileSync(join('/etc/ld.so.conf.d', f), 'utf8').split('\n').map((l) => l.trim()).filter((l) => l.startsWith('/')));
  } catch { /* no ld.so.conf.d */ }
  const dirs = [...(process.env.LD_LIBRARY_PATH ?? '').split(':').filter(Boolean), ...configured,
    '/lib/x86_64-linux-gnu', '/usr/lib/x86_64-linux-gnu', '/lib/aarch64-linux-gnu', '/usr/lib/aarch64-linux-gnu', '/lib64', '/usr/lib64', '/lib', '/usr/lib'];
  return dirs.some((d) => {
    try {
      return readFileSync(join(d, 'libvulkan.so.1')).subarray(0, 4).toString('latin1') === '\x7fELF';
    } catch {
      return false;
    }
  });
}

/** Whether the Vulkan loader's own search (XDG config and data folders, /etc) holds any driver manifest. */
function loaderIcdFound(): boolean {
  const config = (process.env.XDG_CONFIG_DIRS || '/etc/xdg').split(':');
  const data = [process.env.XDG_DATA_HOME || join(homedir(), '.local', 'share'), ...(process.env.XDG_DATA_DIRS || '/usr/local/share:/usr/share').split(':')];
  return [...config, '/etc', ...data].some((d) => {
    try {
      return readdirSync(join(d, 'vulkan', 'icd.d')).some((f) => f.endsWith('.json'));
    } catch {
      return false;
    }
  });
}

/** Environment variables by which a user chooses Vulkan drivers; when one is set we never override it. */
const USER_ICD_VARS = ['VK_ICD_FILENAMES', 'VK_DRIVER_FILES', 'VK_ADD_DRIVER_FILES'];

const SOFTWARE_NAMES = /swiftshader|llvmpipe|lavapipe|softpipe|microsoft basic render|\bwarp\b/i;

/** The power preference tfjs-backend-webgpu asks for, so we report the adapter it will get. */
const REQUEST: GPURequestAdapterOptions = { powerPreference: 'high-performance' };

/** How to get a WebGPU adapter on this platform; `hardware` leaves out the software fallback. */
export function adapterInstallHint(hardware = false): string {
  switch (process.platform) {
    case 'linux':
      return 'a GPU with a Vulkan driver (NVIDIA proprietary driver, or mesa-vulkan-drivers for AMD/Intel) and libvulkan1'
        + (hardware ? '' : '; for a software adapter: apt-get install chromium libvulkan1 (SwiftShader)');
    case 'darwin': return 'macOS 11 or later with a Metal GPU';
    case 'win32': return 'a Direct3D 12 capable GPU driver';
    default: return `Dawn has no GPU backend for ${process.platform}`;
  }
}

type WebGpuModule = { create(options: string[]): GPU; globals: object };

/**
 * Dawn does not report its backend in GPUAdapterInfo (listing adapters through
 * a bad `adapter=` option would, but makes Mesa's EGL print errors), so this
 * is the backend Dawn uses for core WebGPU adapters on the platform.
 */
function platformBackend(): string {
  switch (process.platform) {
    case 'darwin': return 'metal';
    case 'win32': return 'd3d12';
    default: return 'vulkan';
  }
}

function describe(adapter: GPUAdapter, icdOverride?: string): AdapterReport {
  const info = adapter.info;
  // Newer Dawn reports the flag in info; older builds on the adapter itself.
  const isFallbackAdapter = Boolean((info as { isFallbackAdapter?: boolean }).isFallbackAdapter
    ?? (adapter as { isFallbackAdapter?: boolean }).isFallbackAdapter);
  return {
    vendor: info.vendor, architecture: info.architecture, device: info.device, description: info.description,
    isFallbackAdapter,
    software: isFallbackAdapter || SOFTWARE_NAMES.test(`${info.vendor} ${info.architecture} ${info.device} ${info.description}`),
    backend: platformBackend(),
    ...(icdOverride ? { icdOverride } : {}),
  };
}

async function open(): Promise<NodeWebGpu> {
  let mod: WebGpuModule;
  try {
    mod = (await import('webgpu')) as WebGpuModule;
  } catch (e) {
    return {
      ok: false, reason: `the webgpu npm package (Dawn) did not load: ${e instanceof Error ? e.message : String(e)}`,
      installHint: 'npm install webgpu (prebuilt for linux-x64/arm64, darwin, win32-x64/arm64)',
    };
  }
  // Mesa's Vulkan drivers print "XDG_RUNTIME_DIR is invalid" while Dawn probes them when the variable is
  // unset (CI, containers); a private empty directory satisfies them and changes nothing else.
  if (process.platform === 'linux' && !process.env.XDG_RUNTIME_DIR) {
    const dir = join(tmpdir(), `se-bench-xdg-${process.getuid?.() ?? 'user'}`); // one per user, reused by every run
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    process.env.XDG_RUNTIME_DIR = dir;
  }
  const userIcd = USER_ICD_VARS.find((v) => process.env[v]);
  const swiftshader = SWIFTSHADER_ICDS.find((p) => existsSync(p));
  let icdOverride: string | undefined;
  // No driver where the Vulkan loader looks: choose one ourselves (NVIDIA's from a container's mount, else SwiftShader),
  // so the loader does not print "Found no drivers!" for a search we know is empty.
  if (process.platform === 'linux' && !userIcd && !loaderIcdFound()) icdOverride = EXTRA_HARDWARE_ICDS.find((p) => existsSync(p)) ?? swiftshader;
  try {
    if (icdOverride) process.env.VK_ICD_FILENAMES = icdOverride;
    let gpu = mod.create(icdOverride ? ['backend=vulkan'] : []);
    let adapter = await gpu.requestAdapter(REQUEST);
    if (!adapter && process.platform === 'linux' && !userIcd && swiftshader && icdOverride !== swiftshader) {
      process.env.VK_ICD_FILENAMES = swiftshader;
      icdOverride = swiftshader;
      gpu = mod.create(['backend=vulkan']);
      adapter = await gpu.requestAdapter(REQUEST);
    }
    if (!adapter) {
      if (process.platform === 'linux' && !vulkanLoaderFound()) {
        return { ok: false, reason: 'the Vulkan loader (libvulkan.so.1) is not installed, so Dawn cannot reach any GPU driver', installHint: VULKAN_LOADER_HINT };
      }
      const tried = icdOverride ? ` (also with VK_ICD_FILENAMES=${icdOverride})` : userIcd ? ` with the Vulkan driver chosen by ${userIcd}=${process.env[userIcd]}` : '';
      const noSwiftshader = process.platform === 'linux' && !swiftshader && !userIcd ? '; no SwiftShader ICD found either' : '';
      return { ok: false, reason: `Dawn found no WebGPU adapter${tried}${noSwiftshader}`, installHint: adapterInstallHint() };
    }
    return { ok: true, gpu, globals: mod.globals, report: describe(adapter, icdOverride) };
  } catch (e) {
    return { ok: false, reason: `Dawn failed while looking for an adapter: ${e instanceof Error ? e.message : String(e)}`, installHint: adapterInstallHint() };
  }
}

let opened: Promise<NodeWebGpu> | undefined;

/** The process's Dawn instance and adapter, opened on first call; never throws. */
export function nodeWebGpu(): Promise<NodeWebGpu> {
  opened ??= open();
  return opened;
}

/** One line describing an adapter, e.g. `SwiftShader driver 5.0.0 (software; vulkan; google swiftshader)`. */
export function adapterLine(r: AdapterReport): string {
  const name = r.description || r.device || `${r.vendor} ${r.architecture}`;
  return `${name} (${r.software ? 'software' : 'hardware'}; ${r.backend}; ${[r.vendor, r.architecture].filter(Boolean).join(' ') || 'vendor unknown'})`;
}

/** Whether a hardware adapter is present: the `gpu` device's condition. A software adapter is named in the reason. */
export async function hardwareAdapter(): Promise<{ ok: true; report: AdapterReport } | { ok: false; reason: string; installHint: string }> {
  const w = await nodeWebGpu();
  if (!w.ok) return { ok: false, reason: `no hardware GPU adapter: ${w.reason}`, installHint: adapterInstallHint(true) };
  if (w.report.software) {
    return {
      ok: false,
      reason: `no hardware GPU adapter: Dawn found only the software adapter ${adapterLine(w.report)}; `
        + 'device "webgpu" accepts it, device "gpu" does not',
      installHint: adapterInstallHint(true),
    };
  }
  return { ok: true, report: w.report };
}

/**
 * Makes the Dawn instance visible as `navigator.gpu` with the WebGPU globals
 * (GPUBufferUsage, ...), as tfjs-backend-webgpu expects of a browser; call it
 * before importing that package, which checks `navigator.gpu` on load.
 */
export function installNavigatorGpu(w: { gpu: GPU; globals: object }): void {
  const g = globalThis as Record<string, unknown>;
  for (const [k, v] of Object.entries(w.globals)) if (!(k in g)) g[k] = v;
  const nav = g.navigator as Record<string, unknown> | undefined;
  // Node >= 21 has its own navigator (without gpu); Node 20 has none.
  if (nav) Object.defineProperty(nav, 'gpu', { value: w.gpu, configurable: true, writable: true });
  else Object.defineProperty(g, 'navigator', { value: { gpu: w.gpu }, configurable: true, writable: true });
}
