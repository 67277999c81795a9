import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, normalize } from 'node:path';

export interface TestServer {
  server: Server;
  /** http://127.0.0.1:<port> */
  url: string;
  /** Request paths seen, in order. */
  requests: string[];
  close(): Promise<void>;
}

/** Answers a request itself: to misbehave (hang, stall), or to change the world while a client waits. */
export type RouteHandler = (req: IncomingMessage, res: ServerResponse) => void | Promise<void>;

/**
 * A real HTTP server on loopback. `routes` answers exact paths (a string body, a status/body pair, or a
 * handler); anything else is served from `root` when given, else 404.
 */
export async function startServer(
  routes: Record<string, string | { status: number; body?: string } | RouteHandler> = {},
  root?: string,
): Promise<TestServer> {
  const requests: string[] = [];
  const handler = async (req: IncomingMessage, res: ServerResponse) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    requests.push(path);
    const route = routes[path];
    if (typeof route === 'string') return void res.writeHead(200).end(route);
    if (typeof route === 'function') return void (await route(req, res));
    if (route) return void res.writeHead(route.status).end(route.body ?? '');
    if (root) {
      try {
        const body = await readFile(join(root, normalize(path)));
        return void res.writeHead(200).end(body);
      } catch {
        // fall through to 404
      }
    }
    res.writeHead(404).end('not found');
  };
  const server = createServer((req, res) => void handler(req, res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    server,
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A loopback URL nothing listens on. */
export async function refusedUrl(): Promise<string> {
  const s = await startServer();
  await s.close();
  return s.url;
}
