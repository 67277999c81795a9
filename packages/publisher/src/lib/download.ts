import { createWriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import type * as Undici from 'undici';
import type { Agent } from 'undici';
import {
  ErrorCodes,
  HashingStream,
  OvirtRepoError,
  copyFileVerified,
  localPathOf,
  uriKind,
  verifyContent,
  type ChecksumType,
  type DigestWithSize,
  type ExpectedContent,
  type Logger,
} from '@ovirt-repo/core';

export interface DownloadOptions {
  logger?: Logger;
  /** Attempts for HTTP (network errors, timeouts, 408/429/5xx are retried). Default 3. */
  tries?: number;
  timeoutMs?: number;
}

const RETRY_STATUS = new Set([408, 429, 500, 502, 503, 504]);
const agents = new Map<number, Agent>();
// Loaded on the first download: a publish from a local snapshot never needs it.
let undiciModule: Promise<typeof Undici> | undefined;
const undici = () => (undiciModule ??= import('undici'));

async function agent(timeoutMs: number): Promise<Agent> {
  const { Agent } = await undici();
  let a = agents.get(timeoutMs);
  if (!a) {
    // TLS verification always on; no proxy from the environment (CI proxies serve stale repositories).
    a = new Agent({ headersTimeout: timeoutMs, bodyTimeout: timeoutMs, connect: { timeout: timeoutMs, rejectUnauthorized: true } });
    agents.set(timeoutMs, a);
  }
  return a;
}

/**
 * Copy the file at `uri` (http(s), file:// or a path) to the local file `dest`, hashing it on the way, and
 * fail — removing `dest` — unless it has the expected size and checksum. Streams: memory does not grow with
 * the file. Errors: E_FETCH (unreachable, HTTP status), E_CHECKSUM_MISMATCH / E_SIZE_MISMATCH, E_IO.
 */
export async function downloadVerified(uri: string, dest: string, expected: ExpectedContent, options: DownloadOptions = {}): Promise<DigestWithSize> {
  const type: ChecksumType = expected.checksum?.type ?? 'sha256';
  const kind = uriKind(uri);
  if (kind === 'file' || kind === 'path') return copyFileVerified(localPathOf(uri), dest, expected, type);
  if (kind !== 'http') {
    throw new OvirtRepoError(ErrorCodes.USAGE, `Cannot read ${uri}: unsupported scheme`, { target: uri, hint: 'Sources are http(s):// or file:// URLs or local paths.' });
  }
  const tries = Math.max(1, options.tries ?? 3);
  const timeoutMs = options.timeoutMs ?? 60_000;
  for (let attempt = 1; ; attempt++) {
    let retry = false;
    let message: string;
    try {
      const { fetch } = await undici();
      const response = await fetch(uri, { dispatcher: await agent(timeoutMs), redirect: 'follow', headers: { accept: '*/*' } });
      if (response.status === 200 && response.body) {
        const hashing = new HashingStream(type);
        await pipeline(Readable.fromWeb(response.body as never), hashing, createWriteStream(dest));
        const actual = hashing.result();
        try {
          verifyContent(uri, expected, actual);
        } catch (e) {
          await rm(dest, { force: true });
          throw e;
        }
        return actual;
      }
      await response.body?.cancel().catch(() => undefined);
      retry = RETRY_STATUS.has(response.status);
      message = `HTTP ${response.status}${response.statusText ? ` ${response.statusText}` : ''}`;
    } catch (e) {
      if (e instanceof OvirtRepoError) throw e;
      await rm(dest, { force: true });
      const code = innermostCode(e);
      retry = !(code && /^(CERT_|ERR_TLS_|UNABLE_TO_|DEPTH_ZERO_|SELF_SIGNED_|ERR_SSL_)/.test(code));
      message = `${code ?? 'network error'}: ${innermostMessage(e)}`;
    }
    if (!retry || attempt >= tries) {
      throw new OvirtRepoError(ErrorCodes.FETCH, `Download failed for ${uri}: ${message}${attempt > 1 ? ` (after ${attempt} attempts)` : ''}`, {
        target: uri,
        hint: retry ? 'The server is unreachable or struggling; check the URL and the network, then publish again.' : 'Check that the URL is right and the source repository is complete (its metadata names this file).',
        data: { unreachable: retry },
      });
    }
    options.logger?.debug(`${uri}: ${message}; retrying (${attempt}/${tries})`);
    await sleep(250 * 2 ** (attempt - 1));
  }
}

function innermostCode(e: unknown): string | undefined {
  let found: string | undefined;
  for (let cur = e as { code?: unknown; cause?: unknown } | undefined, i = 0; cur && i < 8; cur = cur.cause as typeof cur, i++) {
    if (typeof cur.code === 'string') found = cur.code;
  }
  return found;
}

function innermostMessage(e: unknown): string {
  let cur = e as { message?: string; cause?: unknown };
  while (cur.cause && typeof cur.cause === 'object') cur = cur.cause as typeof cur;
  return cur.message ?? String(e);
}
