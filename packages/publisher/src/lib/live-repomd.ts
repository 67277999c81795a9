import { isAtomicLinkCapable, readTargetFile, type Logger, type PutData, type AtomicLinkCapable, type SyncTarget } from '@ovirt-repo/core';
import type { DestinationState } from './destination.js';
import { REPOMD_ASC_PATH, REPOMD_PATH } from './layout.js';

/**
 * How a new repomd.xml and its signature go live. A client must never find a repomd.xml beside a signature
 * that is not its own (dnf with repo_gpgcheck=1 refuses the repository then), and two files cannot be
 * replaced in one step. So on targets with symbolic links, both live in one directory per repomd.xml,
 *
 *   .ovirt-repo/repomd/<sha256 of repomd.xml>/repomd.xml (+ repomd.xml.asc when signed)
 *   .ovirt-repo/repomd/live -> <sha256>
 *   repodata/repomd.xml     -> ../.ovirt-repo/repomd/live/repomd.xml
 *   repodata/repomd.xml.asc -> ../.ovirt-repo/repomd/live/repomd.xml.asc
 *
 * and moving the one `live` link switches both at once: every kill point leaves a matching pair (or an
 * unsigned repomd.xml with no signature at all). Targets without links (object stores) get the two files in
 * the order that fails safe: the signature first, then repomd.xml; between the two puts a client sees the
 * old repomd.xml with the new signature and refuses it until the second put lands.
 */
export const PAIRS_DIR = '.ovirt-repo/repomd';
const LIVE = `${PAIRS_DIR}/live`;
const XML_LINK = `../${LIVE}/repomd.xml`;
const ASC_LINK = `../${LIVE}/repomd.xml.asc`;

export interface NewRepomd {
  /** The new repomd.xml: a local file. */
  repomd: PutData;
  sha256: string;
  /** Its ASCII-armoured detached signature; undefined for an unsigned publish. */
  signature?: string;
}

/** Make `next` the live repomd.xml (with its signature, or with none), in one step where the target allows. */
export async function makeRepomdLive(target: SyncTarget, next: NewRepomd, dest: DestinationState, log: Logger): Promise<void> {
  if (isAtomicLinkCapable(target)) {
    await linkLayout(target, dest);
    const dir = `${PAIRS_DIR}/${next.sha256}`;
    // What a killed run left in this directory (a temp file, a signature by another key) goes with it,
    // unless it is live (the same repomd.xml published again: only the signature can change then).
    if ((await target.readLink(LIVE)) !== next.sha256 && (await target.stat(dir))) await target.remove(dir);
    if (next.signature !== undefined) await target.put(`${dir}/repomd.xml.asc`, next.signature);
    else if (await target.stat(`${dir}/repomd.xml.asc`)) await target.remove(`${dir}/repomd.xml.asc`);
    await target.put(`${dir}/repomd.xml`, next.repomd);
    log.debug('step: switch repomd.xml and its signature');
    await target.symlink(next.sha256, LIVE);
    return;
  }
  if (next.signature !== undefined) await target.put(REPOMD_ASC_PATH, next.signature);
  else if (dest.files.some((f) => f.path === REPOMD_ASC_PATH)) await target.remove(REPOMD_ASC_PATH);
  log.debug('step: replace repomd.xml');
  await target.put(REPOMD_PATH, next.repomd);
}

/**
 * Remove the directories of repomd.xml pairs that are not live (and temp names of a killed run): no URL
 * reaches them once `live` moved on, since clients read through the fixed links. `files`: the target's
 * listing after the switch.
 */
export async function removeStalePairs(target: SyncTarget, files: ReadonlyArray<{ path: string }>): Promise<number> {
  if (!isAtomicLinkCapable(target)) return 0;
  const live = await target.readLink(LIVE);
  if (live === undefined) return 0;
  const names = new Set(files.filter((f) => f.path.startsWith(`${PAIRS_DIR}/`)).map((f) => f.path.slice(PAIRS_DIR.length + 1).split('/')[0] ?? ''));
  const stale = [...names].filter((name) => name !== 'live' && name !== live);
  for (const name of stale) await target.remove(`${PAIRS_DIR}/${name}`);
  return stale.length;
}

/** Replace the signature of the live repomd.xml, which stays as it is: one atomic put either way. */
export async function replaceLiveSignature(target: SyncTarget, signature: string): Promise<void> {
  const live = isAtomicLinkCapable(target) && (await target.readLink(REPOMD_ASC_PATH)) === ASC_LINK ? await target.readLink(LIVE) : undefined;
  await target.put(live === undefined ? REPOMD_ASC_PATH : `${PAIRS_DIR}/${live}/repomd.xml.asc`, signature);
}

/**
 * Move a destination written as plain files (by an older ovirt-repo, or adopted) to the linked layout
 * without a moment of mismatch: the live pair is copied into its directory and `live` made first, then the
 * signature's path and repomd.xml's path become links that read exactly what they read before. A run
 * killed in between is finished by the next.
 */
async function linkLayout(target: SyncTarget & AtomicLinkCapable, dest: DestinationState): Promise<void> {
  const xml = await target.readLink(REPOMD_PATH);
  if (xml === XML_LINK && (await target.readLink(REPOMD_ASC_PATH)) === ASC_LINK) return;
  if (dest.live && xml !== XML_LINK) {
    const dir = `${PAIRS_DIR}/${dest.live.info.sha256}`;
    const signed = dest.files.some((f) => f.path === REPOMD_ASC_PATH);
    if (signed) await target.put(`${dir}/repomd.xml.asc`, await readTargetFile(target, REPOMD_ASC_PATH));
    await target.put(`${dir}/repomd.xml`, dest.live.bytes);
    await target.symlink(dest.live.info.sha256, LIVE);
  }
  await target.symlink(ASC_LINK, REPOMD_ASC_PATH);
  await target.symlink(XML_LINK, REPOMD_PATH);
}
