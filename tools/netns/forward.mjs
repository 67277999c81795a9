// A TCP relay for tools/netns/hosts.sh: node forward.mjs LISTEN TARGET, each `tcp:HOST:PORT` or `unix:PATH`.
// Every connection accepted on LISTEN is piped to a new connection to TARGET, byte for byte (HTTP stays
// as the client sent it, so a SigV4 signature over the Host header still holds). Test tooling only.
import { connect, createServer } from 'node:net';
import { rmSync } from 'node:fs';

const parse = (spec) => {
  const m = /^(?:tcp:(.+):(\d+)|unix:(.+))$/.exec(spec ?? '');
  if (!m) {
    process.stderr.write(`forward.mjs: expected tcp:HOST:PORT or unix:PATH, got ${spec}\n`);
    process.exit(2);
  }
  return m[3] ? { path: m[3] } : { host: m[1], port: Number(m[2]) };
};
const [listen, target] = [parse(process.argv[2]), parse(process.argv[3])];

const server = createServer((client) => {
  const upstream = connect(target);
  client.pipe(upstream).pipe(client);
  // Either side failing ends both: no half-open relays left behind.
  const end = () => {
    client.destroy();
    upstream.destroy();
  };
  client.on('error', end).on('close', end);
  upstream.on('error', end).on('close', end);
});
if (listen.path) rmSync(listen.path, { force: true });
server.listen(listen, () => process.stderr.write(`forward.mjs: ${process.argv[2]} -> ${process.argv[3]}\n`));
server.on('error', (e) => {
  process.stderr.write(`forward.mjs: ${e.message}\n`);
  process.exit(1);
});
