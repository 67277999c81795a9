import type { IncomingMessage, ServerResponse } from 'node:http';

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** Where access log lines go: stderr, or a file opened for appending (see the serve command). */
export interface AccessLogSink {
  write(line: string): void;
}

/**
 * Log every answer of `res` to `sink` in nginx's `combined` format, once the answer is done (or the client
 * went away): `$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer"
 * "$http_user_agent"`. Body bytes are counted as they are written, as nginx counts them.
 */
export function logAccess(req: IncomingMessage, res: ServerResponse, sink: AccessLogSink, now: () => Date = () => new Date()): void {
  let bytes = 0;
  const count = (chunk: unknown) => {
    if (typeof chunk === 'string') bytes += Buffer.byteLength(chunk);
    else if (chunk instanceof Uint8Array) bytes += chunk.length;
  };
  const write = res.write.bind(res) as (...args: unknown[]) => boolean;
  const end = res.end.bind(res) as (...args: unknown[]) => ServerResponse;
  res.write = ((chunk: unknown, ...rest: unknown[]) => {
    count(chunk);
    return write(chunk, ...rest);
  }) as ServerResponse['write'];
  res.end = ((chunk?: unknown, ...rest: unknown[]) => {
    if (typeof chunk !== 'function') count(chunk);
    return end(chunk, ...rest);
  }) as ServerResponse['end'];
  res.once('close', () => sink.write(`${combinedLine(req, res.statusCode, req.method === 'HEAD' ? 0 : bytes, now())}\n`));
}

/** One `combined` line; what the client sent is escaped as nginx does (`\xHH`), so it cannot forge lines. */
export function combinedLine(req: IncomingMessage, status: number, bytes: number, when: Date): string {
  const addr = (req.socket.remoteAddress ?? '-').replace(/^::ffff:/, '');
  const request = `${req.method ?? '-'} ${req.url ?? '-'} HTTP/${req.httpVersion}`;
  const header = (name: string) => {
    const v = req.headers[name];
    return v === undefined ? '-' : escape(Array.isArray(v) ? v.join(', ') : v);
  };
  return `${addr} - - [${timeLocal(when)}] "${escape(request)}" ${status} ${bytes} "${header('referer')}" "${header('user-agent')}"`;
}

function escape(text: string): string {
  return Buffer.from(text, 'latin1').reduce((out, byte) => out + (byte < 0x20 || byte > 0x7e || byte === 0x22 || byte === 0x5c ? `\\x${byte.toString(16).toUpperCase().padStart(2, '0')}` : String.fromCharCode(byte)), '');
}

/** nginx's $time_local: 07/Dec/2026:23:40:28 +0000, in this process's time zone. */
function timeLocal(d: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  const offset = -d.getTimezoneOffset();
  const sign = offset < 0 ? '-' : '+';
  const zone = `${sign}${pad(Math.floor(Math.abs(offset) / 60))}${pad(Math.abs(offset) % 60)}`;
  return `${pad(d.getDate())}/${MONTHS[d.getMonth()]}/${d.getFullYear()}:${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())} ${zone}`;
}
