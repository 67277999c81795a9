import { ErrorCodes, OvirtRepoError } from '@ovirt-repo/core';

/** URLs of a yum mirrorlist: one per line, `#` comments; only http(s) and file URLs are used. */
export function parseMirrorlist(text: string): string[] {
  return text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#') && /^(https?|file):\/\//i.test(l));
}

/**
 * The mirrors a list may send a sync to: http(s) always; file:// only when the list itself is a local file
 * the user named. A remote list naming local files would make the sync copy them into the store and publish
 * them, so those entries are skipped (and reported).
 */
export function mirrorsNamedBy(list: URL, entries: readonly string[]): { usable: string[]; skipped: string[] } {
  const local = list.protocol === 'file:';
  const usable: string[] = [];
  const skipped: string[] = [];
  for (const entry of entries) (/^https?:\/\//i.test(entry) || (local && /^file:\/\//i.test(entry)) ? usable : skipped).push(entry);
  return { usable, skipped };
}

export interface Metalink {
  /** Checksums of the current repomd.xml (type -> lower-case hex). */
  hashes: Record<string, string>;
  /** Checksums of recent older repomd.xml versions (mirrors that lag a little are still fine). */
  alternates: Array<Record<string, string>>;
  /** Base URLs (repomd.xml's directory minus repodata/), best preference first. */
  baseUrls: string[];
  /** URLs of other schemes (file://...), never used: a metalink may only send a sync to http(s) mirrors. */
  skipped: string[];
}

const decode = (s: string) =>
  s
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&#(\d+);/g, (_m, n: string) => String.fromCodePoint(Number(n)))
    .replace(/&amp;/g, '&');

function attrs(tag: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of tag.matchAll(/([A-Za-z_:][\w:.-]*)\s*=\s*("([^"]*)"|'([^']*)')/g)) out[(m[1] ?? '').toLowerCase()] = decode(m[3] ?? m[4] ?? '');
  return out;
}

function hashesIn(xml: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of xml.matchAll(/<hash\b([^>]*)>([^<]*)<\/hash>/g)) {
    const type = attrs(m[1] ?? '').type?.toLowerCase();
    if (type) out[type] = (m[2] ?? '').trim().toLowerCase();
  }
  return out;
}

/**
 * The parts of a metalink (as Fedora/CentOS/EPEL mirrormanager serve) a sync needs: the repomd.xml
 * checksums and the mirror URLs. Deliberately small: only <file name="repomd.xml"> is read.
 */
export function parseMetalink(xml: string, where: string): Metalink {
  const file = /<file\b[^>]*\bname\s*=\s*["']repomd\.xml["'][^>]*>([\s\S]*?)<\/file>/.exec(xml);
  if (!file) {
    throw new OvirtRepoError(ErrorCodes.REPODATA_INVALID, `metalink ${where} has no <file name="repomd.xml">`, {
      target: where,
      hint: 'check the metalink URL (repo= and arch= parameters); mirrormanager answers unknown repos with an empty metalink',
    });
  }
  const body = file[1] ?? '';
  const alternates: Array<Record<string, string>> = [];
  for (const m of body.matchAll(/<(?:\w+:)?alternate\b[^>]*>([\s\S]*?)<\/(?:\w+:)?alternate>/g)) alternates.push(hashesIn(m[1] ?? ''));
  const current = body.replace(/<(?:\w+:)?alternates\b[\s\S]*?<\/(?:\w+:)?alternates>/g, '');
  const verification = /<verification\b[^>]*>([\s\S]*?)<\/verification>/.exec(current);
  const hashes = verification ? hashesIn(verification[1] ?? '') : {};
  const urls: Array<{ url: string; pref: number }> = [];
  const skipped: string[] = [];
  for (const m of body.matchAll(/<url\b([^>]*)>([^<]*)<\/url>/g)) {
    const a = attrs(m[1] ?? '');
    const url = decode((m[2] ?? '').trim());
    if (!/^https?:\/\//i.test(url)) {
      skipped.push(url);
      continue;
    }
    urls.push({ url, pref: Number(a.preference ?? 0) || 0 });
  }
  urls.sort((x, y) => y.pref - x.pref);
  const baseUrls: string[] = [];
  for (const { url } of urls) {
    try {
      const u = new URL(url);
      u.search = '';
      u.hash = '';
      if (!u.pathname.endsWith('/repodata/repomd.xml')) continue;
      u.pathname = u.pathname.slice(0, -'repodata/repomd.xml'.length);
      baseUrls.push(u.href);
    } catch {
      // not a URL: skip this mirror
    }
  }
  if (baseUrls.length === 0) {
    const other = skipped.length === 0 ? '' : ` (${skipped.length} other URL${skipped.length === 1 ? '' : 's'} skipped: a metalink may only name http(s) mirrors)`;
    throw new OvirtRepoError(ErrorCodes.REPODATA_INVALID, `metalink ${where} lists no http(s) mirror for repomd.xml${other}`, {
      target: where,
      hint: 'check the metalink URL; a remote document may never send the sync to local files',
    });
  }
  return { hashes, alternates, baseUrls, skipped };
}
