/**
 * The answers a reader comes for, as sentences per run: how a plug-in
 * compares with our fastest and with PyTorch, is every
 * implementation correct, which is fastest at each SE block shape (and by a
 * measurable margin or not), what SE costs (params, MACs, FLOPs, latency with
 * its interval, beside the paper), and what the reduction ratio trades.
 * The report's first section and the Markdown export both print them.
 */
import { isNetworkRow, isSeBlockRow, measured, type BenchResults, type BenchRow } from '../bench/results.ts';
import { holdsOne, intervalText, ratioInterval } from '../measure/bootstrap.ts';
import { countNetwork } from '../model/count.ts';
import { makeNetwork } from '../model/network.ts';
import { overheadLatencyText, overheadPairs, primaryRatio, ratioText, sweepNetwork, torchPeer } from './summary.ts';

export interface Verdict {
  /** plugin | conformance | fastest | overhead | ratio */
  topic: string;
  text: string;
}

const ms = (r: BenchRow) => r.measurement!.medianMs;
const shapeText = (r: BenchRow) => `${r.shape.slice(1).join('x')}, batch ${r.shape[0]}`;

function conformance(res: BenchResults): Verdict[] {
  const checked = Object.entries(res.validation);
  const unavailable = res.implementations.filter((i) => !i.available).map((i) => i.name);
  const skipped = unavailable.length ? `; not run here: ${unavailable.join(', ')}` : '';
  if (!checked.length) return [{ topic: 'conformance', text: `No implementation was checked against the golden cases${skipped}.` }];
  const cases = new Set(res.conformance.map((c) => c.caseId)).size;
  const failing = checked.filter(([, v]) => v.status !== 'pass');
  const worst = Math.max(0, ...res.conformance.filter((c) => c.status === 'pass').map((c) => c.worstRatio ?? 0));
  const head = `${checked.length} implementation(s) x ${cases} golden case(s)`;
  if (!failing.length) return [{ topic: 'conformance', text: `${head}: all pass, the worst element error at ${(100 * worst).toFixed(0)}% of its tolerance${skipped}.` }];
  const which = failing.map(([name, v]) => `${name} (${v.failures.length} of ${v.cases}: ${v.failures.slice(0, 2).map((f) => f.split(':')[0]).join(', ')}${v.failures.length > 2 ? ', ...' : ''})`);
  return [{ topic: 'conformance', text: `${head}: ${checked.length - failing.length} pass; failing, so never timed: ${which.join('; ')}${skipped}.` }];
}

/** An SE block row the verdicts speak of: ResNet-50's at the primary ratio, or a family network's (which has no ratio). */
const shownBlock = (r: BenchRow, ratio: number | undefined) => isSeBlockRow(r) && ((ratio !== undefined && r.ratio === ratio) || (r.ratio === undefined && r.family !== undefined));

/** Where an SE block row sits: its ratio, or the family network whose block it is (no ratio). */
const blockAt = (r: BenchRow) => `SE block ${shapeText(r)}${r.ratio === undefined ? ` (${r.family})` : `, r = ${r.ratio}`}`;

/** At each SE block shape (the primary ratio, and each family block): the fastest of every timed row, PyTorch's anchors included, and its margin over the next. */
function fastest(res: BenchResults): Verdict[] {
  const ratio = primaryRatio(res.rows.filter(isSeBlockRow));
  const rows = res.rows.filter((r) => shownBlock(r, ratio) && measured(r));
  const out: Verdict[] = [];
  for (const workload of [...new Set(rows.map((r) => r.workload))]) {
    const here = rows.filter((r) => r.workload === workload).sort((a, b) => ms(a) - ms(b));
    const [best, next] = here;
    if (!best) continue;
    const roof = best.rooflinePct === undefined ? '' : `, ${best.rooflinePct.toFixed(0)}% of the copy roofline${best.device === 'cpu' ? '' : ' (device-only time)'}`;
    let margin = ', the only one measured';
    if (next) {
      const i = ratioInterval(next.measurement!.samplesMs, best.measurement!.samplesMs);
      margin = i && holdsOne(i) ? `; no measurable difference from ${next.impl} (${(ms(next) / ms(best)).toFixed(2)}x ${intervalText(i, 2)})`
        : `; ${ratioText(ms(next) / ms(best), i, 'x', ms(next) / ms(best) < 1.01 ? 3 : 2)} faster than the next, ${next.impl}`; // 3 digits where 2 would read 1.00x
    }
    const anchors = here.some((r) => r.kind === 'torch') ? ', PyTorch\'s included' : '';
    out.push({ topic: 'fastest', text: `${blockAt(best)}: fastest of ${here.length} timed${anchors}, ${best.impl} at ${ms(best).toFixed(3)} ms${roof}${margin}.` });
  }
  return out;
}

