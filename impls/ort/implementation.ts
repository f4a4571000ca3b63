/**
 * ONNX Runtime implementations: se-bench exports the block or network as an
 * ONNX graph (harness/data/onnx through the public API), ONNX Runtime builds
 * a session from it, and each run feeds `x` and reads the outputs back on the
 * CPU (onnxruntime-node aborts the process when reading an output left on the
 * GPU, so outputs are never left there). Session creation happens in
 * prepare*, so the bench's cold first run does not include it.
 */
import type * as Ort from 'onnxruntime-common';
import {
  bottleneckOnnx, GATE_OUTPUT_PREFIX, isLayerNet, layerNetSes, networkOnnx, seOnnx, STAGE_OUTPUT_PREFIX,
  type Availability, type BlockOutput, type BottleneckSpec, type DeviceKind, type NetworkOutput, type NetworkSpec,
  type PreparedBlock, type PreparedNetwork, type SeImplementation, type SeSpec, type Tensor, type Weights,
} from '../../harness/api.ts';
import { OrtUnavailable, type OrtRuntime, type SeNodeTest } from './runtimes.ts';

/**
 * Which exported nodes are SE's: ResNets name them `layer1.0.se.fc1`; a
 * layer network's SE nodes start with their SE module's name (`features.4.block.2.`).
 */
export function seNodeTest(net: NetworkSpec): SeNodeTest {
  if (!isLayerNet(net)) return (node) => node.includes('.se.');
  const prefixes = layerNetSes(net).map((s) => `${s.layer.name}.`);
  return (node) => prefixes.some((p) => node.startsWith(p));
}

export interface OrtOptions {
  name: string;
  device: DeviceKind;
  description: string;
  /** Loads the runtime (once per implementation; a failure is kept as the reason). */
  load: () => Promise<OrtRuntime>;
  /** Hint when `load` fails with something other than OrtUnavailable. */
  installHint: string;
}

/**
 * An output as a plain tensor. Outputs on the CPU are already fresh JS arrays
 * (onnxruntime-node and -web copy each run's outputs out of ORT's memory), so
 * they are taken as they are: copying them again cost 19 ms of a 32 ms SE
 * block at 8x256x56x56 here. Anything else is copied to the host.
 */
export function hostTensor(t: Ort.Tensor, name: string): Tensor {
  if (t.type !== 'float32') throw new Error(`output ${name} has type ${t.type}, expected float32`);
  const data = t.data as Float32Array;
  return { shape: [...t.dims], data: t.location === 'cpu' && data instanceof Float32Array ? data : Float32Array.from(data) };
}

/** A session of `model` bytes; any refusal (a corrupt or unsupported model) is an Error starting with `refusal`. */
/** The case input as an ORT tensor. A view on shared memory is copied: ORT's WebGPU paths cannot upload from a SharedArrayBuffer. */
export function inputTensor(rt: Pick<OrtRuntime, 'ort'>, x: Tensor): Ort.Tensor {
  return new rt.ort.Tensor('float32', x.data.buffer instanceof ArrayBuffer ? x.data : x.data.slice(), [...x.shape]);
}

export async function createSession(rt: Pick<OrtRuntime, 'ort' | 'options'>, model: Uint8Array, refusal: string): Promise<Ort.InferenceSession> {
  try {
    return await rt.ort.InferenceSession.create(model, rt.options);
  } catch (e) {
    throw new Error(`${refusal}: ${String((e as Error)?.message ?? e).split('\n')[0]}`);
  }
}

/** One ONNX Runtime package and execution provider behind the SeImplementation contract. */
export class OrtImplementation implements SeImplementation {
  readonly name: string;
  readonly device: DeviceKind;
  readonly layout = 'NCHW';
  readonly precision = 'fp32';
  readonly description: string;
  readonly #options: OrtOptions;
  #runtime: Promise<OrtRuntime> | undefined;

  constructor(o: OrtOptions) {
    this.name = o.name;
    this.device = o.device;
    this.description = o.description;
    this.#options = o;
  }

  #load(): Promise<OrtRuntime> {
    this.#runtime ??= this.#options.load();
    return this.#runtime;
  }

  /** Loads the package and resolves the provider settings (once); sessions are made per block, in prepare*. Never throws. */
  async probe(): Promise<Availability> {
    try {
      const rt = await this.#load();
      return { available: true, detail: rt.detail, ...(rt.threads === undefined ? {} : { threads: rt.threads }) };
    } catch (e) {
      return { available: false, reason: (e as Error).message, installHint: e instanceof OrtUnavailable ? e.installHint : this.#options.installHint };
    }
  }

  async #session(model: Uint8Array, what: string): Promise<{ rt: OrtRuntime; session: Ort.InferenceSession }> {
    const rt = await this.#load();
    return { rt, session: await createSession(rt, model, `${this.name}: ONNX Runtime refused the ${what} model`) };
  }

  async #run(rt: OrtRuntime, session: Ort.InferenceSession, x: Tensor): Promise<Record<string, Tensor>> {
    const out = await session.run({ x: inputTensor(rt, x) });
    const host: Record<string, Tensor> = {};
    for (const [name, t] of Object.entries(out)) {
      host[name] = hostTensor(t, name);
      t.dispose();
    }
    return host;
  }

  async #block(model: Uint8Array, what: string): Promise<PreparedBlock> {
    const { rt, session } = await this.#session(model, what);
    return {
      run: async (x: Tensor): Promise<BlockOutput> => {
        const { y, gate } = await this.#run(rt, session, x);
        if (!y) throw new Error(`${this.name}: the ${what} model returned no output "y"`);
        return gate ? { y, gate } : { y };
      },
      dispose: () => session.release(),
    };
  }

  async prepareSe(spec: SeSpec, weights: Weights): Promise<PreparedBlock> {
    return this.#block(seOnnx(spec, weights), 'SE');
  }

  async prepareBottleneck(spec: BottleneckSpec, weights: Weights): Promise<PreparedBlock> {
    return this.#block(bottleneckOnnx(spec, weights), 'bottleneck');
  }

  async prepareNetwork(spec: NetworkSpec, weights: Weights): Promise<PreparedNetwork> {
    const model = networkOnnx(spec, weights);
    const { rt, session } = await this.#session(model, spec.name);
    const profile = rt.profile;
    return {
      ...(profile ? { profile: (x: Tensor, calls: number) => profile(model, { x: new rt.ort.Tensor('float32', x.data.slice(), [...x.shape]) }, calls, seNodeTest(spec)) } : {}),
      run: async (x: Tensor): Promise<NetworkOutput> => {
        const out = await this.#run(rt, session, x);
        const stages: Record<string, Tensor> = {};
        const gates: Record<string, Tensor> = {};
        for (const [k, t] of Object.entries(out)) {
          if (k.startsWith(STAGE_OUTPUT_PREFIX)) stages[k.slice(STAGE_OUTPUT_PREFIX.length)] = t;
          else if (k.startsWith(GATE_OUTPUT_PREFIX)) gates[k.slice(GATE_OUTPUT_PREFIX.length)] = t;
        }
        if (!out.logits) throw new Error(`${this.name}: the ${spec.name} model returned no "logits"`);
        return { logits: out.logits, stages, gates };
      },
      dispose: () => session.release(),
    };
  }
}

