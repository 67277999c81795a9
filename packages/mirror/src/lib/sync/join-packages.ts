import {
  ErrorCodes,
  OvirtRepoError,
  readFilelists,
  readOther,
  readPrimary,
  type FilelistsPackage,
  type OtherPackage,
  type PackageRecord,
  type PrimaryPackage,
  parseFilelistsEntry,
  parseOtherEntry,
  parsePrimaryEntry,
  type PackageEntries,
  type DeferredPackage,
  type RenderedPackage,
} from '@ovirt-repo/core';
import type { Candidate } from './candidates.js';
import type { PreviousMetadata } from './previous-entries.js';
import { readOptionsOf, readVerifiedEntries, type MetadataFile } from './read-candidates.js';

/** The metadata of one origin (a source, or the previous snapshot) that pass 2 reads. */
export interface OriginMetadata {
  origin: number;
  primary: MetadataFile;
  /** primary.xml already parsed in pass 1 (in file order): used instead of reading the file again. */
  primaryRecords?: readonly PrimaryPackage[];
  /** primary.xml read by layout in pass 1: each package's entry by digest (see readCandidates). */
  primaryEntries?: ReadonlyMap<string, string>;
  filelists?: MetadataFile;
  other?: MetadataFile;
}

/** A package taken from the previous snapshot: its entries, or a promise of them (chunked metadata). */
type Reused = RenderedPackage | DeferredPackage;
export type Joined = PackageRecord | Reused;
/** A package, or a batch of them (writeRepodata takes both). */
export type JoinedItem = Joined | readonly Joined[];

/**
 * Reads a stream keyed by pkgid in step with primary.xml. createrepo_c writes the three files in the same
 * order, so this normally holds one package at a time; entries that arrive early (other generators) are
 * buffered, but only those of selected packages.
 */
class Follower<T extends { pkgid: string }> {
  private readonly it: AsyncIterator<T>;
  private readonly early = new Map<string, T>();
  private ended = false;

  constructor(
    iterable: AsyncIterable<T>,
    private readonly wanted: ReadonlySet<string>,
  ) {
    this.it = iterable[Symbol.asyncIterator]();
  }

  async take(pkgid: string): Promise<T | undefined> {
    const e = this.early.get(pkgid);
    if (e) {
      this.early.delete(pkgid);
      return e;
    }
    while (!this.ended) {
      const r = await this.it.next();
      if (r.done) {
        this.ended = true;
        break;
      }
      if (r.value.pkgid === pkgid) return r.value;
      if (this.wanted.has(r.value.pkgid)) this.early.set(r.value.pkgid, r.value);
    }
    return undefined;
  }

  /** Read to the end, so the file's checksum is verified and it is closed. */
  async finish(): Promise<void> {
    while (!this.ended) {
      const r = await this.it.next();
      if (r.done) this.ended = true;
    }
  }

  async abort(): Promise<void> {
    if (!this.ended) await this.it.return?.();
  }
}

/**
 * Pass 2 of a sync: the full records of the selected packages, origin by origin, each with its href moved
 * to the pool (`pool/<dd>/<digest>/<name>`) and its file list and changelogs joined from filelists/other.
 * A package the previous snapshot already listed comes as its entries there (`previous`), unparsed.
 * Streams: memory holds one package at a time (plus early arrivals), whatever the repo size.
 */
export async function* joinSelectedPackages(
  inputs: readonly OriginMetadata[],
  selected: readonly Candidate[],
  previous?: PreviousMetadata,
): AsyncGenerator<JoinedItem> {
  const byOrigin = new Map<number, Map<string, Candidate>>();
  for (const c of selected) {
    let m = byOrigin.get(c.origin);
    if (!m) byOrigin.set(c.origin, (m = new Map()));
    if (!m.has(c.digest)) m.set(c.digest, c);
  }
  const emitted = new Set<string>();
  for (const input of inputs) {
    const wanted = byOrigin.get(input.origin);
    if (!wanted || wanted.size === 0) continue;
    const reused = new Map<string, Reused>();
    for (const [digest, c] of wanted) {
      const entries = previous?.entriesOf(c);
      if (entries) reused.set(digest, entries);
    }
    yield* joinOrigin(input, wanted, reused, emitted);
  }
}

