import type { Socket } from 'node:net';

/**
 * Watches the bytes a socket brings in, window after window, and calls `tooSlow` once when a whole window
 * brought fewer than `minBytesPerSecond` (dnf's `minrate` over its `timeout`). An idle timeout alone lets a
 * server that trickles a few bytes every second hold a transfer forever; this bounds every transfer to
 * about its size divided by the minimum rate. The socket's own byte count is read, so the body stream is
 * not touched (its consumer may start reading later), and the watch starts only when the request has a
 * socket: time spent waiting for a free connection of the pool is not counted.
 */
export function watchRate(socket: Socket, windowMs: number, minBytesPerSecond: number, tooSlow: (bytes: number) => void): () => void {
  if (minBytesPerSecond <= 0 || windowMs <= 0) return () => undefined;
  const needed = (minBytesPerSecond * windowMs) / 1000;
  let last = socket.bytesRead;
  const timer = setInterval(() => {
    const now = socket.bytesRead;
    const bytes = now - last;
    last = now;
    if (bytes < needed) {
      clearInterval(timer);
      tooSlow(bytes);
    }
  }, windowMs);
  timer.unref();
  return () => clearInterval(timer);
}
