import { describeGoal, formatMs, goalStatus, type Row } from './row.js';

const HEADER = ['benchmark', 'ovirt-repo', 'peer', 'peer time', 'ratio', 'goal', 'met'];

/** The cells of one row; '-' where a skipped row has no figure. */
export function rowCells(r: Row): string[] {
  const ms = (v: number | null) => (v === null ? '-' : formatMs(v));
  return [r.name, ms(r.oursMs), r.peerName, r.peerName === '-' ? '-' : ms(r.peerMs), r.ratio === null ? '-' : r.ratio.toFixed(2), describeGoal(r.goal), goalStatus(r)];
}

function noteOf(r: Row): string | undefined {
  if (r.failed) return `failed: ${r.failed}`;
  if (r.skipped) return `skipped: ${r.skipped}`;
  return r.note;
}

/**
 * One plain-text table (what was compared, each side's median wall time, the median ratio, the goal and
 * whether it is met), then the rows' notes as numbered footnotes so the table itself stays narrow.
 */
export function formatTable(rows: Row[]): string {
  const notes: string[] = [];
  const body = rows.map((r) => {
    const cells = rowCells(r);
    const note = noteOf(r);
    if (note) {
      notes.push(`[${notes.length + 1}] ${r.name}: ${note}`);
      cells[0] = `${cells[0]} [${notes.length}]`;
    }
    return cells;
  });
  const widths = HEADER.map((h, i) => Math.max(h.length, ...body.map((row) => row[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i])).join('  ').trimEnd();
  const table = [line(HEADER), line(widths.map((w) => '-'.repeat(w))), ...body.map(line)];
  return notes.length ? [...table, '', ...notes].join('\n') : table.join('\n');
}

/** The same rows as a Markdown table (for docs/performance.md), notes as a list below. */
export function formatMarkdown(rows: Row[]): string {
  const esc = (s: string) => s.replace(/\|/g, '\\|');
  const out = [`| ${HEADER.join(' | ')} |`, `|${HEADER.map(() => '---').join('|')}|`];
  const notes: string[] = [];
  for (const r of rows) {
    const cells = rowCells(r).map(esc);
    const note = noteOf(r);
    if (note) {
      notes.push(`${notes.length + 1}. ${r.name}: ${note}`);
      cells[0] = `${cells[0]} [${notes.length}]`;
    }
    out.push(`| ${cells.join(' | ')} |`);
  }
  return notes.length ? [...out, '', ...notes].join('\n') : out.join('\n');
}