/** `mine`'s time over `other`'s with its 95% interval, and which is faster where the interval resolves it. */
function against(mine: BenchRow, other: BenchRow, label: string): string {
  const i = ratioInterval(mine.measurement!.samplesMs, other.measurement!.samplesMs);
  const r = ms(mine) / ms(other);
  const call = !i ? 'too few samples for an interval' : holdsOne(i) ? 'no measurable difference' : r < 1 ? 'faster' : 'slower';
  return `${r.toFixed(2)}x the time of ${label} ${other.impl} (${ms(other).toFixed(3)} ms)${i ? ` ${intervalText(i, 2)}` : ''}, ${call}`;
}

/**
 * The plug-ins' own verdicts (results.plugins): on each SE block shape they
 * were timed at (the primary ratio, and each family block), their time
 * against the fastest built-in timed there and against PyTorch's anchor.
 */
function plugins(res: BenchResults): Verdict[] {
  const names = new Set((res.plugins ?? []).map((p) => p.name));
  if (!names.size) return [];
  const ratio = primaryRatio(res.rows.filter(isSeBlockRow));
  const rows = res.rows.filter((r) => shownBlock(r, ratio) && measured(r));
  const out: Verdict[] = [];
  for (const mine of rows.filter((r) => names.has(r.impl))) {
    const others = rows.filter((r) => r.workload === mine.workload && !names.has(r.impl)).sort((a, b) => ms(a) - ms(b));
    const builtin = others.find((r) => r.kind === 'se-block');
    const torch = others.find((r) => r.kind === 'torch' && r.impl === torchPeer(mine.device));
    const parts = [
      builtin ? against(mine, builtin, 'the fastest built-in,') : 'no built-in timed here',
      torch ? against(mine, torch, 'PyTorch,') : 'no PyTorch anchor at this shape',
    ];
    out.push({ topic: 'plugin', text: `${mine.impl}, ${blockAt(mine)}: ${ms(mine).toFixed(3)} ms; ${parts.join('; ')}.` });
  }
  const untimed = [...names].filter((n) => !rows.some((r) => r.impl === n));
  for (const n of untimed) {
    const status = res.validation[n]?.status === 'fail' ? 'failed golden conformance, so it was never timed' : 'has no timed SE block row in this run';
    out.push({ topic: 'plugin', text: `${n} ${status}.` });
  }
  return out;
}

/** One sentence per SE network (model, batch, resolution): the exact cost ratios, then each implementation's measured latency ratio. */
function overhead(res: BenchResults): Verdict[] {
  const pairs = overheadPairs(res.rows);
  const key = (o: (typeof pairs)[number]) => `${o.se.model}|${o.se.shape.join('x')}`;
  return [...new Set(pairs.map(key))].map((k) => {
    const group = pairs.filter((o) => key(o) === k);
    const o = group[0]!;
    const latencies = group.filter((g) => g.latency !== undefined).map((g) => `${g.se.impl} ${overheadLatencyText(g)}`);
    return {
      topic: 'overhead',
      text: `SE cost, ${o.se.model} over ${o.baseName} at batch ${o.se.shape[0]}, ${o.se.shape[2]}x${o.se.shape[3]}: params ${o.params.toFixed(3)}x, MACs ${o.macs.toFixed(4)}x, `
        + `FLOPs ${o.flops.toFixed(4)}x (exact counts); latency ${latencies.length ? latencies.join(', ') : 'not measured'}${o.paper === undefined ? '' : ` (the paper: ${o.paper.toFixed(3)}x)`}.`,
    };
  });
}