/** The selected packages of one origin from its own metadata, except those in `reused`. */
async function* joinOrigin(
  input: OriginMetadata,
  wanted: ReadonlyMap<string, Candidate>,
  reused: ReadonlyMap<string, Reused>,
  emitted: Set<string>,
): AsyncGenerator<JoinedItem> {
  const joined = await joinByEntries(input, wanted, reused);
  if (joined) {
    // One batch: in a deploy into a large repo this is every package, and yielding them one by one costs
    // an async round trip each.
    const batch: Joined[] = [];
    for (const [digest, c] of wanted) {
      const p = reused.get(digest) ?? joined.get(digest);
      if (!p || emitted.has(c.poolHref)) continue;
      emitted.add(c.poolHref);
      batch.push(p);
    }
    if (batch.length > 0) yield batch;
    return;
  }
  const keys = new Set([...wanted.keys()].filter((k) => !reused.has(k)));
  const files = input.filelists
    ? new Follower<FilelistsPackage>(readFilelists(input.filelists.path, readOptionsOf(input.filelists)), keys)
    : undefined;
  const other = input.other
    ? new Follower<OtherPackage>(readOther(input.other.path, readOptionsOf(input.other)), keys)
    : undefined;
  let found = 0;
  try {
    const primary: AsyncIterable<PrimaryPackage> | Iterable<PrimaryPackage> =
      input.primaryRecords ?? readPrimary(input.primary.path, readOptionsOf(input.primary));
    for await (const p of primary) {
      const digest = p.checksum.value.toLowerCase();
      const c = wanted.get(digest);
      if (!c || emitted.has(c.poolHref)) continue;
      emitted.add(c.poolHref);
      found++;
      const entries = reused.get(digest);
      if (entries) {
        yield entries;
        continue;
      }
      const fl = files && input.filelists ? await files.take(digest) : undefined;
      if (files && input.filelists && !fl) throw missingIn(input.filelists, c);
      const ot = other && input.other ? await other.take(digest) : undefined;
      if (other && input.other && !ot) throw missingIn(input.other, c);
      yield {
        ...p,
        location: { href: c.poolHref },
        files: fl ? fl.files : p.files,
        changelogs: ot ? ot.changelogs : [],
      };
    }
    await files?.finish();
    await other?.finish();
  } catch (e) {
    await files?.abort().catch(() => undefined);
    await other?.abort().catch(() => undefined);
    throw e;
  }
  if (found !== wanted.size) {
    throw new OvirtRepoError(ErrorCodes.REPODATA_INVALID, `${input.primary.display} changed while it was synced (${wanted.size - found} selected packages vanished)`, {
      target: input.primary.display,
      hint: 'the source was regenerated during the sync; run it again',
    });
  }
}

/** Above this share of an origin's packages to parse, streaming its files is cheaper than entry by entry. */
const MAX_PARSED_ALONE = 0.25;

/**
 * The records of the packages of `wanted` that `reused` lacks, each parsed from its own entries of
 * primary, filelists and other (the files split by layout). For the usual re-sync, where nearly every
 * package comes from the previous snapshot, this parses a handful of entries instead of three files; when
 * `reused` has them all, nothing of the origin is read. undefined when most packages are needed (streaming
 * the files is cheaper then), pass 1 did not read primary by layout, or a file has another layout; the
 * caller then streams the files.
 */
async function joinByEntries(
  input: OriginMetadata,
  wanted: ReadonlyMap<string, Candidate>,
  reused: ReadonlyMap<string, Reused>,
): Promise<Map<string, PackageRecord> | undefined> {
  const needed = [...wanted.values()].filter((c) => !reused.has(c.digest));
  const out = new Map<string, PackageRecord>();
  if (needed.length === 0) return out;
  const primary = input.primaryEntries;
  if (!primary || needed.length > Math.max(8, wanted.size * MAX_PARSED_ALONE)) return undefined;
  const filelists = input.filelists ? await entriesOf(input.filelists, 'filelists') : undefined;
  const other = input.other ? await entriesOf(input.other, 'other') : undefined;
  if ((input.filelists && !filelists) || (input.other && !other)) return undefined;
  for (const c of needed) {
    const entry = primary.get(c.digest);
    if (entry === undefined) return undefined;
    const p = await parsePrimaryEntry(entry, input.primary.display);
    const fl = filelists?.get(c.digest);
    const ot = other?.get(c.digest);
    // Not found by its exact pkgid text: streaming the files finds it, or reports it missing.
    if ((filelists && fl === undefined) || (other && ot === undefined)) return undefined;
    out.set(c.digest, {
      ...p,
      location: { href: c.poolHref },
      files: fl !== undefined && input.filelists ? (await parseFilelistsEntry(fl, input.filelists.display)).files : p.files,
      changelogs: ot !== undefined && input.other ? (await parseOtherEntry(ot, input.other.display)).changelogs : [],
    });
  }
  return out;
}

/** A filelists or other file split into entries by pkgid, verified; undefined for another layout. */
function entriesOf(file: MetadataFile, type: 'filelists' | 'other'): Promise<PackageEntries | undefined> {
  return readVerifiedEntries(file, type);
}

function missingIn(file: MetadataFile, c: Candidate): OvirtRepoError {
  return new OvirtRepoError(ErrorCodes.REPODATA_INVALID, `${file.display} has no entry for ${c.name}-${c.version}-${c.release}.${c.arch} (pkgid ${c.digest})`, {
    target: file.display,
    hint: 'the source metadata is inconsistent; regenerate it with createrepo_c',
  });
}
