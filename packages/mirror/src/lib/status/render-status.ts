import { humanBytes, plural } from '@ovirt-repo/core';
import { INDEX_FORMATS } from '../index/formats.js';
import { INDEX_BASENAME, LATEST_FILE, STATUS_PAGE, YUM_DIR } from '../store/layout.js';
import { CHANGE_KINDS } from '../store/snapshot-summary.js';
import type { StatusRepo, StatusSnapshot, StoreStatus } from './collect-status.js';
import { STATUS_CSS } from './status-style.js';

/** Snapshots per repo on the store page (plus older pinned ones); the repo page lists them all. */
export const STORE_PAGE_HISTORY = 10;

/** Everything that reaches the page goes through here: repo names, pin reasons, source URLs... */
export function escapeHtml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

const esc = escapeHtml;

/** `2026-11-26 10:22:33` (UTC). The pages hold no "now", so the same store state gives the same bytes. */
export function formatTime(ms: number): string {
  const iso = new Date(ms).toISOString();
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)}`;
}

/**
 * Where a page's relative links lead. Every link is relative, so the pages work wherever the store is
 * served (nginx under any prefix, `ovirt-repo serve`, file://).
 */
interface Links {
  /** From the page to the store root ('' or '../../'). */
  root: string;
  /** From the page to `yum/` ('yum/' or '../'). */
  yum: string;
  /** From the page to `yum/<repo>/` (with the trailing slash). */
  repo(name: string): string;
}

const storeLinks: Links = { root: '', yum: `${YUM_DIR}/`, repo: (name) => `${YUM_DIR}/${encodeURIComponent(name)}/` };
const repoLinks: Links = { root: '../../', yum: '../', repo: () => '' };

function page(title: string, header: string, body: string): string {
  return (
    '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n<meta name="viewport" content="width=device-width, initial-scale=1">\n' +
    `<meta name="generator" content="ovirt-repo">\n<title>${esc(title)}</title>\n<style>${STATUS_CSS}</style>\n</head>\n<body>\n` +
    `<header>\n${header}\n</header>\n<main>\n${body}\n<footer>Times are UTC. A snapshot never changes once it appears; latest moves to each new one. ` +
    'gc never removes the latest or a pinned snapshot. This page is rewritten by every sync, <code>ovirt-repo index write</code>, pin, unpin and gc.</footer>\n' +
    '</main>\n</body>\n</html>\n'
  );
}

function time(ms: number): string {
  return `<time datetime="${new Date(ms).toISOString()}">${formatTime(ms)}</time>`;
}

function count(n: number | null): string {
  return n === null ? '<span class="muted" title="unknown">?</span>' : String(n);
}

function size(n: number | null): string {
  return n === null ? '<span class="muted">?</span>' : esc(humanBytes(n));
}

const UNKNOWN_CHANGES = 'made before ovirt-repo recorded changes per snapshot; compare with ovirt-repo snapshot diff';

/** One number of a change column: coloured when non-zero. */
function changeCell(n: number | undefined, cls: string, sign: string): string {
  if (n === undefined) return `<td class="num"><span class="muted" title="${esc(UNKNOWN_CHANGES)}">&mdash;</span></td>`;
  return `<td class="num"><span class="${n ? cls : 'zero'}">${n ? `${sign}${n}` : '0'}</span></td>`;
}

/** "+2 −1 ↑1" for the overview table, with a title spelling it out. */
function changeSummary(s: StatusSnapshot): string {
  const c = s.changes;
  if (!c) return `<span class="muted" title="${esc(UNKNOWN_CHANGES)}">unknown</span>`;
  const parts: string[] = [];
  if (c.added) parts.push(`<span class="add">+${c.added}</span>`);
  if (c.removed) parts.push(`<span class="rem">&minus;${c.removed}</span>`);
  if (c.upgraded) parts.push(`<span class="upg">&uarr;${c.upgraded}</span>`);
  if (c.downgraded) parts.push(`<span class="other">&darr;${c.downgraded}</span>`);
  if (c.rebuilt) parts.push(`<span class="other">${c.rebuilt} rebuilt</span>`);
  const words = `${c.added} added, ${c.removed} removed, ${c.upgraded} upgraded, ${c.downgraded} downgraded, ${c.rebuilt} rebuilt${s.base ? ` since ${s.base}` : ' (first snapshot)'}`;
  return `<span title="${esc(words)}">${parts.length ? parts.join(' ') : '<span class="zero">no package changes</span>'}</span>`;
}

function otherChanges(s: StatusSnapshot): string {
  const c = s.changes;
  if (!c) return changeCell(undefined, '', '');
  const parts = [c.downgraded ? `&darr;${c.downgraded} downgraded` : '', c.rebuilt ? `${c.rebuilt} rebuilt` : ''].filter(Boolean);
  return `<td class="num">${parts.length ? `<span class="other">${parts.join(', ')}</span>` : '<span class="zero">0</span>'}</td>`;
}

function badges(s: StatusSnapshot): string {
  const out: string[] = [];
  if (s.latest) out.push('<span class="badge latest">latest</span>');
  if (s.pin) {
    const title = [s.pin.reason, s.pin.pinnedAt && `pinned ${s.pin.pinnedAt}`, s.pin.pinnedBy && `by ${s.pin.pinnedBy}`].filter(Boolean).join(', ');
    out.push(`<span class="badge pinned" title="${esc(title)}">pinned${s.pin.reason ? `: ${esc(s.pin.reason)}` : ''}</span>`);
  }
  if (s.changes && !s.base) out.push('<span class="badge first">first</span>');
  return out.join(' ');
}

function snapshotLink(links: Links, repo: string, id: string): string {
  return `<a class="id" href="${esc(`${links.repo(repo)}${id}/`)}">${esc(id)}</a>`;
}

function repomdLink(links: Links, repo: string, id: string): string {
  return `<a href="${esc(`${links.repo(repo)}${id}/repodata/repomd.xml`)}">repomd.xml</a>`;
}

/** The changed packages a summary names, and the sources: folded away, readable without JavaScript. */
function details(s: StatusSnapshot): string {
  if (!s.sample && s.sources.length === 0) return '<td class="details"></td>';
  const lists = s.sample
    ? CHANGE_KINDS.filter((k) => (s.sample?.[k].length ?? 0) > 0)
        .map((k) => {
          const total = s.changes?.[k] ?? 0;
          const shown = s.sample?.[k] ?? [];
          const more = total > shown.length ? `<li class="muted">&hellip; ${total - shown.length} more (ovirt-repo snapshot diff)</li>` : '';
          return `<p>${k}:</p><ul>${shown.map((l) => `<li>${esc(l)}</li>`).join('')}${more}</ul>`;
        })
        .join('')
    : '';
  const sources = s.sources.length ? `<p>from ${s.sources.map((u) => esc(u)).join('<br>')}</p>` : '';
  return `<td class="details"><details><summary>packages${s.sources.length ? ' &amp; source' : ''}</summary>${lists}${sources}</details></td>`;
}

function historyRow(links: Links, repo: string, s: StatusSnapshot, withDetails: boolean): string {
  const classes = [s.latest ? 'is-latest' : '', s.pin ? 'is-pinned' : ''].filter(Boolean).join(' ');
  const c = s.changes;
  return (
    `<tr data-snapshot="${esc(s.id)}"${classes ? ` class="${classes}"` : ''}>` +
    `<td>${snapshotLink(links, repo, s.id)}</td>` +
    `<td>${time(s.time)}</td>` +
    `<td class="num">${count(s.packages)}</td>` +
    `<td class="num">${size(s.bytes)}</td>` +
    changeCell(c?.added, 'add', '+') +
    changeCell(c?.removed, 'rem', '\u2212') +
    changeCell(c?.upgraded, 'upg', '\u2191') +
    otherChanges(s) +
    `<td class="status">${badges(s)}</td>` +
    `<td>${repomdLink(links, repo, s.id)}</td>` +
    (withDetails ? details(s) : '') +
    '</tr>'
  );
}

function historyTable(repo: StatusRepo, rows: string[], withDetails: boolean): string {
  const head = ['Snapshot', 'Made (UTC)', 'Packages', 'Size', 'Added', 'Removed', 'Upgraded', 'Other', 'Status', 'Metadata', ...(withDetails ? ['Changed packages'] : [])];
  const numeric = new Set(['Packages', 'Size', 'Added', 'Removed', 'Upgraded', 'Other']);
  return (
    `<table class="history" data-repo="${esc(repo.name)}">\n<thead><tr>${head.map((h) => `<th${numeric.has(h) ? ' class="num"' : ''}>${h}</th>`).join('')}</tr></thead>\n` +
    `<tbody>\n${rows.join('\n')}\n</tbody>\n</table>`
  );
}

function latestOf(repo: StatusRepo): StatusSnapshot | undefined {
  return repo.snapshots.find((s) => s.latest);
}

function modeLabel(repo: StatusRepo): string {
  const mode = (latestOf(repo) ?? repo.snapshots[0])?.mode;
  return mode ? ` <span class="mode">${esc(mode)}</span>` : '';
}

function repoLinksLine(links: Links, repo: StatusRepo, onRepoPage: boolean): string {
  const parts: string[] = [];
  if (repo.latest) parts.push(`Latest: ${snapshotLink(links, repo.name, repo.latest)}`);
  parts.push(`<a href="${esc(`${links.repo(repo.name)}${LATEST_FILE}`)}">${LATEST_FILE}</a>`);
  if (!onRepoPage) parts.push(`<a href="${esc(`${links.repo(repo.name)}${STATUS_PAGE}`)}">full history (${repo.snapshots.length} snapshot${repo.snapshots.length === 1 ? '' : 's'})</a>`);
  return `<p class="links">${parts.join(' ')}</p>`;
}

function indexFilesNav(links: Links): string {
  const files = INDEX_FORMATS.map((f) => `<a href="${esc(`${links.yum}${INDEX_BASENAME}.${f}`)}">${INDEX_BASENAME}.${f}</a>`).join(' ');
  return `<nav class="files">Latest snapshot of every repo, for <code>ovirt-repo inject</code> and mirror_client: ${files}</nav>`;
}

function totals(status: StoreStatus): string {
  const snapshots = status.repos.reduce((n, r) => n + r.snapshots.length, 0);
  const pinned = status.repos.reduce((n, r) => n + r.snapshots.filter((s) => s.pin).length, 0);
  return `${plural(status.repos.length, 'repo')}, ${plural(snapshots, 'snapshot')}, ${pinned} pinned`;
}

/** `<store>/index.html`: every repo with its latest snapshot, then each repo's recent history. */
export function renderStorePage(status: StoreStatus): string {
  const links = storeLinks;
  const header = `<h1>Repository snapshots</h1>\n<p>${totals(status)}</p>`;
  if (status.repos.length === 0) {
    return page('Repository snapshots', header, `${indexFilesNav(links)}\n<p class="empty">No repos yet. Create one with <code>ovirt-repo mirror sync REPO --from SOURCE</code>.</p>`);
  }
  const overview = status.repos.map((r) => {
    const l = latestOf(r);
    const pinned = r.snapshots.filter((s) => s.pin).length;
    const cells = l
      ? `<td>${snapshotLink(links, r.name, l.id)}</td><td>${time(l.time)}</td><td class="num">${count(l.packages)}</td><td class="num">${size(l.bytes)}</td><td>${changeSummary(l)}</td>`
      : '<td colspan="5" class="muted">no latest snapshot</td>';
    return (
      `<tr data-repo="${esc(r.name)}"><th scope="row"><a href="#${esc(`repo-${r.name}`)}">${esc(r.name)}</a></th>${cells}` +
      `<td class="num">${r.snapshots.length}${pinned ? ` <span class="muted">(${pinned} pinned)</span>` : ''}</td>` +
      `<td>${l ? repomdLink(links, r.name, l.id) : ''}</td></tr>`
    );
  });
  const overviewTable =
    '<table class="repos">\n<thead><tr><th>Repo</th><th>Latest snapshot</th><th>Made (UTC)</th><th class="num">Packages</th><th class="num">Size</th>' +
    '<th>Changes vs previous</th><th class="num">Snapshots</th><th>Metadata</th></tr></thead>\n' +
    `<tbody>\n${overview.join('\n')}\n</tbody>\n</table>`;

  const sections = status.repos.map((r) => {
    const recent = r.snapshots.slice(0, STORE_PAGE_HISTORY);
    const older = r.snapshots.slice(STORE_PAGE_HISTORY);
    const olderPinned = older.filter((s) => s.pin);
    const rows = recent.map((s) => historyRow(links, r.name, s, false));
    if (older.length) {
      const href = esc(`${links.repo(r.name)}${STATUS_PAGE}`);
      rows.push(
        `<tr class="gap"><td colspan="10">&hellip; ${older.length} older snapshot${older.length === 1 ? '' : 's'}${olderPinned.length ? `, of which the ${olderPinned.length} pinned follow` : ''}: <a href="${href}">full history of ${esc(r.name)}</a></td></tr>`,
      );
      rows.push(...olderPinned.map((s) => historyRow(links, r.name, s, false)));
    }
    return `<section class="repo" id="${esc(`repo-${r.name}`)}">\n<h2><a href="${esc(`${links.repo(r.name)}${STATUS_PAGE}`)}">${esc(r.name)}</a>${modeLabel(r)}</h2>\n${repoLinksLine(links, r, false)}\n${historyTable(r, rows, false)}\n</section>`;
  });
  return page('Repository snapshots', header, `${indexFilesNav(links)}\n<h2>Repos</h2>\n${overviewTable}\n${sections.join('\n')}`);
}

/** `<store>/yum/<repo>/index.html`: one repo's whole history, with the changed packages of each snapshot. */
export function renderRepoPage(repo: StatusRepo): string {
  const links = repoLinks;
  const pinned = repo.snapshots.filter((s) => s.pin).length;
  const header = `<h1>${esc(repo.name)}</h1>\n<p><a href="${links.root}${STATUS_PAGE}">&larr; all repos</a> &middot; ${repo.snapshots.length} snapshot${repo.snapshots.length === 1 ? '' : 's'}, ${pinned} pinned</p>`;
  const rows = repo.snapshots.map((s) => historyRow(links, repo.name, s, true));
  const body = `${indexFilesNav(links)}\n<h2>History${modeLabel(repo)}</h2>\n${repoLinksLine(links, repo, true)}\n${
    rows.length ? historyTable(repo, rows, true) : '<p class="empty">No snapshots.</p>'
  }`;
  return page(`${repo.name}: snapshots`, header, body);
}
