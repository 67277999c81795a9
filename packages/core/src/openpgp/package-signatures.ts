import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { ErrorCodes, OvirtRepoError } from '../errors/index.js';
import { runBounded } from './bounded-process.js';
import { shortKeyId, type PublicKeySet } from './public-keys.js';

/** What `rpmkeys -Kv` says of one package against the given keys. */
export type PackageSignature =
  | { file: string; ok: true; keyIds: string[] }
  /**
   * unsigned: digests only (rpmkeys -K says "digests OK" and exits 0: still refused); nokey: signed by a key
   * not given; bad: a signature or digest does not match (damaged or altered); unreadable: not a package.
   */
  | { file: string; ok: false; reason: 'unsigned' | 'nokey' | 'bad' | 'unreadable'; keyIds: string[]; detail: string };

export interface CheckPackagesOptions {
  env: NodeJS.ProcessEnv;
  /** Deadline of one rpmkeys run over a batch. Default 10 minutes. */
  timeoutMs?: number;
}

/** Packages per rpmkeys run: one process for many files, each run's output a few hundred bytes a package. */
const BATCH = 500;
const SIGNATURE_LINE = /^\s+(?:Header )?V\d+ [\w/]+ Signature, key ID ([0-9a-f]+): (\S+)/;

/**
 * Check packages' OpenPGP signatures against `keys` alone, as dnf with gpgcheck=1 does (librpm's check,
 * here the system's rpmkeys): in a throwaway rpm database holding only those keys, never the host's rpmdb
 * or keyring. Both the header-only signature (rpm >= 4.16) and the legacy header+payload one count; a
 * package with no signature, or one a given key did not make, or with any BAD line, is not ok.
 */
export async function checkPackageSignatures(files: readonly string[], keys: PublicKeySet, options: CheckPackagesOptions): Promise<PackageSignature[]> {
  const dir = await mkdtemp(join(tmpdir(), 'ovirt-repo-rpmkeys-'));
  try {
    const db = join(dir, 'db');
    await mkdir(db);
    const env = { ...options.env, HOME: dir };
    const timeoutMs = options.timeoutMs ?? 600_000;
    for (const [i, key] of keys.armored.entries()) {
      const file = join(dir, `key-${i}.asc`);
      await writeFile(file, key);
      const r = await runBounded('rpmkeys', ['--dbpath', db, '--import', file], { env, timeoutMs, maxOutput: 64 * 1024 });
      if (r.exitCode !== 0) throw rpmkeysFailed(`rpmkeys --import of ${keys.sources.join(', ')}`, r.spawnError ?? r.stopped ?? r.stderr);
    }
    const out: PackageSignature[] = [];
    for (let from = 0; from < files.length; from += BATCH) {
      // Links named by number: rpmkeys prints each name at the start of a line, which a package's own
      // file name (a colon, a newline) must not be able to fake.
      const batch = files.slice(from, from + BATCH);
      const links = await Promise.all(batch.map(async (f, i) => {
        const link = join(dir, `${from + i}.rpm`);
        await symlink(resolve(f), link);
        return link;
      }));
      const r = await runBounded('rpmkeys', ['--dbpath', db, '-Kv', '--', ...links], { env, timeoutMs, maxOutput: batch.length * 16 * 1024 });
      if (r.spawnError || r.stopped || r.signal) throw rpmkeysFailed('rpmkeys -Kv', r.spawnError ?? r.stopped ?? r.signal ?? '');
      const blocks = blocksOf(r.stdout.toString('utf8'), links);
      batch.forEach((file, i) => out.push(verdict(file, blocks[i] ?? [], keys)));
      await Promise.all(links.map((l) => rm(l, { force: true })));
    }
    return out;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** The indented lines under each `<link>:` heading, in the order of `links`. */
function blocksOf(text: string, links: readonly string[]): string[][] {
  const index = new Map(links.map((l, i) => [`${l}:`, i]));
  const blocks: string[][] = links.map(() => []);
  let current: string[] | undefined;
  for (const line of text.split('\n')) {
    const at = index.get(line);
    if (at !== undefined) current = blocks[at];
    else if (/^\s/.test(line)) current?.push(line);
  }
  return blocks;
}

function verdict(file: string, lines: readonly string[], keys: PublicKeySet): PackageSignature {
  const signatures = lines.map((l) => SIGNATURE_LINE.exec(l)).filter((m): m is RegExpExecArray => m !== null);
  const keyIds = [...new Set(signatures.map((m) => m[1] ?? ''))];
  const expected = new Set(keys.fingerprints.map(shortKeyId));
  const bad = lines.filter((l) => /: BAD\b/.test(l));
  if (lines.length === 0) return { file, ok: false, reason: 'unreadable', keyIds, detail: 'rpmkeys cannot read it as a package' };
  if (bad.length > 0) return { file, ok: false, reason: 'bad', keyIds, detail: bad.map((l) => l.trim().replace(/ \(Expected .*$/, '')).join('; ') };
  if (signatures.length === 0) return { file, ok: false, reason: 'unsigned', keyIds, detail: 'no OpenPGP signature, only digests' };
  const unknown = signatures.filter((m) => m[2] !== 'OK' || !expected.has(m[1] ?? ''));
  if (unknown.length > 0) return { file, ok: false, reason: 'nokey', keyIds, detail: unknown.map((m) => `key ID ${m[1]}: ${m[2]}`).join('; ') };
  return { file, ok: true, keyIds };
}

function rpmkeysFailed(what: string, why: string): OvirtRepoError {
  return new OvirtRepoError(ErrorCodes.GPGCHECK, `${what} failed: ${why || 'no reason given'}`, {
    hint: 'package signatures are checked with the system\'s rpmkeys (package rpm); install it, and check that the keys are OpenPGP v4 public keys',
  });
}
