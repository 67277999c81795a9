import { uriScheme } from '../uri/kind.js';

/*
 * What may be written into a yum/dnf config so that both of its readers read back exactly what was
 * meant: dnf (libdnf's ini parser) and Python's configparser (reposync tools, mirror_client). Anything
 * that ends a line for one of them (LF, CR, which Python also takes as a line break and dnf keeps in the
 * value, the Unicode line separators) would let a value add options or sections of its own; NUL and the
 * other control characters have no business in a config either. Each check returns why the text cannot
 * be written, in words that callers put after the name of the key, or undefined when it can.
 */

// eslint-disable-next-line no-control-regex -- control characters are exactly what is being refused
const NOT_ONE_LINE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;

/** The schemes dnf reads a baseurl from; a value without a scheme is a path. */
export const BASEURL_SCHEMES: readonly string[] = ['http', 'https', 'ftp', 'file'];

/** Why `text` cannot be one line of a config: a line break or another control character. */
export function lineProblem(text: string): string | undefined {
  const m = NOT_ONE_LINE.exec(text);
  return m ? `contains ${characterName(m[0])} at character ${m.index + 1}` : undefined;
}

/**
 * Why `id` cannot be the id of a repo section written into a config: dnf accepts letters, digits and
 * `- _ . :` only, and skips a repo with any other id ("Bad id for repo"), so a test would silently run
 * without it; `]` or a line break would also break the section structure for every reader.
 */
export function repoIdProblem(id: string): string | undefined {
  if (id === '') return 'is empty';
  const m = /[^A-Za-z0-9_.:-]/.exec(id);
  if (!m) return undefined;
  return `contains ${characterName(m[0])} at character ${m.index + 1} (dnf repo ids are letters, digits and - _ . : only)`;
}

/**
 * Why `url` cannot be written as a baseurl: it must be one line without control characters, one URL
 * (dnf splits a baseurl at spaces and commas into several), and http, https, ftp, file or a path.
 */
export function baseurlProblem(url: string): string | undefined {
  if (url === '') return 'is empty';
  const line = lineProblem(url);
  if (line) return line;
  const split = /[\s,]/.exec(url);
  if (split) {
    return `contains ${characterName(split[0])} at character ${split.index + 1}, where dnf would split it into several URLs (write it percent-encoded: ${percentEncoded(split[0])})`;
  }
  const scheme = uriScheme(url);
  if (scheme !== undefined && !BASEURL_SCHEMES.includes(scheme)) {
    return `has the scheme "${scheme}:", which dnf does not read (${BASEURL_SCHEMES.join(', ')} or a path)`;
  }
  return undefined;
}

function characterName(c: string): string {
  const names: Record<string, string> = {
    '\n': 'a line feed (LF)',
    '\r': 'a carriage return (CR)',
    '\t': 'a tab',
    '\u0000': 'a NUL character',
    ' ': 'a space',
    ',': 'a comma',
    ']': 'a "]"',
    '[': 'a "["',
    '\u2028': 'a Unicode line separator (U+2028)',
    '\u2029': 'a Unicode paragraph separator (U+2029)',
  };
  const code = c.codePointAt(0) ?? 0;
  const hex = `U+${code.toString(16).toUpperCase().padStart(4, '0')}`;
  if (names[c]) return names[c];
  if (NOT_ONE_LINE.test(c)) return `the control character ${hex}`;
  if (/\s/.test(c)) return `the white space ${hex}`;
  return code < 0x7f ? `"${c}"` : `the character ${hex}`;
}

function percentEncoded(c: string): string {
  return [...Buffer.from(c, 'utf8')].map((b) => `%${b.toString(16).toUpperCase().padStart(2, '0')}`).join('');
}
