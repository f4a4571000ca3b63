// A page module: an SE block on WebGPU (WGSL), run inside Chromium by se-bench's browser device, where it is
// listed as browser-my-se-webgpu. Written only against the public API (README "Bring your own implementation").
//   npx se-bench conformance --device=browser --page-module=examples/my-se-webgpu.page.mjs --impl=browser-my-se-webgpu
// Three passes: squeeze (one invocation per descriptor), excitation (one per gate vector), scale (one per element).
// P = positions per plane that get their own gate: 1 for avg/max squeeze, H*W for NoSqueeze.
import { hiddenWidth, UnsupportedError } from 'se-bench';

const WGSL = /* wgsl */ `
struct Dims { n: u32, c: u32, hw: u32, h: u32, p: u32, squeeze: u32, act: u32, bias1: u32, bias2: u32 }
@group(0) @binding(0) var<uniform> d: Dims;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read_write> s: array<f32>;     // [N, C, P] descriptors
@group(0) @binding(3) var<storage, read_write> gate: array<f32>;  // [N, C, P]
@group(0) @binding(4) var<storage, read_write> y: array<f32>;
@group(0) @binding(5) var<storage, read> w1: array<f32>;          // [h, C], then bias1 [h]
@group(0) @binding(6) var<storage, read> w2: array<f32>;          // [C, h], then bias2 [C]
@group(0) @binding(7) var<storage, read_write> hidden: array<f32>; // [N * P, h]

@compute @workgroup_size(64) fn squeeze(@builtin(global_invocation_id) id: vec3u) {
  let i = id.x;                       // over N * C * P
  if (i >= d.n * d.c * d.p) { return; }
  let plane = i / d.p;
  if (d.squeeze == 2u) { s[i] = x[plane * d.hw + i % d.p]; return; }
  var acc = select(0.0, -3.4e38, d.squeeze == 1u);
  for (var k = 0u; k < d.hw; k++) {
    let v = x[plane * d.hw + k];
    if (d.squeeze == 1u) { acc = max(acc, v); } else { acc += v; }
  }
  s[i] = select(acc / f32(d.hw), acc, d.squeeze == 1u);
}

fn act(v: f32) -> f32 {
  if (d.act == 1u) { return tanh(v); }
  if (d.act == 2u) { return 1.0 / (1.0 + exp(-v)); }
  return max(v, 0.0);
}

@compute @workgroup_size(64) fn excite(@builtin(global_invocation_id) id: vec3u) {
  let v = id.x;                       // over N * P gate vectors
  if (v >= d.n * d.p) { return; }
  let b = v / d.p;
  let pos = v % d.p;
  for (var j = 0u; j < d.h; j++) {
    var acc = select(0.0, w1[d.h * d.c + j], d.bias1 == 1u);
    for (var i = 0u; i < d.c; i++) { acc += w1[j * d.c + i] * s[(b * d.c + i) * d.p + pos]; }
    hidden[v * d.h + j] = act(acc);
  }
  for (var i = 0u; i < d.c; i++) {
    var acc = select(0.0, w2[d.c * d.h + i], d.bias2 == 1u);
    for (var j = 0u; j < d.h; j++) { acc += w2[i * d.h + j] * hidden[v * d.h + j]; }
    gate[(b * d.c + i) * d.p + pos] = 1.0 / (1.0 + exp(-acc));
  }
}

@compute @workgroup_size(64) fn scale(@builtin(global_invocation_id) id: vec3u) {
  let i = id.x;                       // over N * C * H * W
  if (i >= d.n * d.c * d.hw) { return; }
  let plane = i / d.hw;
  y[i] = x[i] * gate[plane * d.p + select(0u, i % d.hw, d.p > 1u)];
}`;

let devicePromise;
async function gpuDevice() {
  devicePromise ??= (async () => {
    if (!navigator.gpu) throw new Error('navigator.gpu is missing: this page has no WebGPU');
    const adapter = await navigator.gpu.requestAdapter();
    if (!adapter) throw new Error('requestAdapter() returned null: no WebGPU adapter');
    return { device: await adapter.requestDevice(), adapter };
  })();
  return devicePromise;
}

const SQUEEZE = { avg: 0, max: 1, none: 2 };
const ACT = { relu: 0, tanh: 1, sigmoid: 2 };

