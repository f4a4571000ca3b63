/**
 * TensorFlow.js implementations: one SE block and one bottleneck written
 * against the tfjs API (se-ops.ts, bottleneck-ops.ts), registered once per
 * backend: tfjs-cpu, tfjs-wasm, tfjs-webgpu, tfjs-node, tfjs-node-gpu.
 * Layout NHWC (tfjs's native one; the harness converts outside timed regions).
 * Weights are uploaded once in prepare, on the implementation's backend; run
 * uploads only the input and reads back y and the gate (its sync point).
 */
import { type Availability, type OperatorTimes, type BlockOutput, type BottleneckSpec, type DeviceKind, type NetworkOutput, type NetworkSpec, type PreparedBlock, type PreparedNetwork, type SeImplementation, type SeSpec, type Tensor, type Weights, dims4 } from '../../harness/api.ts';
import type * as TfCore from '@tensorflow/tfjs-core';
import { BackendUnavailable, defaultInstallHint, loadBackend, withBackend, type Tf, type TfjsBackend, type TfjsBackendKind } from './backends.ts';
import { bottleneckForward, disposeBottleneck, uploadBottleneck } from './bottleneck-ops.ts';
import { disposeNetwork, networkForward, uploadNetwork } from './network-ops.ts';
import { disposeSe, seForward, uploadSe } from './se-ops.ts';
import { kernelTimes, type KernelRecord } from './profile.ts';

/** How to build one tfjs implementation; `load` lets a test substitute a failing backend. */
export interface TfjsOptions {
  name: string;
  device: DeviceKind;
  backend: TfjsBackendKind;
  description: string;
  load?: () => Promise<TfjsBackend>;
}

type Forward = (tf: Tf, x: TfCore.Tensor4D) => { y: TfCore.Tensor; gate?: TfCore.Tensor };

async function toHost(t: TfCore.Tensor): Promise<Tensor> {
  return { shape: [...t.shape], data: (await t.data()) as Float32Array };
}

/** One tfjs backend behind the SeImplementation interface. */
export class TfjsImplementation implements SeImplementation {
  readonly name: string;
  readonly device: DeviceKind;
  readonly layout = 'NHWC';
  readonly precision = 'fp32';
  readonly description: string;
  readonly backend: TfjsBackendKind;
  private readonly load: () => Promise<TfjsBackend>;

  constructor(o: TfjsOptions) {
    this.name = o.name;
    this.device = o.device;
    this.backend = o.backend;
    this.description = o.description;
    this.load = o.load ?? (() => loadBackend(o.backend));
  }

  /** Initialises the backend on first call (async: wasm compiles, WebGPU opens an adapter); never throws. */
  async probe(): Promise<Availability> {
    try {
      const b = await this.load();
      return { available: true, detail: b.detail, ...(b.threads === undefined ? {} : { threads: b.threads }) };
    } catch (e) {
      const installHint = e instanceof BackendUnavailable ? e.installHint : defaultInstallHint(this.backend);
      return { available: false, reason: e instanceof Error ? e.message : String(e), installHint };
    }
  }

  async prepareSe(spec: SeSpec, weights: Weights): Promise<PreparedBlock> {
    const b = await this.load();
    const se = await withBackend(b, (tf) => uploadSe(tf, spec, weights));
    return this.block(b, spec.channels, 'SE', (tf, x) => seForward(tf, se, x), () => disposeSe(se));
  }

  async prepareBottleneck(spec: BottleneckSpec, weights: Weights): Promise<PreparedBlock> {
    const b = await this.load();
    const t = await withBackend(b, (tf) => uploadBottleneck(tf, spec, weights));
    return this.block(b, spec.inChannels, 'bottleneck', (tf, x) => bottleneckForward(tf, t, x), () => disposeBottleneck(t));
  }

