import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
/** The child that publishes and reports each step it reaches (`AT <point>`). */
export const PUBLISH_CHILD = join(here, '..', 'fixtures', 'publish-child.mjs');
/** The built plugin the child loads: kill tests need a build. */
export const BUILT_PLUGIN = join(here, '..', '..', 'dist', 'bundle', 'index.js');

const DAY = 86_400_000;
const t0 = new Date('2030-01-01T00:00:00.000Z');
/** A fixed clock: `days` after 2030-01-01. */
export const at = (days: number) => new Date(t0.getTime() + days * DAY);

export const OLD = ['hello-1.0-1.noarch', 'hello-2.0-1.noarch', 'tools-1.0-1.noarch'];
export const NEW = ['hello-2.0-1.noarch', 'hello-3.0-1.noarch', 'tools-1.0-1.noarch'];
/** Kill points through one publish, with the listing the destination must still serve right after. */
export const POINTS: Array<[string, string[]]> = [
  ['during:package:1', OLD],
  ['after:package:1', OLD],
  ['during:metadata:1', OLD],
  ['after:metadata:3', OLD],
  ['after:history:1', OLD],
  ['during:repomd:1', OLD],
  ['after:repomd:1', NEW],
  ['after:history:2', NEW],
  ['after:remove:1', NEW],
];
/**
 * The same through a target with symbolic links (a directory), where repomd.xml is written into its own
 * directory (`pair`) and goes live when the `live` link moves (`repomd`).
 */
export const LINKED_POINTS: Array<[string, string[]]> = [
  ...POINTS.filter(([point]) => !point.endsWith(':repomd:1')),
  ['during:pair:1', OLD],
  ['after:pair:1', OLD],
  ['before:repomd:1', OLD],
  ['after:repomd:1', NEW],
];

/** Run the child publishing `from` to `to` until it reports reaching `point`, then SIGKILL it; resolves to its output and pid. */
export function publishUntil(from: string, to: string, point: string, now: Date, env: NodeJS.ProcessEnv): Promise<{ out: string; pid: number }> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, [PUBLISH_CHILD, from, to, point, now.toISOString()], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    p.stdout.on('data', (c: Buffer) => {
      out += c.toString();
      if (out.includes(`AT ${point}`)) p.kill('SIGKILL');
    });
    p.stderr.on('data', (c: Buffer) => (err += c.toString()));
    p.on('error', reject);
    p.on('exit', (code, signal) => {
      if (signal === 'SIGKILL') resolve({ out: out.trim(), pid: p.pid ?? 0 });
      else reject(new Error(`child ended (${code}) without reaching ${point}: ${out}${err}`));
    });
  });
}

/**
 * Run the child publishing `from` to `to` with no stop point and SIGKILL it after `delayMs`; `killed`: the
 * kill came before the publish ended (else it ran to the end and printed DONE).
 */
export function publishKilledAfter(from: string, to: string, delayMs: number, now: Date, env: NodeJS.ProcessEnv): Promise<{ killed: boolean; pid: number }> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, [PUBLISH_CHILD, from, to, 'none', now.toISOString()], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    p.stdout.on('data', (c: Buffer) => (out += c.toString()));
    p.stderr.on('data', (c: Buffer) => (err += c.toString()));
    const timer = setTimeout(() => p.kill('SIGKILL'), delayMs);
    p.on('error', reject);
    p.on('exit', (code, signal) => {
      clearTimeout(timer);
      if (signal === 'SIGKILL') resolve({ killed: true, pid: p.pid ?? 0 });
      else if (code === 0 && out.includes('DONE')) resolve({ killed: false, pid: p.pid ?? 0 });
      else reject(new Error(`child ended (${code}) unkilled and without DONE: ${out}${err}`));
    });
  });
}
