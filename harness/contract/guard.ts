/**
 * The harness's side of the contract: every call into an implementation
 * (built-in or plug-in) goes through `guard`, which
 *   - validates spec and weights once, here, before prepare* (implementations
 *     need not repeat it);
 *   - turns a probe that throws, or answers nonsense, into "unavailable" with the error;
 *   - ends a call that never settles after `callTimeoutMs` (CallTimeout), and
 *     disposes what a late prepare still returns;
 *   - checks what prepare and run return (a run function, Float32Array
 *     tensors whose length matches their shape, the shape the input implies)
 *     and says what is wrong instead of letting it fail later.
 * A synchronous endless loop inside an implementation blocks Node itself and
 * cannot be ended from the same thread; only calls that return a promise are limited.
 */
import { checkWeights } from '../data/weights.ts';
import { sizeOf, type Tensor } from '../data/tensor.ts';
import { bottleneckWeightShapes, checkBottleneckSpec, type BottleneckSpec } from '../model/bottleneck.ts';
import { checkNetwork, networkWeightShapes, type NetworkSpec } from '../model/network.ts';
import { makeSeSpec, seWeightShapes, type SeSpec } from '../model/spec.ts';
import { UnsupportedError, type Availability, type BlockOutput, type KindedSpec, type NetworkOutput, type PreparedBlock, type PreparedNetwork, type SeImplementation, type Weights } from './implementation.ts';

/** Default per-call time limit, ms: a naive float64 network forward at 224x224 takes tens of seconds here. */
export const DEFAULT_CALL_TIMEOUT_MS = 120_000;

/** A call into an implementation that did not settle within the limit. */
export class CallTimeout extends Error {
  constructor(readonly call: string, readonly limitMs: number) {
    super(`${call} did not settle within ${limitMs} ms (timeout; raise it with --call-timeout=MS)`);
    this.name = 'CallTimeout';
  }
}

/** An implementation returned something the contract does not allow. */
export class ContractViolation extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ContractViolation';
  }
}

export interface GuardOptions {
  /** Per-call limit, ms, for probe, prepare*, run and dispose. */
  callTimeoutMs: number;
}

const RAW = Symbol('se-bench unguarded');
const GUARDED = Symbol('se-bench guarded');

/** `promise`, or a CallTimeout after `ms`; `late` receives a value that arrives after the timeout (to dispose it). */
export function withTimeout<T>(promise: Promise<T> | T, ms: number, call: string, late?: (value: T) => void): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  let timedOut = false;
  const limit = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      timedOut = true;
      reject(new CallTimeout(call, ms));
    }, ms);
  });
  const work = Promise.resolve(promise).then((v) => {
    if (timedOut) late?.(v);
    return v;
  });
  work.catch(() => {}); // a rejection after the timeout is not unhandled
  return Promise.race([work, limit]).finally(() => clearTimeout(timer));
}

/** What is wrong with `t` as a tensor, or undefined when it is one. */
export function tensorProblem(t: unknown): string | undefined {
  if (t === null || typeof t !== 'object') return `is ${t === null ? 'null' : typeof t}, not a tensor { shape, data }`;
  const { shape, data } = t as Partial<Tensor>;
  if (!Array.isArray(shape) || !shape.every((d) => Number.isInteger(d) && d >= 0)) return 'has no shape array of non-negative integers';
  if (!(data instanceof Float32Array)) {
    const kind = Array.isArray(data) ? 'a plain Array' : data === undefined ? 'missing' : (data as object).constructor?.name ?? typeof data;
    return `has data that is ${kind}, not a Float32Array`;
  }
  if (data.length !== sizeOf(shape)) return `has ${data.length} elements for shape [${shape.join(', ')}] (${sizeOf(shape)} expected)`;
  return undefined;
}

function checkTensor(t: unknown, what: string): void {
  const problem = tensorProblem(t);
  if (problem) throw new ContractViolation(`${what} ${problem}`);
}

