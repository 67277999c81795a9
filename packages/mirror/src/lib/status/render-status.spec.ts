import type { StatusSnapshot, StoreStatus } from './collect-status.js';
import { STORE_PAGE_HISTORY, escapeHtml, formatTime, renderRepoPage, renderStorePage } from './render-status.js';
import { formatSnapshotId } from '../store/snapshot-id.js';

const t0 = Date.UTC(2026, 10, 1, 12, 0, 0);
const HOUR = 3_600_000;

function snap(i: number, extra: Partial<StatusSnapshot> = {}): StatusSnapshot {
  const time = t0 + i * HOUR;
  return {
    id: formatSnapshotId(time),
    time,
    packages: 10 + i,
    bytes: 1024 * (10 + i),
    changes: { added: 1, removed: 0, upgraded: 0, downgraded: 0, rebuilt: 0, unchanged: 9 + i },
    ...(i > 0 ? { base: formatSnapshotId(time - HOUR) } : {}),
    sources: [],
    mode: 'additive',
    latest: false,
    ...extra,
  };
}

/** Every href and src of a page. */
const links = (html: string) => [...html.matchAll(/(?:href|src)="([^"]*)"/g)].map((m) => m[1]!);

describe('status pages', () => {
  const many = Array.from({ length: 13 }, (_, i) => snap(i, i === 12 ? { latest: true } : i === 1 || i === 0 ? { pin: { id: '', pinnedAt: '2026-11-02T00:00:00Z', pinnedBy: 'ci@host', reason: `keep <${i}>` } } : {})).reverse();
  const status: StoreStatus = {
    repos: [
      { name: 'el9+x_1.0', latest: many[0]!.id, snapshots: many },
      { name: 'legacy', latest: formatSnapshotId(t0), snapshots: [{ id: formatSnapshotId(t0), time: t0, packages: 3, bytes: null, changes: null, sources: [], latest: true }] },
    ],
  };

  it('escapes everything that comes from names, reasons and sources', () => {
    expect(escapeHtml(`<a href="x">'&'</a>`)).toBe('&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');
    const withSource: StoreStatus = {
      repos: [{ name: 'r', latest: snap(0).id, snapshots: [snap(0, { latest: true, sources: ['http://x/"><script>alert(1)</script>'], pin: { id: '', pinnedAt: '', pinnedBy: '', reason: '<img src=x onerror=alert(1)>' } })] }],
    };
    for (const html of [renderStorePage(withSource), renderRepoPage(withSource.repos[0]!)]) {
      expect(html).not.toMatch(/<script|<img/i);
      expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;');
    }
    expect(renderRepoPage(withSource.repos[0]!)).toContain('http://x/&quot;&gt;&lt;script&gt;');
  });

  it('links only relatively, so the pages work below any prefix', () => {
    const store = renderStorePage(status);
    const repo = renderRepoPage(status.repos[0]!);
    for (const href of [...links(store), ...links(repo)]) expect(href).not.toMatch(/^(\/|[a-z]+:)/i);
    expect(links(store)).toEqual(expect.arrayContaining(['yum/all_latest.json', 'yum/el9%2Bx_1.0/index.html', `yum/el9%2Bx_1.0/${many[0]!.id}/`, `yum/el9%2Bx_1.0/${many[0]!.id}/repodata/repomd.xml`, 'yum/el9%2Bx_1.0/latest.txt']));
    expect(links(repo)).toEqual(expect.arrayContaining(['../../index.html', '../all_latest.json', `${many[0]!.id}/`, `${many[0]!.id}/repodata/repomd.xml`, 'latest.txt']));
  });

  it('shows recent history and older pinned snapshots on the store page, everything on the repo page', () => {
    const store = renderStorePage(status);
    const rows = (html: string, repo: string) => {
      const table = html.slice(html.indexOf(`<table class="history" data-repo="${repo}"`));
      return [...table.slice(0, table.indexOf('</table>')).matchAll(/data-snapshot="([^"]+)"/g)].map((m) => m[1]);
    };
    const shown = rows(store, 'el9+x_1.0');
    expect(shown).toEqual([...many.slice(0, STORE_PAGE_HISTORY), many[11], many[12]].map((s) => s!.id));
    expect(store).toContain('3 older snapshots, of which the 2 pinned follow');
    expect(store).toContain('keep &lt;0&gt;');
    expect(rows(renderRepoPage(status.repos[0]!), 'el9+x_1.0')).toHaveLength(13);
    expect(store).toContain('2 repos, 14 snapshots, 2 pinned');
  });

  it('marks unknown changes of old snapshots instead of guessing', () => {
    const html = renderStorePage(status);
    const legacy = html.slice(html.indexOf('<tr data-repo="legacy">'));
    expect(legacy.slice(0, legacy.indexOf('</tr>'))).toContain('unknown');
    expect(html).toContain('&mdash;');
  });

  it('is the same for the same store state (no clock in the page)', () => {
    expect(renderStorePage(status)).toBe(renderStorePage(structuredClone(status)));
    expect(formatTime(t0)).toBe('2026-11-01 12:00:00');
    expect(renderStorePage({ repos: [] })).toContain('No repos yet');
  });
});
