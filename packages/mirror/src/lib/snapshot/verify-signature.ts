import { checkSignature, joinKey, type Store } from '@ovirt-repo/core';
import { SNAPSHOT_PUBLIC_KEY, SNAPSHOT_REPOMD_SIGNATURE } from '../store/layout.js';
import type { SnapshotSignature } from '../store/snapshot-record.js';

/** A detached signature is a few hundred bytes, a public key a few KiB: anything much larger is not one. */
const MAX_SIGNATURE = 64 * 1024;
const MAX_PUBLIC_KEY = 1024 * 1024;

/**
 * What is wrong with a signed snapshot's signature, as a client with repo_gpgcheck=1 holding the snapshot's
 * key would find it: repodata/repomd.xml.asc must verify against RPM-GPG-KEY alone, by the key snapshot.json
 * names. Undefined when it does. The files are read at their fixed names, never at a path from the record.
 */
export async function signatureProblem(store: Store, snapshot: string, repomd: Buffer, signature: SnapshotSignature, env: NodeJS.ProcessEnv = process.env): Promise<{ href: string; problem: string } | undefined> {
  const read = async (href: string, max: number): Promise<string | { problem: string }> => {
    const key = joinKey(snapshot, href);
    const st = await store.stat(key).catch(() => undefined);
    if (st?.type !== 'object') return { problem: 'is missing (snapshot.json says the snapshot is signed)' };
    if (st.size > max) return { problem: `has ${st.size} bytes, more than one can be` };
    const got = await store.read(key).catch(() => undefined);
    return got ? got.data.toString('utf8') : { problem: 'is missing (snapshot.json says the snapshot is signed)' };
  };
  const asc = await read(SNAPSHOT_REPOMD_SIGNATURE, MAX_SIGNATURE);
  if (typeof asc !== 'string') return { href: SNAPSHOT_REPOMD_SIGNATURE, ...asc };
  const publicKey = await read(SNAPSHOT_PUBLIC_KEY, MAX_PUBLIC_KEY);
  if (typeof publicKey !== 'string') return { href: SNAPSHOT_PUBLIC_KEY, ...publicKey };
  const check = await checkSignature(repomd, asc, publicKey, env);
  if (!check.good) return { href: SNAPSHOT_REPOMD_SIGNATURE, problem: `does not verify against ${SNAPSHOT_PUBLIC_KEY}${check.detail ? ` (gpg: ${check.detail})` : ''}` };
  if (!check.fingerprints.includes(signature.fingerprint)) {
    return { href: SNAPSHOT_REPOMD_SIGNATURE, problem: `is made by key ${check.fingerprints.join(', ')}, not ${signature.fingerprint} as snapshot.json says` };
  }
  return undefined;
}
