/**
 * Escaping exactly as createrepo_c's output gets it from libxml2 2.9 (xmlNodeDump without a document, the
 * way primary/filelists/other packages are dumped):
 * - text: `<` `>` `&` and CR become entities; everything else, non-ASCII included, is written as is;
 * - attributes: additionally `"`, LF and TAB, and every non-ASCII character becomes a hex character
 *   reference (`&#xFC;`), which is why a package href "ü.rpm" appears as `&#xFC;.rpm`.
 * repomd.xml is dumped as a document with an encoding, so there attributes keep non-ASCII as is.
 * Matching byte for byte lets a read-then-written repo equal the createrepo_c original.
 */

const TEXT_SPECIALS = /[<>&\r]/;
const TEXT_SPECIALS_G = /[<>&\r]/g;
const TEXT_ENTITIES: Record<string, string> = { '<': '&lt;', '>': '&gt;', '&': '&amp;', '\r': '&#13;' };

export function escapeText(value: string): string {
  return TEXT_SPECIALS.test(value) ? value.replace(TEXT_SPECIALS_G, (c) => TEXT_ENTITIES[c] ?? c) : value;
}

const ATTR_ENTITIES: Record<string, string> = {
  '<': '&lt;',
  '>': '&gt;',
  '&': '&amp;',
  '"': '&quot;',
  '\n': '&#10;',
  '\r': '&#13;',
  '\t': '&#9;',
};
const ATTR_SPECIALS = /[<>&"\n\r\t\u0080-\uffff]/;
const ATTR_SPECIALS_G = /[<>&"\n\r\t]|[\ud800-\udbff][\udc00-\udfff]|[\u0080-\uffff]/g;
const ATTR_SPECIALS_UTF8 = /[<>&"\n\r\t]/;
const ATTR_SPECIALS_UTF8_G = /[<>&"\n\r\t]/g;

/** Attribute escaping of libxml2's node dump: non-ASCII as `&#xHEX;`. */
export function escapeAttr(value: string): string {
  return ATTR_SPECIALS.test(value) ? value.replace(ATTR_SPECIALS_G, attrReplacement) : value;
}

/** Attribute escaping of a document dumped with encoding="UTF-8" (repomd.xml): non-ASCII kept. */
export function escapeAttrUtf8(value: string): string {
  return ATTR_SPECIALS_UTF8.test(value) ? value.replace(ATTR_SPECIALS_UTF8_G, (c) => ATTR_ENTITIES[c] ?? c) : value;
}

function attrReplacement(match: string): string {
  const entity = ATTR_ENTITIES[match];
  if (entity) return entity;
  const cp = match.codePointAt(0) ?? 0;
  if (isXmlChar(cp)) return `&#x${cp.toString(16).toUpperCase()};`;
  // libxml2 cannot reference a non-character (U+FFFE, lone surrogates): it references each UTF-8 byte.
  return [...Buffer.from(match, 'utf8')].map((b) => `&#x${b.toString(16).toUpperCase()};`).join('');
}

function isXmlChar(cp: number): boolean {
  return (
    cp === 0x9 ||
    cp === 0xa ||
    cp === 0xd ||
    (cp >= 0x20 && cp <= 0xd7ff) ||
    (cp >= 0xe000 && cp <= 0xfffd) ||
    (cp >= 0x10000 && cp <= 0x10ffff)
  );
}

/**
 * Control characters XML 1.0 cannot carry (below 0x20 except TAB, LF, CR). createrepo_c refuses to dump a
 * package containing one ("Forbidden control chars found"); so do we, rather than write invalid XML.
 */
// eslint-disable-next-line no-control-regex -- finding these characters is the point
export const FORBIDDEN_CONTROL_CHARS = /[\u0000-\u0008\u000b\u000c\u000e-\u001f]/;
