/**
 * tf.profile's kernel records per operator type, for `bench --profile`. A
 * kernel record holds no scope, so the SE part is found by order: from a
 * squeeze (Mean or Max of a 4-D input) to the channel-wise Multiply of a 4-D
 * tensor that ends the block (SiLU's Multiply inside the excitation is 2-D);
 * a squeeze with no such Multiply after it (the head's pooling) stays in the trunk. Records named `<op>__op` are the scope of an op whose
 * kernel is recorded too (fusedConv2d__op around FusedConv2D): left out, or
 * each convolution would count twice.
 */
import type { OperatorTimes } from '../../harness/api.ts';

/** The fields of a tf.profile kernel record this reads (kernelTimeMs resolved: tf.profile awaits it). */
export interface KernelRecord { name: string; inputShapes: (number[] | null)[]; kernelTimeMs: number | { error: string } }

/** Which kernels of one call ran inside an SE block (see the module comment). */
export function seParts(kernels: readonly KernelRecord[]): boolean[] {
  const inSe = kernels.map(() => false);
  let start = -1;
  kernels.forEach((k, i) => {
    if ((k.name === 'Mean' || k.name === 'Max') && k.inputShapes[0]?.length === 4) start = i;
    else if (k.name === 'Multiply' && k.inputShapes[0]?.length === 4 && start >= 0) {
      for (let j = start; j <= i; j++) inSe[j] = true;
      start = -1;
    }
  });
  return inSe;
}

/** Per operator type and part, ms per call, over the kernel records of `calls` calls (one list per call). */
export function kernelTimes(perCall: readonly (readonly KernelRecord[])[]): OperatorTimes {
  const by = new Map<string, { op: string; part: 'se' | 'trunk'; ms: number; nodes: number }>();
  for (const all of perCall) {
    const kernels = all.filter((k) => !k.name.endsWith('__op'));
    const se = seParts(kernels);
    kernels.forEach((k, i) => {
      const part = se[i] ? 'se' : 'trunk';
      const x = by.get(`${part}|${k.name}`) ?? { op: k.name, part, ms: 0, nodes: 0 };
      x.ms += typeof k.kernelTimeMs === 'number' ? k.kernelTimeMs : 0;
      x.nodes += 1;
      by.set(`${part}|${k.name}`, x);
    });
  }
  const calls = Math.max(1, perCall.length);
  return { profiler: 'tf.profile (kernel records)', calls: perCall.length, ops: [...by.values()].map((x) => ({ ...x, ms: x.ms / calls, nodes: Math.round(x.nodes / calls) })) };
}
