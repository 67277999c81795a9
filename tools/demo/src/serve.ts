import { createServer } from 'node:net';
import { execa, type ResultPromise } from 'execa';
import { ovirtRepoBin } from './cli.js';

/** A free loopback port (the demo must not collide with anything already listening). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

/**
 * `ovirt-repo serve` as a child process; resolves once it answers HTTP. The child is wrapped in an object
 * because execa's subprocess is itself awaitable: returning it bare would wait for the server to exit.
 */
export async function startServe(store: string, port: number): Promise<{ child: ResultPromise }> {
  const child = execa(process.execPath, [ovirtRepoBin, 'serve', '--store', store, '--port', String(port)], { reject: false });
  const deadline = Date.now() + 15_000;
  for (;;) {
    try {
      const res = await fetch(`http://127.0.0.1:${port}/yum/all_latest.json`);
      if (res.ok) return { child };
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill();
      throw new Error(`ovirt-repo serve did not answer on port ${port} within 15 s`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}
