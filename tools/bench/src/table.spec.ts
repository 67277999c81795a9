import type { Row } from './row.js';
import { formatMarkdown, formatTable, rowCells } from './table.js';

const rows: Row[] = [
  { name: 'minirepo create', oursMs: 950, peerName: 'createrepo_c', peerMs: 1900, ratio: 0.5, goal: { maxRatio: 1 }, runs: 5 },
  { name: 'no change', oursMs: 420, peerName: '-', peerMs: null, ratio: null, goal: { maxMs: 500, maxRequests: 1 }, runs: 5, requests: 1, note: '1 request' },
  { name: 'publish', oursMs: null, peerName: 'rsync -a', peerMs: null, ratio: null, goal: {}, runs: 0, skipped: 'not built' },
];

describe('rowCells', () => {
  it('formats times, ratio, goal and status', () => {
    expect(rowCells(rows[0])).toEqual(['minirepo create', '950 ms', 'createrepo_c', '1.90 s', '0.50', '<= 1.00', 'yes']);
  });

  it('puts dashes where a row has no peer or no figures', () => {
    expect(rowCells(rows[1])).toEqual(['no change', '420 ms', '-', '-', '-', '<= 500 ms, <= 1 req', 'yes']);
    expect(rowCells(rows[2])).toEqual(['publish', '-', 'rsync -a', '-', '-', 'none stated', 'skipped']);
  });
});

describe('formatTable', () => {
  const text = formatTable(rows);
  const lines = text.split('\n');

  it('aligns columns under the header', () => {
    expect(lines[0]).toMatch(/^benchmark\s+ovirt-repo\s+peer\s+peer time\s+ratio\s+goal\s+met$/);
    expect(lines[1]).toMatch(/^-+( +-+){6}$/);
    const col = lines[0].indexOf('ratio');
    expect(lines[2].slice(col, col + 4)).toBe('0.50');
  });

  it('numbers notes and skip reasons as footnotes below the table', () => {
    expect(lines[3]).toMatch(/^no change \[1\]/);
    expect(lines[4]).toMatch(/^publish \[2\]/);
    expect(lines.slice(-2)).toEqual(['[1] no change: 1 request', '[2] publish: skipped: not built']);
  });

  it('has no trailing spaces', () => {
    expect(lines.every((l) => l === l.trimEnd())).toBe(true);
  });
});

describe('formatMarkdown', () => {
  it('writes a Markdown table with escaped pipes and numbered notes', () => {
    const md = formatMarkdown([{ ...rows[0], peerName: 'a | b' }, rows[1]]);
    expect(md.split('\n').slice(0, 4)).toEqual([
      '| benchmark | ovirt-repo | peer | peer time | ratio | goal | met |',
      '|---|---|---|---|---|---|---|',
      '| minirepo create | 950 ms | a \\| b | 1.90 s | 0.50 | <= 1.00 | yes |',
      '| no change [1] | 420 ms | - | - | - | <= 500 ms, <= 1 req | yes |',
    ]);
    expect(md.endsWith('1. no change: 1 request')).toBe(true);
  });
});

describe('a failed family', () => {
  it('prints as a row with the error as its note', () => {
    const text = formatTable([{ name: 'mirror benchmarks', oursMs: null, peerName: '-', peerMs: null, ratio: null, goal: {}, runs: 0, failed: 'nginx exited' }]);
    expect(text).toMatch(/mirror benchmarks \[1\]\s+-\s+-\s+-\s+-\s+none stated\s+failed/);
    expect(text.endsWith('[1] mirror benchmarks: failed: nginx exited')).toBe(true);
  });
});
