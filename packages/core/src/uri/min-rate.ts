import { finished, Transform, type Readable } from 'node:stream';
import { isOvirtRepoError } from '../errors/index.js';
import { fetchError, networkError } from './http-errors.js';
import { redactUrl } from './redact.js';

export interface RateWatch {
  /** The request's method, for messages. */
  method: string;
  url: URL;
  /** The window (ms): fewer than `minBytesPerSecond` a second over a whole window ends the transfer. */
  idleMs: number;
  /** 0: no minimum. */
  minBytesPerSecond: number;
}

/**
 * `body`, counted on its way through: a window of `idleMs` that brings fewer than minBytesPerSecond bytes a
 * second ends it with a transient E_FETCH (an idle timeout alone lets a peer that trickles a byte a second
 * hold a transfer for ever); any other failure while it streams becomes an E_FETCH naming the URL. Used for
 * response bodies read and for request bodies sent (the server reading an upload slowly is the same trap).
 */
export function withMinRate(body: Readable, watch: RateWatch): Readable {
  const { method, url, idleMs, minBytesPerSecond: minRate } = watch;
  let bytes = 0;
  const counter = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      bytes += chunk.length;
      callback(null, chunk);
    },
  });
  const needed = (minRate * idleMs) / 1000;
  let last = 0;
  const timer =
    minRate > 0 && idleMs > 0
      ? setInterval(() => {
          const came = bytes - last;
          last = bytes;
          if (came < needed) counter.destroy(tooSlow(watch, came));
        }, idleMs)
      : undefined;
  timer?.unref();
  // pipe and finished rather than stream.pipeline, whose AbortController makes an AbortError (with its stack)
  // at the end of every transfer, a cost paid per package.
  body.pipe(counter);
  // The reader of `counter` gets its errors through its own listener; this one keeps a failure that comes
  // after the reader stopped listening from being an uncaught 'error' event (stream.pipeline listened too).
  counter.on('error', () => undefined);
  finished(body, (e) => {
    if (e && !counter.destroyed) counter.destroy(isOvirtRepoError(e) ? e : networkError(method, url, e, idleMs));
  });
  counter.on('close', () => {
    clearInterval(timer);
    if (!body.destroyed) body.destroy();
  });
  return counter;
}

function tooSlow({ method, url, idleMs, minBytesPerSecond }: RateWatch, bytes: number) {
  return fetchError(
    url,
    `${method} ${redactUrl(url.href)} failed: too slow: ${bytes} bytes in ${idleMs / 1000} s, below the minimum of ${minBytesPerSecond} bytes/s`,
    { transient: true, unreachable: true, bytes, minBytesPerSecond },
    'the server or the network is too slow; retry later, use another mirror, or lower --min-rate (sync.minRate)',
  );
}
