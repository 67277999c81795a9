import type { PairedResult } from './measure.js';

/** One plain-text table: what was compared, each side's median wall time, the median ratio, the goal. */
export function formatTable(rows: Array<PairedResult & { peerName: string; goal: string }>): string {
  const header = ['benchmark', 'ovirt-repo', 'peer', 'peer time', 'ratio', 'goal'];
  const body = rows.map((r) => [r.name, fmtMs(r.oursMs), r.peerName, fmtMs(r.peerMs), r.ratio.toFixed(2), r.goal]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((row) => row[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i])).join('  ').trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...body.map(line)].join('\n');
}

function fmtMs(ms: number): string {
  return ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${Math.round(ms)} ms`;
}
