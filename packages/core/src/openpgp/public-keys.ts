import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ErrorCodes, OvirtRepoError } from '../errors/index.js';
import { readUri } from '../uri/read.js';
import type { ReadUriOptions } from '../uri/read-options.js';
import { uriKind } from '../uri/kind.js';
import { runBounded } from './bounded-process.js';

/** The keys that may vouch for what a sync or a verify takes in (--gpg-key, gpgkey=). */
export interface PublicKeySet {
  /** Where each key file came from, as given. */
  sources: string[];
  /** Every primary key and subkey that can sign, by full fingerprint (upper-case hex). */
  fingerprints: string[];
  /** Each key, ASCII-armoured on its own (rpmkeys --import takes one key per file). */
  armored: string[];
}

/** A key file is a few KiB; a keyring of a distribution's keys well under 1 MiB. */
export const MAX_KEY_FILE = 1024 * 1024;
const ARMORED_PUBLIC = /-----BEGIN PGP PUBLIC KEY BLOCK-----[\s\S]*?-----END PGP PUBLIC KEY BLOCK-----/;

export interface ReadKeysOptions {
  env: NodeJS.ProcessEnv;
  /** How http(s) keys are read (network settings, deadline); the size bound is MAX_KEY_FILE. */
  read?: Omit<ReadUriOptions, 'maxBytes'>;
  /** Whether local files (paths, file://) may be named: not when the list came from a remote config. */
  allowLocal?: boolean;
  timeoutMs?: number;
}

/**
 * Read OpenPGP public keys from files or URLs (each an armoured or binary public key, nothing else: a
 * secret key or any other file is refused without echoing it), through one throwaway gpg home that
 * lists their fingerprints and exports each armoured.
 */
export async function readPublicKeys(refs: readonly string[], options: ReadKeysOptions): Promise<PublicKeySet> {
  const timeoutMs = options.timeoutMs ?? 60_000;
  const home = await mkdtemp(join(tmpdir(), 'ovirt-repo-keys-'));
  try {
    const env = { ...options.env, GNUPGHOME: home };
    const bounds = { env, timeoutMs, maxOutput: 4 * MAX_KEY_FILE };
    const fingerprints: string[] = [];
    for (const [i, ref] of refs.entries()) {
      const kind = uriKind(ref);
      if ((kind === 'file' || kind === 'path') && options.allowLocal === false) {
        throw new OvirtRepoError(ErrorCodes.USAGE, `gpgkey ${ref} names a local file, which a config read over the network may not`, {
          target: ref,
          hint: 'give the key with --gpg-key FILE on the command line, or an https:// URL in the config',
        });
      }
      const { data } = await readUri(ref, { ...options.read, maxBytes: MAX_KEY_FILE });
      if (!looksLikePublicKey(data)) throw notAKey(ref, data.length, 'neither an ASCII-armoured public key block nor a binary OpenPGP public key');
      const file = join(home, `key-${i}`);
      await writeFile(file, data);
      const shown = await runBounded('gpg', ['--batch', '--with-colons', '--import-options', 'show-only', '--import', file], bounds);
      const listing = shown.stdout.toString('utf8');
      if (shown.exitCode !== 0 || !/^pub:/m.test(listing) || /^sec:/m.test(listing)) throw notAKey(ref, data.length, shown.spawnError ? `gpg cannot run (${shown.spawnError})` : 'gpg finds no public key in it');
      const imported = await runBounded('gpg', ['--batch', '--import', file], bounds);
      if (imported.exitCode !== 0) throw notAKey(ref, data.length, 'gpg cannot import it');
      for (const line of listing.split('\n')) {
        const fpr = /^fpr:(?:[^:]*:){8}([0-9A-F]{40,64}):/.exec(line)?.[1];
        if (fpr && !fingerprints.includes(fpr)) fingerprints.push(fpr);
      }
    }
    const primaries = await runBounded('gpg', ['--batch', '--with-colons', '--list-keys'], bounds);
    const armored: string[] = [];
    for (const block of primaries.stdout.toString('utf8').split(/^pub:/m).slice(1)) {
      const fpr = /^fpr:(?:[^:]*:){8}([0-9A-F]{40,64}):/m.exec(block)?.[1];
      if (!fpr) continue;
      const exported = await runBounded('gpg', ['--batch', '--armor', '--export', fpr], bounds);
      if (exported.exitCode === 0) armored.push(exported.stdout.toString('utf8'));
    }
    return { sources: [...refs], fingerprints, armored };
  } finally {
    await rm(home, { recursive: true, force: true });
  }
}

/** An armoured public key block, or binary data starting with a public-key packet (tag 6, old or new format). */
function looksLikePublicKey(data: Buffer): boolean {
  if (ARMORED_PUBLIC.test(data.toString('latin1'))) return true;
  const first = data[0] ?? 0;
  return first === 0xc6 || (first & 0xfc) === 0x98;
}

function notAKey(ref: string, bytes: number, why: string): OvirtRepoError {
  return new OvirtRepoError(ErrorCodes.USAGE, `${ref} is not an OpenPGP public key (${bytes} bytes: ${why})`, {
    target: ref,
    hint: 'give the repository\'s public key as the distribution publishes it (RPM-GPG-KEY-...), or export one with gpg --export --armor KEYID > FILE',
  });
}

/** rpm's key id of a v4 fingerprint: its last 8 hex digits, lower-case (what `rpmkeys -Kv` prints). */
export function shortKeyId(fingerprint: string): string {
  return fingerprint.slice(-8).toLowerCase();
}