/**
 * With networks timed at one ratio (the default): the ratio's trade from the
 * exact params and the SE block timed at each end of the sweep, at its widest
 * shape (where the FCs weigh most), per implementation timed at both.
 */
function blockTradeOff(res: BenchResults): Verdict[] {
  // ResNet-50's stage blocks: a family's SE blocks (--blocks) have no ratio.
  const blocks = res.rows.filter((r) => r.kind === 'se-block' && r.ratio !== undefined && measured(r));
  const ratios = [...new Set(blocks.map((r) => r.ratio!))].sort((a, b) => a - b);
  if (ratios.length < 2) return [];
  const [lo, hi] = [ratios[0]!, ratios.at(-1)!];
  const widest = blocks.reduce((a, b) => (b.shape[1]! > a.shape[1]! ? b : a));
  const at = (impl: string, r: number) => blocks.find((b) => b.impl === impl && b.ratio === r && b.shape.join() === widest.shape.join());
  const times: string[] = [];
  for (const impl of [...new Set(blocks.map((r) => r.impl))]) {
    const [a, b] = [at(impl, lo), at(impl, hi)];
    if (a && b) times.push(`${impl} ${ratioText(ms(a) / ms(b), ratioInterval(a.measurement!.samplesMs, b.measurement!.samplesMs), 'x', 2)}`);
  }
  if (!times.length) return [];
  const net = sweepNetwork(res.rows);
  const params = (r: number) => countNetwork(makeNetwork(net.model, { ratio: r }), net.resolution).params / 1e6;
  return [{
    topic: 'ratio',
    text: `Reduction ratio, ${net.label}: r = ${lo} -> ${hi} takes params from ${params(lo).toFixed(2)} M to ${params(hi).toFixed(2)} M (exact); `
      + `the SE block at ${shapeText(widest)} takes this much longer at r = ${lo} than at r = ${hi}: ${times.join(', ')} `
      + '(whole networks were timed at one ratio; --net-ratios times them at more).',
  }];
}

function ratioTradeOff(res: BenchResults): Verdict[] {
  const nets = res.rows.filter((r) => isNetworkRow(r) && r.ratio !== undefined);
  const ratios = [...new Set(nets.map((r) => r.ratio!))].sort((a, b) => a - b);
  if (ratios.length < 2) return blockTradeOff(res);
  const net = sweepNetwork(res.rows);
  const [lo, hi] = [ratios[0]!, ratios.at(-1)!];
  const params = (r: number) => countNetwork(makeNetwork(net.model, { ratio: r }), net.resolution).params / 1e6;
  const out: Verdict[] = [];
  for (const impl of [...new Set(nets.map((r) => r.impl))]) {
    const a = nets.find((r) => r.impl === impl && r.ratio === lo);
    const b = nets.find((r) => r.impl === impl && r.ratio === hi);
    if (!a || !b || !measured(a) || !measured(b)) continue;
    const i = ratioInterval(a.measurement!.samplesMs, b.measurement!.samplesMs);
    out.push({
      topic: 'ratio',
      text: `Reduction ratio, ${net.label} on ${impl}: r = ${lo} -> ${hi} takes params from ${params(lo).toFixed(2)} M to ${params(hi).toFixed(2)} M; `
        + `latency ${ms(a).toFixed(1)} ms at r = ${lo}, ${ms(b).toFixed(1)} ms at r = ${hi}: ${ratioText(ms(a) / ms(b), i, 'x', 3)}.`,
    });
  }
  return out;
}

/** Every verdict of one run, in reading order. */
export function verdicts(res: BenchResults): Verdict[] {
  return [...plugins(res), ...conformance(res), ...fastest(res), ...overhead(res), ...ratioTradeOff(res)];
}