function checkBlockOutput(out: unknown, x: Tensor, what: string, sameShapeAsInput: boolean): BlockOutput {
  if (out === null || typeof out !== 'object' || !('y' in out)) throw new ContractViolation(`${what} returned ${out === null ? 'null' : typeof out} instead of { y, gate? }`);
  const o = out as BlockOutput;
  checkTensor(o.y, `${what}: y`);
  if (sameShapeAsInput && o.y.shape.join() !== x.shape.join()) {
    throw new ContractViolation(`${what}: y has shape [${o.y.shape.join(', ')}], but an SE block keeps its input's shape [${x.shape.join(', ')}]`);
  }
  if (!sameShapeAsInput && (o.y.shape.length !== 4 || o.y.shape[0] !== x.shape[0])) {
    throw new ContractViolation(`${what}: y has shape [${o.y.shape.join(', ')}]; a 4-D tensor with the input's batch ${x.shape[0]} is expected`);
  }
  if (o.gate !== undefined) checkTensor(o.gate, `${what}: gate`);
  return o;
}

function checkNetworkOutput(out: unknown, what: string): NetworkOutput {
  if (out === null || typeof out !== 'object' || !('logits' in out)) throw new ContractViolation(`${what} returned ${out === null ? 'null' : typeof out} instead of { logits, stages, gates }`);
  const o = out as NetworkOutput;
  checkTensor(o.logits, `${what}: logits`);
  for (const part of ['stages', 'gates'] as const) {
    const group = o[part] as unknown;
    if (group === null || typeof group !== 'object') throw new ContractViolation(`${what}: ${part} is not an object of tensors by name`);
    for (const [name, t] of Object.entries(group)) checkTensor(t, `${what}: ${part}.${name}`);
  }
  return o;
}

function checkPrepared(p: unknown, what: string): void {
  const o = p as Partial<PreparedBlock> | null;
  if (o === null || typeof o !== 'object' || typeof o.run !== 'function') {
    throw new ContractViolation(`${what} returned ${o === null ? 'null' : typeof o} without a run() method`);
  }
  if (typeof o.dispose !== 'function') throw new ContractViolation(`${what} returned an object without a dispose() method`);
}

function availabilityProblem(a: unknown): string | undefined {
  if (a === null || typeof a !== 'object' || typeof (a as Availability).available !== 'boolean') return 'did not return { available: boolean, ... }';
  if (!(a as Availability).available && typeof (a as { reason?: unknown }).reason !== 'string') return 'returned { available: false } without a reason string';
  return undefined;
}

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** The implementation behind a guarded prepared block or network, for timing loops that must not pay the guard's timer per call. */
export function unguarded<T extends PreparedBlock | PreparedNetwork>(p: T): T {
  return ((p as unknown as Record<symbol, T>)[RAW]) ?? p;
}

/**
 * Prepares with a time limit; a result that arrives after the limit is
 * disposed, a malformed one is disposed when possible and refused.
 */
async function prepareGuarded<P extends PreparedBlock | PreparedNetwork>(call: () => Promise<P>, what: string, ms: number): Promise<P> {
  const disposeQuietly = (p: P) => {
    Promise.resolve().then(() => p?.dispose?.()).catch(() => {});
  };
  const p = await withTimeout(Promise.resolve().then(call), ms, what, disposeQuietly);
  try {
    checkPrepared(p, what);
  } catch (e) {
    disposeQuietly(p);
    throw e;
  }
  return p;
}

function guardBlock(p: PreparedBlock, label: string, ms: number, sameShapeAsInput: boolean): PreparedBlock {
  const g: PreparedBlock = {
    run: async (x) => checkBlockOutput(await withTimeout(Promise.resolve().then(() => p.run(x)), ms, `${label}: run`), x, `${label}: run`, sameShapeAsInput),
    dispose: () => withTimeout(Promise.resolve().then(() => p.dispose()), ms, `${label}: dispose`),
  };
  if (p.stage) g.stage = (x) => p.stage!(x);
  if (p.measureInPage) g.measureInPage = p.measureInPage;
  if (p.runDeviceOnly) g.runDeviceOnly = () => withTimeout(Promise.resolve().then(() => p.runDeviceOnly!()), ms, `${label}: runDeviceOnly`);
  if (p.threadsFor) {
    g.threadsFor = (shape) => {
      const t = p.threadsFor!(shape);
      if (!Number.isInteger(t) || t < 1) throw new ContractViolation(`${label}: threadsFor returned ${JSON.stringify(t)}, not an integer >= 1`);
      return t;
    };
  }
  Object.defineProperty(g, RAW, { value: p });
  return g;
}

