/**
 * A user's ONNX file on one ONNX Runtime back end, behind the public
 * SeImplementation contract: prepareSe declines a case the file was not made
 * for (UnsupportedError with the reason), swaps the case's weights into the
 * file's initializers or weight inputs, and opens one session; run feeds the
 * case input to the graph's data input and reads its first output as y (a
 * second one shaped [N, C] or [N, C, 1, 1] as the gate).
 */
import { UnsupportedError, type Availability, type BlockOutput, type DeviceKind, type PreparedBlock, type SeImplementation } from '../../contract/implementation.ts';
import type { Tensor } from '../../data/tensor.ts';
import type { Weights } from '../../data/weights.ts';
import type { SeSpec } from '../../model/spec.ts';
import { declineReason, modelWith } from './match.ts';
import type { OnnxFile } from './model.ts';
import { installHintOf, type FileRuntime, type RuntimeKind } from './runtimes.ts';

/** `onnx-<file stem>-<built-in>`, e.g. onnx-se64-ort-cpu, within the 64 characters a name may have. */
export function fileImplementationName(stem: string, builtin: string): string {
  const safe = stem.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^[^A-Za-z0-9]+/, '').slice(0, 64 - 'onnx--'.length - builtin.length) || 'file';
  return `onnx-${safe}-${builtin}`;
}

/** The second output as the gate: [N, C], [N, C, 1, 1] (returned as [N, C]), or for squeeze none x's shape; otherwise undefined. */
function asGate(t: Tensor | undefined, x: Tensor, spec: SeSpec): Tensor | undefined {
  if (!t) return undefined;
  const [n, c] = x.shape;
  const s = t.shape;
  if (spec.squeeze === 'none') return s.length === x.shape.length && s.every((d, i) => d === x.shape[i]) ? t : undefined;
  if (s[0] === n && s[1] === c && (s.length === 2 || (s.length === 4 && s[2] === 1 && s[3] === 1))) return { shape: [n!, c!], data: t.data };
  return undefined;
}

export class OnnxFileImplementation implements SeImplementation {
  readonly name: string;
  readonly device: DeviceKind;
  readonly layout = 'NCHW';
  readonly precision = 'fp32';
  readonly description: string;
  #runtime: Promise<FileRuntime> | undefined;

  constructor(readonly file: OnnxFile, readonly kind: RuntimeKind) {
    this.name = fileImplementationName(file.stem, kind.builtin);
    this.device = kind.device;
    this.description = `your ONNX file ${file.path} on ${kind.description}`;
  }

  #load(): Promise<FileRuntime> {
    this.#runtime ??= this.kind.load();
    return this.#runtime;
  }

  async probe(): Promise<Availability> {
    try {
      const rt = await this.#load();
      return { available: true, detail: `ONNX file ${this.file.summary}; ${rt.detail}`, ...(rt.threads === undefined ? {} : { threads: rt.threads }) };
    } catch (e) {
      return { available: false, reason: (e as Error).message, installHint: installHintOf(e, this.kind) };
    }
  }

  async prepareSe(spec: SeSpec, weights: Weights): Promise<PreparedBlock> {
    const why = declineReason(this.file, spec, weights);
    if (why) throw new UnsupportedError(`${this.file.path} was not made for this case: ${why}`);
    const { model, feeds } = modelWith(this.file, weights);
    const rt = await this.#load();
    const { glue } = this.kind;
    const session = await glue.createSession(rt, model, `${this.name}: ONNX Runtime refused ${this.file.path} with this case's weights`);
    const weightFeeds = Object.fromEntries(feeds.map((f) => [f.name, new rt.ort.Tensor('float32', f.data, f.dims)]));
    const { input, outputs } = this.file;
    return {
      run: async (x: Tensor): Promise<BlockOutput> => {
        const fixed = input.dims.map((d, i) => (typeof d === 'number' && d !== x.shape[i] ? i : -1)).filter((i) => i >= 0);
        if (fixed.length) {
          throw new UnsupportedError(`${this.file.path} was not made for this case: its input "${input.name}" is [${input.dims.map((d) => d ?? '?').join(', ')}], this case's is [${x.shape.join(', ')}] `
            + '(export with dynamic_axes for N, H and W to run any size)');
        }
        const out = await session.run({ ...weightFeeds, [input.name]: glue.inputTensor(rt, x) });
        const host: (Tensor | undefined)[] = outputs.slice(0, 2).map((n) => (out[n] ? glue.hostTensor(out[n], n) : undefined));
        for (const t of Object.values(out)) t.dispose();
        const [y, second] = host;
        if (!y) throw new Error(`${this.name}: the graph returned no output "${outputs[0]}"`);
        const gate = asGate(second, x, spec);
        return gate ? { y, gate } : { y };
      },
      dispose: () => session.release(),
    };
  }
}
