import { createHash, createHmac } from 'node:crypto';

/**
 * AWS Signature Version 4 for S3, in the Authorization header (docs.aws.amazon.com/AmazonS3/latest/API/
 * sig-v4-header-based-auth.html). The payload is either signed by its SHA-256 (bodies in memory, and
 * streams whose hash the caller knows: the server then refuses a body that does not match) or declared
 * UNSIGNED-PAYLOAD (other streams: hashing first would mean reading them twice). Not the chunked
 * "STREAMING-" variants: Ceph RGW 16 refuses those uploads without Content-Length (411), and a plain
 * Content-Length upload works everywhere.
 */
export interface S3Credentials {
  accessKeyId: string;
  secretAccessKey: string;
  /** Temporary credentials (STS) come with one. */
  sessionToken?: string;
}

/** SHA-256 of no bytes: the payload hash of GET, HEAD, DELETE and LIST. */
export const EMPTY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';
export const UNSIGNED_PAYLOAD = 'UNSIGNED-PAYLOAD';

export interface SignInput {
  method: string;
  /** Path and query as they will be sent; the signer canonicalises them. */
  url: URL;
  /** Headers to send and sign (any case); `host` comes from the URL. */
  headers: Record<string, string>;
  /** Hex SHA-256 of the body, or UNSIGNED_PAYLOAD. */
  payloadHash: string;
  region: string;
  /** Default `s3`. */
  service?: string;
  now: Date;
}

/** `headers` plus x-amz-date, x-amz-content-sha256, the session token and Authorization: what to send. */
export function signRequest(input: SignInput, credentials: S3Credentials): Record<string, string> {
  const service = input.service ?? 's3';
  const amzDate = input.now.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
  const day = amzDate.slice(0, 8);
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(input.headers)) headers[name.toLowerCase()] = value;
  headers['x-amz-date'] = amzDate;
  headers['x-amz-content-sha256'] = input.payloadHash;
  if (credentials.sessionToken) headers['x-amz-security-token'] = credentials.sessionToken;
  const signed: Record<string, string> = { ...headers, host: input.url.host };
  const names = Object.keys(signed).sort();
  const canonical = [
    input.method.toUpperCase(),
    canonicalPath(input.url.pathname),
    canonicalQuery(input.url.search),
    ...names.map((n) => `${n}:${(signed[n] ?? '').trim().replace(/ +/g, ' ')}`),
    '',
    names.join(';'),
    input.payloadHash,
  ].join('\n');
  const scope = `${day}/${input.region}/${service}/aws4_request`;
  const stringToSign = ['AWS4-HMAC-SHA256', amzDate, scope, sha256Hex(canonical)].join('\n');
  let key = hmac(`AWS4${credentials.secretAccessKey}`, day);
  for (const part of [input.region, service, 'aws4_request']) key = hmac(key, part);
  const signature = createHmac('sha256', key).update(stringToSign).digest('hex');
  headers.authorization = `AWS4-HMAC-SHA256 Credential=${credentials.accessKeyId}/${scope},SignedHeaders=${names.join(';')},Signature=${signature}`;
  return headers;
}

/** RFC 3986 encoding as SigV4 wants it: everything but A-Z a-z 0-9 - _ . ~ as %XX of its UTF-8 bytes. */
export function awsEncode(text: string): string {
  return encodeURIComponent(text).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** An object key as a URL path: each segment encoded, the slashes kept (S3 does not encode twice). */
export function encodeKeyPath(key: string): string {
  return key.split('/').map(awsEncode).join('/');
}

export function sha256Hex(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

function hmac(key: string | Buffer, data: string): Buffer {
  return createHmac('sha256', key).update(data).digest();
}

function canonicalPath(pathname: string): string {
  return pathname.split('/').map((segment) => awsEncode(safeDecode(segment))).join('/') || '/';
}

/** The query's parameters encoded, sorted by name then value; a bare name has an empty value. */
function canonicalQuery(search: string): string {
  if (search.length <= 1) return '';
  return search
    .slice(1)
    .split('&')
    .filter((p) => p !== '')
    .map((p) => {
      const eq = p.indexOf('=');
      const [k, v] = eq < 0 ? [p, ''] : [p.slice(0, eq), p.slice(eq + 1)];
      return [awsEncode(safeDecode(k)), awsEncode(safeDecode(v))] as const;
    })
    .sort(([ka, va], [kb, vb]) => (ka < kb ? -1 : ka > kb ? 1 : va < vb ? -1 : va > vb ? 1 : 0))
    .map(([k, v]) => `${k}=${v}`)
    .join('&');
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
