import { isChecksumType } from '../checksum/index.js';
import type { PrimaryPackage } from './primary-reader.js';

/** What selecting packages needs of a primary entry: identity, checksum, size and location. */
export type PrimarySummary = Pick<PrimaryPackage, 'name' | 'arch' | 'epoch' | 'version' | 'release' | 'checksum' | 'location'> & {
  size: { package: number };
  time: { file: number };
};

// The first lines of an entry in package-xml.ts's (and createrepo_c 0.17's) layout.
const HEAD =
  /^<package type="rpm">\n {2}<name>([^<]*)<\/name>\n {2}<arch>([^<]*)<\/arch>\n {2}<version epoch="([^"<]*)" ver="([^"<]*)" rel="([^"<]*)"\/>\n {2}<checksum type="([^"<]*)" pkgid="YES">([^<]*)<\/checksum>\n/;
// Text before these lines is escaped (no raw `<`), so the first match is the element itself.
const SIZE_AND_LOCATION =
  /\n {2}<time file="(\d+)" build="\d+"\/>\n {2}<size package="(\d+)" installed="\d+" archive="\d+"\/>\n {2}<location(?: xml:base="([^"<]*)")? href="([^"<]*)"\/>\n {2}<format>\n/;
const REFERENCE = /&(?:(lt|gt|amp|quot|apos)|#x([0-9a-fA-F]{1,6})|#([0-9]{1,7}));/g;
// eslint-disable-next-line no-control-regex -- control characters are exactly what is being looked for
const CONTROL = /[\u0000-\u001f]/;
const STRAY_AMPERSAND = /&(?!(?:lt|gt|amp|quot|apos|#x[0-9a-fA-F]{1,6}|#[0-9]{1,7});)/;
const NAMED: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

/**
 * Reads the fields of a primary entry that package selection needs, without an XML parser: several times
 * faster than parsing, which is most of a re-sync's work on a large repo. Only for entries in the exact
 * layout of package-xml.ts (listPackageEntries checks the file); anything unexpected in the entry (another
 * element order, a stray `&`, raw control characters that an XML parser would normalise) gives undefined,
 * and the caller parses the file instead. The values equal what the XML readers return.
 */
export function summarizePrimaryEntry(entry: string): PrimarySummary | undefined {
  const head = HEAD.exec(entry);
  if (!head) return undefined;
  const tail = SIZE_AND_LOCATION.exec(entry.slice(head[0].length));
  if (!tail) return undefined;
  const values = [head[1], head[2], head[3], head[4], head[5], head[6], head[7], tail[4]].map(unescape);
  const base = tail[3] === undefined ? undefined : unescape(tail[3]);
  if (values.some((v) => v === undefined) || (tail[3] !== undefined && base === undefined)) return undefined;
  const [name = '', arch = '', epoch = '', version = '', release = '', type = '', value = '', href = ''] = values as string[];
  const digest = value.trim().toLowerCase();
  // Entries the readers would refuse are left to them, for their error messages.
  if (!isChecksumType(type) || !digest || !href) return undefined;
  return {
    name,
    arch,
    epoch: epoch || '0',
    version,
    release,
    checksum: { type, value: digest },
    size: { package: Number(tail[2]) },
    time: { file: Number(tail[1]) },
    location: { href, ...(base ? { base } : {}) },
  };
}

/** Resolves entity and character references; undefined for anything an XML parser would read otherwise. */
function unescape(raw: string | undefined): string | undefined {
  // A parser normalises raw CR, LF and TAB (line ends; whitespace in attributes); the layout escapes them.
  if (raw === undefined || CONTROL.test(raw)) return undefined;
  if (!raw.includes('&')) return raw;
  if (STRAY_AMPERSAND.test(raw)) return undefined;
  let bad = false;
  const out = raw.replace(REFERENCE, (_m, named: string | undefined, hex: string | undefined, dec: string | undefined) => {
    if (named) return NAMED[named] ?? '';
    const code = hex !== undefined ? parseInt(hex, 16) : Number(dec);
    if (!isXmlChar(code)) {
      bad = true;
      return '';
    }
    return String.fromCodePoint(code);
  });
  return bad ? undefined : out;
}

function isXmlChar(c: number): boolean {
  return c === 0x9 || c === 0xa || c === 0xd || (c >= 0x20 && c <= 0xd7ff) || (c >= 0xe000 && c <= 0xfffd) || (c >= 0x10000 && c <= 0x10ffff);
}
