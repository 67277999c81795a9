import { ErrorCodes, OvirtRepoError } from '../errors/index.js';
import { displayUri } from './kind.js';

export interface DataUrl {
  /** The media type as written (`application/json`), or `text/plain` when omitted (RFC 2397). */
  mediaType: string;
  base64: boolean;
  data: Buffer;
}

/**
 * Decode a `data:[<mediatype>][;base64],<data>` URL (RFC 2397). Parsed by hand rather than with URL():
 * jobs pass raw JSON after the comma (`data:application/json,{"a": "b"}`), whose spaces, quotes and `#`
 * a URL parser would alter or cut. Percent escapes are decoded; a `%` not followed by two hex digits is
 * kept literally (as WHATWG does), so raw JSON rarely changes meaning.
 */
export function parseDataUrl(uri: string): DataUrl {
  const comma = uri.indexOf(',');
  if (!/^data:/i.test(uri) || comma < 0) {
    throw new OvirtRepoError(ErrorCodes.USAGE, `${displayUri(uri)} is not a data: URL (expected data:<type>[;base64],<data>)`, {
      target: displayUri(uri),
      hint: 'write data:application/json,<url-encoded JSON> or data:application/json;base64,<base64 JSON>',
    });
  }
  const params = uri.slice(5, comma).split(';').map((p) => p.trim());
  const base64 = params.length > 1 && params.at(-1)?.toLowerCase() === 'base64';
  if (base64) params.pop();
  const mediaType = params.join(';') || 'text/plain';
  const payload = percentDecode(uri.slice(comma + 1));
  if (!base64) return { mediaType, base64, data: payload };
  const text = payload.toString('latin1').replace(/[\t\n\f\r ]/g, '');
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(text) || text.replace(/=+$/, '').length % 4 === 1) {
    throw new OvirtRepoError(ErrorCodes.USAGE, `${displayUri(uri)}: the ;base64 payload is not valid base64`, {
      target: displayUri(uri),
      hint: 'encode the document with `base64 -w0` (standard alphabet, not base64url)',
    });
  }
  return { mediaType, base64, data: Buffer.from(text, 'base64') };
}

function percentDecode(text: string): Buffer {
  const bytes = Buffer.from(text, 'utf8');
  const out = Buffer.alloc(bytes.length);
  let n = 0;
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes.readUInt8(i);
    const hex = b === 0x25 && i + 2 < bytes.length ? bytes.toString('latin1', i + 1, i + 3) : '';
    if (/^[0-9a-fA-F]{2}$/.test(hex)) {
      out[n++] = parseInt(hex, 16);
      i += 2;
    } else {
      out[n++] = b;
    }
  }
  return out.subarray(0, n);
}