function guardNetwork(p: PreparedNetwork, label: string, ms: number): PreparedNetwork {
  const g: PreparedNetwork = {
    run: async (x) => checkNetworkOutput(await withTimeout(Promise.resolve().then(() => p.run(x)), ms, `${label}: run`), `${label}: run`),
    dispose: () => withTimeout(Promise.resolve().then(() => p.dispose()), ms, `${label}: dispose`),
  };
  if (p.measureInPage) g.measureInPage = p.measureInPage;
  if (p.profile) g.profile = (x, calls) => withTimeout(Promise.resolve().then(() => p.profile!(x, calls)), ms * (calls + 1), `${label}: profile`);
  Object.defineProperty(g, RAW, { value: p });
  return g;
}

/**
 * Asks `impl.supports` about a validated spec: returns when it is supported,
 * throws UnsupportedError with the implementation's reason when declined, and
 * a ContractViolation for an answer that is neither `true` nor a reason.
 */
function checkSupported(impl: SeImplementation, { kind, spec }: KindedSpec, label: string): void {
  if (!impl.supports) return;
  let answer: unknown;
  try {
    answer = impl.supports(spec, kind);
  } catch (e) {
    throw new ContractViolation(`${label}: supports() threw: ${message(e)}; it must return true or the reason it declines`);
  }
  if (answer === true) return;
  if (typeof answer === 'string' && answer.trim()) throw new UnsupportedError(`declined by ${impl.name}.supports(): ${answer.trim()}`);
  throw new ContractViolation(`${label}: supports() returned ${JSON.stringify(answer) ?? String(answer)}; it must return true or a non-empty reason string`);
}

/** `impl` behind the guard (see the module comment); the descriptive fields are copied, optional methods kept only when present. */
export function guard(impl: SeImplementation, opts: GuardOptions): SeImplementation {
  if (GUARDED in impl) return impl; // already guarded (with its own limit)
  const ms = opts.callTimeoutMs;
  const name = impl.name;
  const g: SeImplementation = {
    name, device: impl.device, layout: impl.layout, precision: impl.precision, description: impl.description,
    ...(impl.supports ? { supports: (spec, kind) => impl.supports!(spec, kind) } : {}),
    async probe(): Promise<Availability> {
      try {
        const a = await withTimeout(Promise.resolve().then(() => impl.probe()), ms, `${name}: probe`);
        const problem = availabilityProblem(a);
        if (problem) return { available: false, reason: `probe() ${problem}`, installHint: `fix ${name}'s probe()` };
        const r = a as Availability;
        return r.available ? r : { ...r, installHint: typeof r.installHint === 'string' ? r.installHint : 'see the reason' };
      } catch (e) {
        return { available: false, reason: `probe() failed: ${message(e)}`, installHint: `fix ${name}'s probe(); it must resolve and never throw` };
      }
    },
    async prepareSe(specIn: SeSpec, weights: Weights): Promise<PreparedBlock> {
      const spec = makeSeSpec(specIn);
      checkWeights(weights, seWeightShapes(spec), `${name} SE`);
      const label = `${name} SE C=${spec.channels} r=${spec.ratio}`;
      checkSupported(impl, { kind: 'se', spec }, label);
      return guardBlock(await prepareGuarded(() => impl.prepareSe(spec, weights), `${label}: prepareSe`, ms), label, ms, true);
    },
  };
  if (impl.prepareBottleneck) {
    g.prepareBottleneck = async (specIn: BottleneckSpec, weights: Weights) => {
      const spec = checkBottleneckSpec(specIn);
      checkWeights(weights, bottleneckWeightShapes(spec), `${name} bottleneck`);
      const label = `${name} bottleneck`;
      checkSupported(impl, { kind: 'bottleneck', spec }, label);
      return guardBlock(await prepareGuarded(() => impl.prepareBottleneck!(spec, weights), `${label}: prepareBottleneck`, ms), label, ms, false);
    };
  }
  if (impl.prepareNetwork) {
    g.prepareNetwork = async (specIn: NetworkSpec, weights: Weights) => {
      const spec = checkNetwork(specIn);
      checkWeights(weights, networkWeightShapes(spec), `${name} ${spec.name}`);
      const label = `${name} ${spec.name}`;
      checkSupported(impl, { kind: 'network', spec }, label);
      return guardNetwork(await prepareGuarded(() => impl.prepareNetwork!(spec, weights), `${label}: prepareNetwork`, ms), label, ms);
    };
  }
  Object.defineProperty(g, GUARDED, { value: ms });
  return g;
}
