import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runBounded } from './bounded-process.js';

export interface SignatureCheck {
  /** Every signature in the file is good and made by the public key. */
  good: boolean;
  /** Signatures found in the file. */
  signatures: number;
  /** gpg's last words when not good. */
  detail: string;
  /** The primary-key fingerprints of the good signatures (what `gpg --list-keys` shows for the key). */
  fingerprints: string[];
}

/**
 * Check a detached signature of `data` against `publicKey` alone, as a client with repo_gpgcheck=1 and
 * that key would: gpg in a throwaway home holding nothing but the key, so no other key of the user's
 * keyring can vouch for it.
 */
export async function checkSignature(data: Buffer, signature: string, publicKey: string, env: NodeJS.ProcessEnv, timeoutMs = 60_000): Promise<SignatureCheck> {
  const home = await mkdtemp(join(tmpdir(), 'ovirt-repo-gpg-'));
  try {
    const gpgEnv = { ...env, GNUPGHOME: home };
    const bounds = { env: gpgEnv, timeoutMs, maxOutput: 1024 * 1024 };
    await writeFile(join(home, 'key.asc'), publicKey);
    await writeFile(join(home, 'data'), data);
    await writeFile(join(home, 'data.asc'), signature);
    const imported = await runBounded('gpg', ['--batch', '--homedir', home, '--import', join(home, 'key.asc')], bounds);
    if (imported.exitCode !== 0) return { good: false, signatures: 0, fingerprints: [], detail: `the public key does not import: ${imported.stderr || imported.stopped || imported.spawnError}` };
    const r = await runBounded('gpg', ['--batch', '--homedir', home, '--status-fd', '1', '--verify', join(home, 'data.asc'), join(home, 'data')], bounds);
    const status = r.stdout.toString('utf8');
    const signatures = (status.match(/^\[GNUPG:\] NEWSIG\b/gm) ?? []).length;
    const valid = (status.match(/^\[GNUPG:\] VALIDSIG\b/gm) ?? []).length;
    const good = r.exitCode === 0 && signatures > 0 && valid === signatures;
    // VALIDSIG <signing key fpr> <date> <time> <expiry> <version> <reserved> <algo> <hash> <class> <primary key fpr>
    const fingerprints = [...status.matchAll(/^\[GNUPG:\] VALIDSIG ((?:\S+ ){9})?(\S+)$/gm)].map((m) => m[2] ?? '');
    return { good, signatures, fingerprints, detail: good ? '' : r.stderr.split('\n').filter((l) => /BAD|No public key|no signature|error|not/i.test(l)).slice(-2).join(' / ') || `gpg --verify: exit status ${r.exitCode}` };
  } finally {
    await rm(home, { recursive: true, force: true });
  }
}

/** The primary-key fingerprints of an ASCII-armoured public key (file) as gpg reads it; none when it holds no key. */
export async function publicKeyFingerprints(publicKey: string, env: NodeJS.ProcessEnv, timeoutMs = 60_000): Promise<string[]> {
  const home = await mkdtemp(join(tmpdir(), 'ovirt-repo-gpg-'));
  try {
    await writeFile(join(home, 'key.asc'), publicKey);
    const r = await runBounded('gpg', ['--batch', '--homedir', home, '--with-colons', '--import-options', 'show-only', '--import', join(home, 'key.asc')], { env: { ...env, GNUPGHOME: home }, timeoutMs, maxOutput: 1024 * 1024 });
    // Each primary key (pub) is followed by its fpr record; subkeys (sub) by theirs.
    const lines = r.stdout.toString('utf8').split('\n');
    return lines.flatMap((l, i) => (l.startsWith('pub:') && lines[i + 1]?.startsWith('fpr:') ? [lines[i + 1]?.split(':')[9] ?? ''] : [])).filter(Boolean);
  } finally {
    await rm(home, { recursive: true, force: true });
  }
}