export default {
  name: 'my-se-webgpu',
  device: 'browser',
  layout: 'NCHW',
  precision: 'fp32',
  description: 'WGSL SE block on the page\'s WebGPU (examples/my-se-webgpu.page.mjs)',
  async probe() {
    try {
      const { adapter } = await gpuDevice();
      return { available: true, detail: `${adapter.info.vendor} ${adapter.info.architecture}`.trim() || 'WebGPU adapter' };
    } catch (e) {
      return { available: false, reason: e.message, installHint: 'a browser with WebGPU (se-bench starts Chromium with it)' };
    }
  },
  async prepareSe(spec, weights) {
    // This kernel has the paper's sigmoid gate and relu/tanh/sigmoid between the FCs only: it declines the rest,
    // and the harness reports those cells "unsupported" with this reason instead of failing them.
    if (spec.gate !== 'sigmoid') throw new UnsupportedError(`gate ${spec.gate}: this kernel has the sigmoid gate only`);
    if (!(spec.hiddenActivation in ACT)) throw new UnsupportedError(`hidden activation ${spec.hiddenActivation}: this kernel has ${Object.keys(ACT).join(', ')}`);
    const { device } = await gpuDevice();
    const c = spec.channels;
    const h = hiddenWidth(spec);
    const module = device.createShaderModule({ code: WGSL });
    const pipeline = (entryPoint) => device.createComputePipeline({ layout: 'auto', compute: { module, entryPoint } });
    const passes = ['squeeze', 'excite', 'scale'].map(pipeline);
    const storage = (data, usage = GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST) => {
      const buffer = device.createBuffer({ size: Math.max(16, data.byteLength), usage });
      device.queue.writeBuffer(buffer, 0, data);
      return buffer;
    };
    // Weights with their biases appended (zeros when absent; the shader reads them only when present).
    const pack = (w, bias, extra) => {
      const out = new Float32Array(w.length + extra);
      out.set(w);
      if (bias) out.set(bias, w.length);
      return out;
    };
    const w1 = storage(pack(weights['fc1.weight'].data, weights['fc1.bias']?.data, h));
    const w2 = storage(pack(weights['fc2.weight'].data, weights['fc2.bias']?.data, c));
    const live = [w1, w2];
    return {
      async run(x) {
        const [n, xc, height, width] = x.shape;
        if (xc !== c) throw new RangeError(`input has ${xc} channels, the block expects ${c}`);
        const hw = height * width;
        const p = spec.squeeze === 'none' ? hw : 1;
        const dims = new Uint32Array([n, c, hw, h, p, SQUEEZE[spec.squeeze], ACT[spec.hiddenActivation], spec.bias1 ? 1 : 0, spec.bias2 ? 1 : 0]);
        const bytes = 4 * x.data.length;
        const buffers = {
          d: storage(new Uint32Array([...dims, 0, 0, 0]), GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST),
          x: storage(x.data),
          s: device.createBuffer({ size: 4 * n * c * p, usage: GPUBufferUsage.STORAGE }),
          gate: device.createBuffer({ size: 4 * n * c * p, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC }),
          y: device.createBuffer({ size: bytes, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC }),
          hidden: device.createBuffer({ size: Math.max(16, 4 * n * p * h), usage: GPUBufferUsage.STORAGE }),
          readY: device.createBuffer({ size: bytes, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST }),
          readGate: device.createBuffer({ size: 4 * n * c * p, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST }),
        };
        try {
          const order = [buffers.d, buffers.x, buffers.s, buffers.gate, buffers.y, w1, w2, buffers.hidden];
          const encoder = device.createCommandEncoder();
          const pass = encoder.beginComputePass();
          for (const [k, pl] of passes.entries()) {
            // 'auto' layouts keep only the bindings an entry point uses.
            const used = [[0, 1, 2], [0, 2, 3, 5, 6, 7], [0, 1, 3, 4]][k];
            pass.setPipeline(pl);
            pass.setBindGroup(0, device.createBindGroup({ layout: pl.getBindGroupLayout(0), entries: used.map((b) => ({ binding: b, resource: { buffer: order[b] } })) }));
            const count = [n * c * p, n * p, n * c * hw][k];
            pass.dispatchWorkgroups(Math.ceil(count / 64));
          }
          pass.end();
          encoder.copyBufferToBuffer(buffers.y, 0, buffers.readY, 0, bytes);
          encoder.copyBufferToBuffer(buffers.gate, 0, buffers.readGate, 0, 4 * n * c * p);
          device.queue.submit([encoder.finish()]);
          await Promise.all([buffers.readY.mapAsync(GPUMapMode.READ), buffers.readGate.mapAsync(GPUMapMode.READ)]);
          const y = new Float32Array(buffers.readY.getMappedRange().slice(0));
          const gate = new Float32Array(buffers.readGate.getMappedRange().slice(0));
          return { y: { shape: [...x.shape], data: y }, gate: { shape: p > 1 ? [...x.shape] : [n, c], data: gate } };
        } finally {
          for (const b of Object.values(buffers)) b.destroy();
        }
      },
      dispose() {
        for (const b of live) b.destroy();
      },
    };
  },
};
