/**
 * The SENet paper's cost figures (arXiv 1709.01507), recomputed exactly.
 * The paper counts ResNet-50 v1 (stride on the first 1x1 conv) at 224x224 and
 * rounds params to 0.1 M and GFLOPs to 0.01 G; each row compares our exact
 * count with the paper's figure at the paper's own rounding and says whether
 * they agree, and with which of our measures (MACs alone, or MACs plus SE's
 * elementwise ops).
 */
import { countNetwork, type NetworkCount } from './count.ts';
import { makeNetwork, type NetworkSe } from './network.ts';

/** One compared figure. */
export interface PaperRow {
  table: string;
  row: string;
  unit: 'M params' | 'GFLOPs' | '% params' | '% GFLOPs';
  paper: number;
  /** Decimals the paper prints. */
  decimals: number;
  /** Our exact value in `unit`. */
  ours: number;
  /** ours - paper, in `unit`. */
  diff: number;
  /** Our value rounded to the paper's decimals equals the paper's figure. */
  agrees: boolean;
  /** Our value rounded up (ceiling) to the paper's decimals equals it: the paper's params are all consistent with this. */
  agreesRoundedUp: boolean;
  note: string;
}

/** The paper's SE-ResNet-50 params (M) by reduction ratio (its reduction-ratio table). */
export const PAPER_RATIO_PARAMS: Record<number, number> = { 2: 45.7, 4: 35.7, 8: 30.7, 16: 28.1, 32: 26.9 };

/** The paper's timings (ms), SE-ResNet-50 vs ResNet-50: CPU one 224x224 image; GPU batch 256 forward+backward. */
export const PAPER_TIMING = { cpu: { plain: 164, se: 167 }, gpu: { plain: 190, se: 209 } };

const M = 1e6;
const G = 1e9;

function v1(se?: Partial<NetworkSe>): NetworkCount {
  return countNetwork(se ? makeNetwork('se-resnet50-v1', se) : makeNetwork('resnet50-v1'), 224);
}

function row(table: string, name: string, unit: PaperRow['unit'], paper: number, decimals: number, ours: number, note = ''): PaperRow {
  const scale = 10 ** decimals;
  const agrees = Number(ours.toFixed(decimals)) === paper;
  const agreesRoundedUp = Math.round(Math.ceil(ours * scale - 1e-9)) === Math.round(paper * scale);
  return { table, row: name, unit, paper, decimals, ours, diff: ours - paper, agrees, agreesRoundedUp, note };
}

/** GFLOPs row: says which of our two measures reproduces the paper's rounding. */
function gflopsRow(table: string, name: string, paper: number, c: NetworkCount): PaperRow {
  const macs = c.macs / G;
  const flops = c.flops / G;
  const macsAgree = Number(macs.toFixed(2)) === paper;
  const flopsAgree = Number(flops.toFixed(2)) === paper;
  const uses = macsAgree && flopsAgree
    ? 'MACs and MACs + SE ops both round to the paper\'s figure'
    : macsAgree ? `the paper's figure matches MACs only; with SE elementwise ops it is ${flops.toFixed(3)}`
      : flopsAgree ? `the paper's figure matches only when SE elementwise ops are counted; MACs alone give ${macs.toFixed(3)}`
        : `neither MACs (${macs.toFixed(3)}) nor MACs + SE ops (${flops.toFixed(3)}) round to the paper's figure`;
  const ours = macsAgree || !flopsAgree ? macs : flops;
  return { ...row(table, name, 'GFLOPs', paper, 2, ours), agrees: macsAgree || flopsAgree, note: uses };
}