  async prepareNetwork(spec: NetworkSpec, weights: Weights): Promise<PreparedNetwork> {
    const b = await this.load();
    const net = await withBackend(b, (tf) => uploadNetwork(tf, spec, weights));
    let disposed = false;
    return {
      run: (x: Tensor) => withBackend(b, async (tf): Promise<NetworkOutput> => {
        if (disposed) throw new Error(`${this.name} ${spec.name}: run after dispose`);
        const [n, h, w, c] = dims4(x, `${this.name} ${spec.name}`);
        if (c !== spec.inChannels) throw new RangeError(`${this.name} ${spec.name}: NHWC input has ${c} channels, the network expects ${spec.inChannels}`);
        const input = tf.tensor4d(x.data, [n, h, w, c]);
        const kept: TfCore.Tensor[] = [input];
        try {
          const out = tf.tidy(() => networkForward(tf, net, input));
          kept.push(out.logits, ...Object.values(out.stages), ...Object.values(out.gates));
          const host = async (rec: Record<string, TfCore.Tensor>) =>
            Object.fromEntries(await Promise.all(Object.entries(rec).map(async ([k, t]) => [k, await toHost(t)] as const)));
          const [logits, stages, gates] = await Promise.all([toHost(out.logits), host(out.stages), host(out.gates)]);
          return { logits, stages, gates };
        } finally {
          for (const t of kept) t.dispose();
        }
      }),
      profile: (x: Tensor, calls: number) => withBackend(b, async (tf): Promise<OperatorTimes> => {
        if (disposed) throw new Error(`${this.name} ${spec.name}: profile after dispose`);
        const [n, h, w, c] = dims4(x, `${this.name} ${spec.name}`);
        const input = tf.tensor4d(x.data, [n, h, w, c]);
        try {
          const once = async () => {
            const y = tf.tidy(() => networkForward(tf, net, input).logits);
            await y.data();
            return y;
          };
          (await once()).dispose(); // untimed: the first call after timing
          const perCall: KernelRecord[][] = [];
          for (let i = 0; i < calls; i++) {
            const info = await tf.profile(once);
            (info.result as TfCore.Tensor).dispose();
            perCall.push(info.kernels as unknown as KernelRecord[]);
          }
          return kernelTimes(perCall);
        } finally {
          input.dispose();
        }
      }),
      dispose: () => withBackend(b, () => {
        if (!disposed) disposeNetwork(net);
        disposed = true;
      }),
    };
  }

  private block(b: TfjsBackend, channels: number, what: string, forward: Forward, free: () => void): PreparedBlock {
    let disposed = false;
    return {
      run: (x: Tensor) => withBackend(b, async (tf): Promise<BlockOutput> => {
        if (disposed) throw new Error(`${this.name} ${what}: run after dispose`);
        const [n, h, w, c] = dims4(x, `${this.name} ${what}`);
        if (c !== channels) throw new RangeError(`${this.name} ${what}: NHWC input has ${c} channels, the block expects ${channels}`);
        const input = tf.tensor4d(x.data, [n, h, w, c]);
        let out: { y: TfCore.Tensor; gate?: TfCore.Tensor } | undefined;
        try {
          out = tf.tidy(() => forward(tf, input));
          const [y, gate] = await Promise.all([toHost(out.y), out.gate && toHost(out.gate)]);
          return gate ? { y, gate } : { y };
        } finally {
          input.dispose();
          out?.y.dispose();
          out?.gate?.dispose();
        }
      }),
      dispose: () => withBackend(b, () => {
        if (!disposed) free();
        disposed = true;
      }),
    };
  }
}

/** The tfjs implementations for Node, one per backend (harness/cli/builtins.ts registers them). */
export function tfjsImplementations(): TfjsImplementation[] {
  return [
    new TfjsImplementation({ name: 'tfjs-cpu', device: 'cpu', backend: 'cpu', description: 'TensorFlow.js, cpu backend (plain JS kernels)' }),
    new TfjsImplementation({ name: 'tfjs-wasm', device: 'cpu', backend: 'wasm', description: 'TensorFlow.js, wasm backend (XNNPACK)' }),
    new TfjsImplementation({ name: 'tfjs-node', device: 'cpu', backend: 'node', description: 'TensorFlow.js on the TensorFlow C library (@tensorflow/tfjs-node)' }),
    new TfjsImplementation({ name: 'tfjs-webgpu', device: 'webgpu', backend: 'webgpu', description: 'TensorFlow.js, webgpu backend on Dawn (any adapter)' }),
    new TfjsImplementation({ name: 'tfjs-node-gpu', device: 'gpu', backend: 'node-gpu', description: 'TensorFlow.js on TensorFlow with CUDA (@tensorflow/tfjs-node-gpu)' }),
  ];
}
