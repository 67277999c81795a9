import { ErrorCodes, OvirtRepoError, readFilelists, readOther, renderPackage, type FilelistsPackage, type OtherPackage, type RenderedPackage } from '@ovirt-repo/core';
import type { SyncContext } from '../context.js';
import type { Incoming } from '../read-incoming.js';
import { findRecord, obtainMetadataFile } from '../read-incoming/metadata-files.js';
import { readOptionsOf, type MetadataFile, type PrimaryRecords } from '../read-incoming/read-candidates.js';
import type { Candidate } from '../shared/candidates.js';
import { settleAll } from '../shared/settle-all.js';
import type { Spool } from '../shared/spool.js';
import { spoolIn, type WorkArea } from '../shared/work-area.js';

/**
 * The entries of the packages the new snapshot takes from the sources, made once (pass 2) and kept on
 * disk in the sync's work area until the writer asks for them, in its order: memory holds one package
 * at a time (plus early arrivals, see Follower), whatever the repo size.
 */
export interface SourceEntries {
  /** The entries of `c`, with its href moved to the pool. */
  entryOf(c: Candidate): RenderedPackage;
}

/**
 * Pass 2 over the sources that offer `wanted` packages: each one's primary record as pass 1 kept it,
 * joined by pkgid with its filelists and other entries (of which nothing is made for the other packages),
 * rendered as the snapshot lists it (href `pool/<dd>/<digest>/<name>`).
 */
export async function readSourceEntries(ctx: SyncContext, incoming: Incoming, wanted: readonly Candidate[], area: WorkArea): Promise<SourceEntries> {
  const spool = await spoolIn(area, 'entries');
  const byOrigin = new Map<number, Map<string, Candidate>>();
  for (const c of wanted) {
    let m = byOrigin.get(c.origin);
    if (!m) byOrigin.set(c.origin, (m = new Map()));
    m.set(c.digest, c);
  }
  const files = await settleAll(
    incoming.fetched.map(async ({ source, repomd }) => {
      if (!byOrigin.has(source.index)) return undefined;
      const get = async (type: 'filelists' | 'other') => {
        const r = findRecord(repomd, type);
        return r && obtainMetadataFile(source.location, r, ctx.client, area.dir, `s${source.index}`, ctx.options.maxMetadataSize);
      };
      return { origin: source.index, filelists: await get('filelists'), other: await get('other') };
    }),
  );
  for (const f of files) {
    if (!f) continue;
    const ofOrigin = byOrigin.get(f.origin) as Map<string, Candidate>;
    // In the order of primary.xml, which filelists and other normally follow (see Follower).
    const order = incoming.candidates.filter((c) => c.origin === f.origin && ofOrigin.has(c.digest));
    await joinOrigin(f, ofOrigin, order, incoming.records, spool);
  }
  return {
    entryOf: (c) => {
      const [primary, filelists, other] = spool.get(c.poolHref, 'entries read') as [string, string, string];
      return { key: c.poolHref, rendered: { primary, filelists, other } };
    },
  };
}

/** One source's wanted packages (`order`: their candidates in its primary.xml's order), into the spool. */
async function joinOrigin(
  input: { filelists?: MetadataFile; other?: MetadataFile },
  wanted: ReadonlyMap<string, Candidate>,
  order: readonly Candidate[],
  records: PrimaryRecords,
  spool: Spool,
): Promise<void> {
  const pkgids = new Set(wanted.keys());
  const files = input.filelists ? new Follower<FilelistsPackage>(readFilelists(input.filelists.path, { ...readOptionsOf(input.filelists), pkgids }), pkgids) : undefined;
  const other = input.other ? new Follower<OtherPackage>(readOther(input.other.path, { ...readOptionsOf(input.other), pkgids }), pkgids) : undefined;
  const found = new Set<string>();
  try {
    for (const { digest } of order) {
      const c = wanted.get(digest) as Candidate;
      if (found.has(digest)) continue;
      found.add(digest);
      const p = records.recordOf(c);
      const fl = files && (await files.take(digest));
      if (input.filelists && !fl) throw missingIn(input.filelists, c);
      const ot = other && (await other.take(digest));
      if (input.other && !ot) throw missingIn(input.other, c);
      const { rendered } = renderPackage({ ...p, location: { href: c.poolHref }, files: fl ? fl.files : p.files, changelogs: ot ? ot.changelogs : [] });
      spool.add(c.poolHref, [rendered.primary, rendered.filelists, rendered.other]);
    }
    await files?.finish();
    await other?.finish();
  } catch (e) {
    await files?.abort().catch(() => undefined);
    await other?.abort().catch(() => undefined);
    throw e;
  }
}

function missingIn(file: MetadataFile, c: Candidate): OvirtRepoError {
  return new OvirtRepoError(ErrorCodes.REPODATA_INVALID, `${file.display} has no entry for ${c.name}-${c.version}-${c.release}.${c.arch} (pkgid ${c.digest})`, {
    target: file.display,
    hint: 'the source metadata is inconsistent; regenerate it with createrepo_c',
  });
}

/**
 * Reads a stream keyed by pkgid in step with primary.xml. createrepo_c writes the three files in the same
 * order, so this normally holds one package at a time; entries that arrive early (other generators) are
 * buffered, but only those of wanted packages.
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
