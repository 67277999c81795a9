import { STATUS_CODES } from 'node:http';
import type { Readable } from 'node:stream';
import { ErrorCodes, OvirtRepoError } from '../errors/index.js';
import { printable } from '../fs/file-names.js';
import { RETRY_STATUS } from '../uri/http-errors.js';
import type { SendRequest, SentResponse } from '../uri/read-client.js';
import type { S3ListEntry, S3ListPage, S3ObjectInfo } from './types.js';
import { childText, parseS3Xml } from './xml.js';

/** What S3 answers: errors, listings, object headers, read with bounds. */

export const MAX_ERROR_BYTES = 64 * 1024;

/** What an answer is to (the request), for its error. */
export interface AnswerContext {
  method: SendRequest['method'];
  operation: string;
  bucket: string;
  key?: string;
  headers?: Record<string, string>;
}

/** A non-2xx answer as an error: E_CONFLICT for a failed precondition, else E_FETCH naming S3's code. */
export async function answerError(x: AnswerContext, where: string, res: SentResponse): Promise<OvirtRepoError> {
  let code: string | undefined;
  let message: string | undefined;
  let requestId: string | undefined;
  const data = await readBounded(res.body, MAX_ERROR_BYTES).catch(() => undefined);
  if (data && data.length > 0 && x.method !== 'HEAD') {
    try {
      const doc = parseS3Xml(data, `${x.method} ${where}`);
      code = childText(doc, 'Code');
      message = childText(doc, 'Message');
      requestId = childText(doc, 'RequestId');
    } catch {
      // An answer that is not S3's XML (a proxy's page): the status says enough.
    }
  }
  const status = res.status;
  const info = { operation: x.operation, bucket: x.bucket, ...(x.key !== undefined ? { key: x.key } : {}), status, ...(code ? { s3Code: code } : {}), ...(requestId ? { requestId } : {}) };
  const conditional = x.headers?.['if-none-match'] !== undefined || x.headers?.['if-match'] !== undefined;
  if (conditional && (status === 412 || (status === 409 && (code === undefined || code === 'ConditionalRequestConflict')))) {
    const create = x.headers?.['if-none-match'] !== undefined;
    return new OvirtRepoError(ErrorCodes.CONFLICT, `${x.method} ${where}: ${create ? 'the object already exists (create-only write)' : 'the object changed since it was read (compare-and-swap)'}: HTTP ${status}${code ? ` ${code}` : ''}`, {
      target: where,
      hint: create ? 'another writer created it first; read what is there' : 'another writer changed it meanwhile; read it again and redo the change',
      data: info,
    });
  }
  const said = [code, message ? printable(message.trim()) : undefined].filter(Boolean).join(': ');
  const text = `${x.method} ${where} (${x.operation}) failed: HTTP ${status}${STATUS_CODES[status] ? ` ${STATUS_CODES[status]}` : ''}${said ? `: ${said}` : ''}`;
  return new OvirtRepoError(ErrorCodes.FETCH, text, { target: where, hint: hintFor(status, code), data: { ...info, unreachable: RETRY_STATUS.has(status) } });
}

export function parseListPage(data: Buffer, what: string): S3ListPage {
  const doc = parseS3Xml(data, what);
  const objects: S3ListEntry[] = [];
  const prefixes: string[] = [];
  for (const node of doc.children) {
    if (node.name === 'Contents') {
      const key = childText(node, 'Key');
      if (key === undefined) continue;
      const etag = childText(node, 'ETag');
      const modified = Date.parse(childText(node, 'LastModified') ?? '');
      objects.push({ key, size: Number(childText(node, 'Size') ?? 0), ...(etag ? { etag } : {}), ...(Number.isFinite(modified) ? { lastModifiedMs: modified } : {}) });
    } else if (node.name === 'CommonPrefixes') {
      const p = childText(node, 'Prefix');
      if (p !== undefined) prefixes.push(p);
    }
  }
  const truncated = childText(doc, 'IsTruncated') === 'true';
  const next = childText(doc, 'NextContinuationToken');
  if (truncated && !next) throw new OvirtRepoError(ErrorCodes.FETCH, `${what}: a truncated page without a continuation token`, { hint: 'the endpoint does not behave as S3 does', data: { transient: false } });
  return { objects, prefixes, ...(truncated && next ? { nextToken: next } : {}) };
}

export function header(res: SentResponse, name: string): string | undefined {
  const v = res.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

export function infoOf(res: SentResponse): S3ObjectInfo {
  const modified = Date.parse(header(res, 'last-modified') ?? '');
  const date = Date.parse(header(res, 'date') ?? '');
  return {
    size: Number(header(res, 'content-length') ?? 0),
    etag: header(res, 'etag') ?? '',
    ...(Number.isFinite(modified) ? { lastModifiedMs: modified } : {}),
    ...(Number.isFinite(date) ? { serverDateMs: date } : {}),
    ...(header(res, 'cache-control') ? { cacheControl: header(res, 'cache-control') } : {}),
  };
}

export function unquote(etag: string): string {
  return etag.replace(/^W\//, '').replace(/^"(.*)"$/, '$1');
}

/** The stream's bytes, or undefined past `max` (the rest is not read). */
export async function readBounded(stream: Readable, max: number): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    total += chunk.length;
    if (total > max) {
      stream.destroy();
      return undefined;
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks, total);
}

function hintFor(status: number, code: string | undefined): string {
  if (code === 'SignatureDoesNotMatch' || code === 'InvalidAccessKeyId' || status === 401) return 'the S3 keys are wrong for this endpoint: check AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY or the profile (AWS_PROFILE), and the clock of this host';
  if (code === 'RequestTimeTooSkewed') return "this host's clock is off: S3 refuses requests signed more than 15 minutes away from its time; fix NTP";
  if (status === 403) return 'the S3 user may not do this here: check the bucket policy and the user\'s permissions';
  if (code === 'NoSuchBucket') return 'the bucket does not exist on this endpoint: create it, or check the name and AWS_ENDPOINT_URL_S3';
  if (status === 301 || status === 307 || code === 'PermanentRedirect' || code === 'AuthorizationHeaderMalformed') return 'the bucket is in another region: set AWS_REGION to it';
  if (RETRY_STATUS.has(status)) return 'the S3 server failed or is overloaded; retry later';
  return 'see the S3 error code in the message';
}
