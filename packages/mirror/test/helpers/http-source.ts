import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, normalize, sep } from 'node:path';

/**
 * A real HTTP server on 127.0.0.1 serving a directory, for sync tests: it counts and records requests and
 * can be told to fail (status codes a number of times, truncated or corrupted bodies) per path.
 */
export interface HttpSource {
  url: string;
  requests: string[];
  /** path -> how to misbehave */
  faults: Map<string, Fault>;
  close(): Promise<void>;
}

export interface Fault {
  status?: number;
  /** How many requests fail (default: all). */
  times?: number;
  /** Serve the body with its bytes changed (same length). */
  corrupt?: boolean;
  /** Close the connection after this many bytes. */
  truncateAt?: number;
}

export async function startHttpSource(root: string): Promise<HttpSource> {
  const requests: string[] = [];
  const faults = new Map<string, Fault>();
  const server = http.createServer(async (req, res) => {
    const path = decodeURIComponent((req.url ?? '/').split('?')[0]!);
    requests.push(path);
    const fault = faults.get(path);
    if (fault && (fault.times === undefined || fault.times > 0)) {
      if (fault.times !== undefined) fault.times--;
      if (fault.status) {
        res.statusCode = fault.status;
        res.end('fault\n');
        return;
      }
    }
    const file = normalize(join(root, path));
    if (!file.startsWith(root + sep)) {
      res.statusCode = 403;
      res.end();
      return;
    }
    const st = await stat(file).catch(() => undefined);
    if (!st || !st.isFile()) {
      res.statusCode = 404;
      res.end('not found\n');
      return;
    }
    res.setHeader('content-length', st.size);
    if (fault?.corrupt) {
      const chunks: Buffer[] = [];
      for await (const c of createReadStream(file)) chunks.push(c as Buffer);
      const body = Buffer.concat(chunks);
      body[body.length >> 1] ^= 0xff;
      res.end(body);
      return;
    }
    if (fault?.truncateAt !== undefined) {
      const s = createReadStream(file, { start: 0, end: fault.truncateAt - 1 });
      s.on('end', () => res.destroy());
      s.pipe(res, { end: false });
      return;
    }
    createReadStream(file).pipe(res);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    faults,
    close: () =>
      new Promise<void>((r) => {
        server.close(() => r());
        server.closeAllConnections();
      }),
  };
}