/** Every figure of the paper's cost tables that design.md lists, with ours beside it. */
export function paperRows(): PaperRow[] {
  const base = v1();
  const se = v1({});
  const rows: PaperRow[] = [];
  const t1 = 'ResNet-50 vs SE-ResNet-50 (r = 16)';
  rows.push(gflopsRow(t1, 'ResNet-50', 3.86, base));
  rows.push(gflopsRow(t1, 'SE-ResNet-50', 3.87, se));
  const macsPct = ((se.macs - base.macs) / base.macs) * 100;
  const flopsPct = ((se.flops - base.flops) / base.flops) * 100;
  rows.push({
    ...row(t1, 'SE-ResNet-50 relative GFLOPs increase', '% GFLOPs', 0.26, 2, flopsPct),
    note: `the paper's +0.26% is (3.87 - 3.86) / 3.86 of its rounded figures; exact: +${flopsPct.toFixed(2)}% with SE ops, +${macsPct.toFixed(3)}% in MACs alone`,
  });
  rows.push(row(t1, 'ResNet-50 params', 'M params', 25.6, 1, base.params / M));
  rows.push(row(t1, 'SE-ResNet-50 params', 'M params', 28.1, 1, se.params / M, 'FC biases on, as timm seresnet50'));
  const pct = (c: NetworkCount): number => ((c.params - base.params) / base.params) * 100;
  rows.push(row(t1, 'SE params increase, all stages ("~10%")', '% params', 10, 0, pct(se)));
  rows.push(row(t1, 'SE params increase without the last stage ("~4%")', '% params', 4, 0, pct(v1({ stages: [2, 3, 4] }))));

  for (const [r, paper] of Object.entries(PAPER_RATIO_PARAMS).map(([k, v]) => [Number(k), v] as const)) {
    rows.push(row('reduction ratio (SE-ResNet-50 params)', `r = ${r}`, 'M params', paper, 1, v1({ ratio: r }).params / M));
  }
  rows.push(row('reduction ratio (SE-ResNet-50 params)', 'original ResNet-50', 'M params', 25.6, 1, base.params / M));

  const stages: [string, number[], number][] = [['SE stage 2 only', [2], 25.6], ['SE stage 3 only', [3], 25.7], ['SE stage 4 only', [4], 26.4], ['SE all stages', [2, 3, 4, 5], 28.1]];
  for (const [name, s, paper] of stages) rows.push(row('stage-wise SE (params)', name, 'M params', paper, 1, v1({ stages: s }).params / M));

  const se3 = v1({ position: '3x3' });
  rows.push(row('integration: SE_3x3', 'SE_3x3 params', 'M params', 25.8, 1, se3.params / M,
    'SE on the 3x3 conv\'s width (64..512 channels, r = 16)'));
  rows.push(gflopsRow('integration: SE_3x3', 'SE_3x3 GFLOPs', 3.86, se3));
  const ns = v1({ squeeze: 'none' });
  rows.push(row('squeeze: NoSqueeze', 'NoSqueeze params', 'M params', 28.1, 1, ns.params / M, 'same weights as SE, applied as 1x1 convs'));
  rows.push(gflopsRow('squeeze: NoSqueeze', 'NoSqueeze GFLOPs', 4.27, ns));
  for (const r of rows) {
    if (r.agrees) continue;
    const exact = `exact ${r.ours.toFixed(r.decimals + 2)} rounds to ${r.ours.toFixed(r.decimals)}`;
    const why = r.agreesRoundedUp ? `${exact}; the paper's figure is the exact count rounded up` : `${exact}; the paper's figure disagrees`;
    r.note = r.note ? `${why}. ${r.note}` : why;
  }
  return rows;
}

/** The paper's reduction ratio. */
export const PAPER_RATIO = 16;

/** Of the ratios given, the one closest to the paper's (on a log scale; ties to the larger), or undefined for none. */
export function ratioClosestToPaper(ratios: Iterable<number>): number | undefined {
  return [...new Set(ratios)].sort((a, b) => Math.abs(Math.log(a / PAPER_RATIO)) - Math.abs(Math.log(b / PAPER_RATIO)) || b - a)[0];
}
