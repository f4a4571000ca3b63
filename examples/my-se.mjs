// A plain-JavaScript SE block written only against se-bench's public API (README "Bring your own implementation").
// Check it:  npx se-bench conformance --impl-module=examples/my-se.mjs --impl=my-se
import { API_VERSION, hiddenWidth } from 'se-bench';

const ACTIVATIONS = {
  relu: (v) => (v > 0 ? v : v === v ? 0 : v), // keeps NaN, as torch.relu does
  tanh: Math.tanh,
  sigmoid: (v) => 1 / (1 + Math.exp(-v)),
  silu: (v) => v / (1 + Math.exp(-v)),
};
// The gates: the paper's sigmoid and PyTorch's hardsigmoid, relu6(v + 3) / 6 (MobileNetV3).
const GATES = { sigmoid: ACTIVATIONS.sigmoid, hardsigmoid: (v) => (v <= -3 ? 0 : v >= 3 ? 1 : v / 6 + 0.5) };

/**
 * Builds the implementation. `sigmoid: false` leaves the gate's sigmoid out:
 * my-se-broken.mjs uses it to show the gate failing a wrong kernel.
 */
export function createSe({ name = 'my-se', sigmoid = true } = {}) {
  return {
    name,
    apiVersion: API_VERSION,
    device: 'cpu',
    layout: 'NCHW',
    precision: 'fp32',
    description: `plain JavaScript SE block, float32 NCHW (examples/my-se.mjs${sigmoid ? '' : ', sigmoid left out'})`,
    async probe() {
      return { available: true };
    },
    // The harness has validated spec and weights (seWeightShapes) before calling this.
    async prepareSe(spec, weights) {
      const c = spec.channels;
      const h = hiddenWidth(spec);
      const w1 = weights['fc1.weight'].data; // [h, c] (or [h, c, 1, 1]: same order)
      const w2 = weights['fc2.weight'].data; // [c, h]
      const b1 = weights['fc1.bias']?.data;
      const b2 = weights['fc2.bias']?.data;
      const act = ACTIVATIONS[spec.hiddenActivation];
      const gateOf = sigmoid ? GATES[spec.gate] : (v) => v;
      const hidden = new Float64Array(h);
      // Gate of one descriptor s (length c, read with stride) into gate (length c, written with stride).
      const excite = (s, sOff, stride, gate, gOff) => {
        for (let j = 0; j < h; j++) {
          let acc = b1 ? b1[j] : 0;
          for (let i = 0; i < c; i++) acc += w1[j * c + i] * s[sOff + i * stride];
          hidden[j] = act(acc);
        }
        for (let i = 0; i < c; i++) {
          let acc = b2 ? b2[i] : 0;
          for (let j = 0; j < h; j++) acc += w2[i * h + j] * hidden[j];
          gate[gOff + i * stride] = gateOf(acc);
        }
      };
      return {
        async run(x) {
          const [n, xc, height, width] = x.shape;
          if (xc !== c) throw new RangeError(`input has ${xc} channels, the block expects ${c}`);
          const hw = height * width;
          const y = new Float32Array(x.data.length);
          if (spec.squeeze === 'none') {
            // NoSqueeze: the excitation at every position.
            const gate = new Float32Array(x.data.length);
            for (let b = 0; b < n; b++) {
              for (let p = 0; p < hw; p++) excite(x.data, b * c * hw + p, hw, gate, b * c * hw + p);
            }
            for (let i = 0; i < y.length; i++) y[i] = x.data[i] * gate[i];
            return { y: { shape: [...x.shape], data: y }, gate: { shape: [...x.shape], data: gate } };
          }
          const s = new Float64Array(c);
          const gate = new Float32Array(n * c);
          for (let b = 0; b < n; b++) {
            for (let i = 0; i < c; i++) {
              const off = (b * c + i) * hw;
              let v = spec.squeeze === 'max' ? -Infinity : 0;
              for (let k = 0; k < hw; k++) {
                const e = x.data[off + k];
                if (spec.squeeze === 'max') v = e > v || e !== e ? e : v;
                else v += e;
              }
              s[i] = spec.squeeze === 'max' ? v : v / hw;
            }
            excite(s, 0, 1, gate, b * c);
            for (let i = 0; i < c; i++) {
              const off = (b * c + i) * hw;
              const g = gate[b * c + i];
              for (let k = 0; k < hw; k++) y[off + k] = x.data[off + k] * g;
            }
          }
          return { y: { shape: [...x.shape], data: y }, gate: { shape: [n, c], data: gate } };
        },
        dispose() {},
      };
    },
  };
}

export default createSe();
