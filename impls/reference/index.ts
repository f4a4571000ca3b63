/** `reference`: the naive float64 JS implementation, ground truth on the TypeScript side. */
import { type Availability, type BlockOutput, type BottleneckSpec, type NetworkOutput, type NetworkSpec, type PreparedBlock, type PreparedNetwork, type SeImplementation, type SeSpec, type Tensor, type Weights, dims4 } from '../../harness/api.ts';
import { bottleneckForward, type Act } from './bottleneck-math.ts';
import { networkForward } from './network-math.ts';
import { SeReferenceMath, type SeMathClass } from './se-math.ts';

function checkChannels(x: Tensor, channels: number, what: string): [number, number, number, number] {
  const d = dims4(x, what);
  if (d[1] !== channels) throw new RangeError(`${what}: input has ${d[1]} channels, the block expects ${channels}`);
  return d;
}

export class ReferenceImplementation implements SeImplementation {
  readonly device = 'cpu';
  readonly layout = 'NCHW';
  readonly precision = 'fp64';

  /** `seMath` lets a test substitute a deliberately broken SE to prove the gate fails. */
  constructor(
    readonly name = 'reference',
    private readonly seMath: SeMathClass = SeReferenceMath,
    readonly description = 'naive JS, float64 accumulation (ground truth)',
  ) {}

  async probe(): Promise<Availability> {
    // Also runs inside Chromium (impls/reference/page.ts), where there is no process.
    const node = (globalThis as { process?: { version?: string } }).process?.version;
    return { available: true, detail: node ? `Node ${node}` : 'float64 JS in the page', threads: 1 };
  }

  async prepareSe(spec: SeSpec, weights: Weights): Promise<PreparedBlock> {
    const math = new this.seMath(spec, weights);
    return {
      run: async (x: Tensor): Promise<BlockOutput> => {
        const [n, c, h, w] = checkChannels(x, spec.channels, `${this.name} SE`);
        const r = math.forward(x.data, n, h, w);
        const gateShape = spec.squeeze === 'none' ? [n, c, h, w] : [n, c];
        return { y: { shape: [n, c, h, w], data: Float32Array.from(r.y) }, gate: { shape: gateShape, data: Float32Array.from(r.gate) } };
      },
      dispose: () => {},
    };
  }

  async prepareBottleneck(spec: BottleneckSpec, weights: Weights): Promise<PreparedBlock> {
    return {
      run: async (x: Tensor): Promise<BlockOutput> => {
        const [n, c, h, w] = checkChannels(x, spec.inChannels, `${this.name} bottleneck`);
        const r = bottleneckForward(spec, weights, { data: Float64Array.from(x.data), n, c, h, w }, this.seMath);
        const y: Tensor = { shape: [r.y.n, r.y.c, r.y.h, r.y.w], data: Float32Array.from(r.y.data) };
        return r.gate ? { y, gate: { shape: r.gate.shape, data: Float32Array.from(r.gate.data) } } : { y };
      },
      dispose: () => {},
    };
  }

  async prepareNetwork(spec: NetworkSpec, weights: Weights): Promise<PreparedNetwork> {
    const tensor = (a: Act): Tensor => ({ shape: [a.n, a.c, a.h, a.w], data: Float32Array.from(a.data) });
    return {
      run: async (x: Tensor): Promise<NetworkOutput> => {
        const [n, c, h, w] = checkChannels(x, spec.inChannels, `${this.name} ${spec.name}`);
        const r = networkForward(spec, weights, { data: Float64Array.from(x.data), n, c, h, w }, this.seMath);
        return {
          logits: { shape: [n, spec.numClasses], data: Float32Array.from(r.logits) },
          stages: Object.fromEntries(Object.entries(r.stages).map(([k, a]) => [k, tensor(a)])),
          gates: Object.fromEntries(Object.entries(r.gates).map(([k, g]) => [k, { shape: g.shape, data: Float32Array.from(g.data) }])),
        };
      },
      dispose: () => {},
    };
  }
}
