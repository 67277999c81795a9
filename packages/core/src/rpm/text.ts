/**
 * Header strings are raw bytes; most are UTF-8, but old packages carry Latin-1 or CP-1252 text.
 * createrepo_c keeps a string that libxml2's xmlCheckUTF8 accepts and otherwise re-encodes it as Latin-1,
 * dropping bytes 0x80-0xBF (CP-1252 punctuation, not Latin-1 letters). Doing the same here keeps our
 * metadata equal to createrepo_c's. C0 control characters are kept so the record check can reject them
 * (createrepo_c refuses such packages before converting; see packageControlCharProblem).
 */
export function decodeHeaderString(buf: Buffer, start: number, end: number): string {
  const s = buf.toString('utf8', start, end);
  // Node substitutes U+FFFD for invalid sequences; only then is the slow structural check needed.
  if (!s.includes('\uFFFD')) return s;
  return isLibxmlUtf8(buf, start, end) ? s : latin1ToUtf8(buf, start, end);
}

/** libxml2's xmlCheckUTF8: checks lead/continuation byte structure only (no overlong or range checks). */
function isLibxmlUtf8(buf: Buffer, start: number, end: number): boolean {
  let i = start;
  while (i < end) {
    const c = buf[i];
    let extra: number;
    if ((c & 0x80) === 0) extra = 0;
    else if ((c & 0xe0) === 0xc0) extra = 1;
    else if ((c & 0xf0) === 0xe0) extra = 2;
    else if ((c & 0xf8) === 0xf0) extra = 3;
    else return false;
    for (let k = 1; k <= extra; k++) {
      if (i + k >= end || (buf[i + k] & 0xc0) !== 0x80) return false;
    }
    i += extra + 1;
  }
  return true;
}

function latin1ToUtf8(buf: Buffer, start: number, end: number): string {
  let out = '';
  for (let i = start; i < end; i++) {
    const c = buf[i];
    if (c >= 0x80 && c < 0xc0) continue;
    out += String.fromCharCode(c);
  }
  return out;
}

// XML 1.0 cannot carry C0 controls other than tab, LF and CR, not even as character references.
function isForbidden(code: number): boolean {
  return code < 0x20 && code !== 9 && code !== 10 && code !== 13;
}

/** Index of the first C0 control character XML cannot carry, or -1. */
export function forbiddenControlCharIndex(s: string): number {
  for (let i = 0; i < s.length; i++) if (isForbidden(s.charCodeAt(i))) return i;
  return -1;
}

export function stripForbiddenControlChars(s: string): string {
  if (forbiddenControlCharIndex(s) < 0) return s;
  let out = '';
  for (let i = 0; i < s.length; i++) if (!isForbidden(s.charCodeAt(i))) out += s[i];
  return out;
}
