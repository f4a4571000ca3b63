/**
 * `se-bench devices [--json]`: per device, whether it can run here (and why
 * not, with the fix), its implementations with their availability, and the
 * WebGPU adapter Dawn found for webgpu and gpu.
 */
import os from 'node:os';
import { IMPLEMENTATION_OPTIONS, loadImplementations, type ImplementationValues } from '../implementations.ts';
import type { Registry } from '../../contract/registry.ts';
import type { Availability, DeviceKind } from '../../contract/implementation.ts';
import { DEVICES, implementationsOn, NOT_YET } from '../../host/devices.ts';
import { toJson } from '../../data/json.ts';
import { adapterLine, hardwareAdapter, nodeWebGpu, type AdapterReport } from '../../host/webgpu-node.ts';

/** Options of `devices`, for parseArgs. */
export const DEVICES_OPTIONS = { json: { type: 'boolean' }, ...IMPLEMENTATION_OPTIONS } as const;

/** One device as `devices` reports it. */
export interface DeviceReport {
  device: DeviceKind;
  available: boolean;
  /** What the device runs on (CPU model, adapter), when available. */
  detail?: string;
  reason?: string;
  installHint?: string;
  /** The WebGPU adapter (webgpu, gpu). */
  adapter?: AdapterReport;
  implementations: ({ name: string; description: string } & Availability)[];
}

async function deviceReport(registry: Registry, device: DeviceKind): Promise<DeviceReport> {
  const implementations = [];
  for (const impl of implementationsOn(registry, device)) {
    implementations.push({ name: impl.name, description: impl.description, ...(await impl.probe()) });
  }
  const report: DeviceReport = { device, available: implementations.some((i) => i.available), implementations };
  if (device === 'webgpu' || device === 'gpu') {
    const w = await nodeWebGpu();
    if (w.ok) report.adapter = w.report;
  }
  if (report.available) {
    report.detail = device === 'cpu'
      ? `${os.cpus()[0]?.model ?? 'unknown CPU'}, ${os.availableParallelism()} cores, Node ${process.version}`
      : device === 'browser' ? 'headless Chromium driven by puppeteer-core (version and adapter per implementation below)'
        : report.adapter ? adapterLine(report.adapter) : undefined;
    return report;
  }
  // Why not: the device's own condition first, then what its implementations said.
  const notYet = NOT_YET[device];
  const hw = device === 'gpu' ? await hardwareAdapter() : undefined;
  const w = device === 'webgpu' ? await nodeWebGpu() : undefined;
  if (implementations.length === 0) {
    Object.assign(report, { reason: notYet ?? `no implementation for device ${device}`, installHint: 'none yet' });
  } else if (hw && !hw.ok) {
    Object.assign(report, { reason: hw.reason, installHint: hw.installHint });
  } else if (w && !w.ok) {
    Object.assign(report, { reason: w.reason, installHint: w.installHint });
  } else {
    Object.assign(report, { reason: 'no implementation on this device is available (see each below)', installHint: 'see each implementation' });
  }
  return report;
}

function formatAdapter(a: AdapterReport): string[] {
  const lines = [
    `  adapter: ${adapterLine(a)}`,
    `    vendor "${a.vendor}", architecture "${a.architecture}", device "${a.device}", description "${a.description}", `
      + `isFallbackAdapter ${a.isFallbackAdapter}, backend ${a.backend}`,
  ];
  if (a.icdOverride) lines.push(`    VK_ICD_FILENAMES=${a.icdOverride} set by se-bench: the Vulkan loader found no driver (or no adapter) without it`);
  return lines;
}

/** Plain-text rendering of the device reports. */
export function formatDevices(reports: DeviceReport[]): string {
  const lines: string[] = [];
  const nameWidth = Math.max(14, ...reports.flatMap((r) => r.implementations.map((i) => i.name.length)));
  for (const r of reports) {
    lines.push(r.available ? `${r.device.padEnd(8)} available: ${r.detail ?? ''}` : `${r.device.padEnd(8)} unavailable: ${r.reason}`);
    if (!r.available && r.installHint && r.installHint !== 'none yet') lines.push(`  to enable: ${r.installHint}`);
    // The gpu device's reason already names the adapter; webgpu shows it in full.
    if (r.adapter && r.device === 'webgpu') lines.push(...formatAdapter(r.adapter));
    for (const i of r.implementations) {
      const why = i.available ? '' : i.reason === r.reason ? 'as above' : `${i.reason}; to enable: ${i.installHint}`;
      lines.push(`  ${i.name.padEnd(nameWidth)} ${i.available ? `available (${i.detail ?? ''})` : `unavailable: ${why}`}`);
    }
    lines.push('');
  }
  lines.push('Select with --device=cpu,webgpu,gpu,browser or --device=all on conformance and bench.');
  return lines.join('\n');
}

/** Prints every device's report; exit 0 (an unavailable device is information, not a failure). */
export async function devicesCommand(values: { json?: boolean } & ImplementationValues): Promise<number> {
  const { registry } = await loadImplementations(values);
  const reports: DeviceReport[] = [];
  for (const d of DEVICES) reports.push(await deviceReport(registry, d));
  process.stdout.write(values.json ? `${toJson({ devices: reports })}\n` : `${formatDevices(reports)}\n`);
  return 0;
}
