import { closeSync, openSync, readSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import {
  ErrorCodes,
  OvirtRepoError,
  ioError,
  makeDirectory,
  readFilelists,
  readOther,
  readPrimary,
  renderPackage,
  type FilelistsPackage,
  type OtherPackage,
  type RenderedPackage,
} from '@ovirt-repo/core';
import type { SyncContext } from '../context.js';
import type { Incoming } from '../read-incoming.js';
import { findRecord, obtainMetadataFile } from '../read-incoming/metadata-files.js';
import { readOptionsOf, type MetadataFile } from '../read-incoming/read-candidates.js';
import type { Candidate } from '../shared/candidates.js';
import { at, settleAll } from '../shared/settle-all.js';
import type { WorkArea } from '../shared/work-area.js';

/**
 * The entries of the packages the new snapshot takes from the sources, read once (pass 2) and kept on
 * disk in the sync's work area until the writer asks for them, in its order: memory holds one package
 * at a time (plus early arrivals, see Follower), whatever the repo size.
 */
export interface SourceEntries {
  /** The entries of `c`, with its href moved to the pool. */
  entryOf(c: Candidate): RenderedPackage;
  close(): void;
}

/**
 * Pass 2 over the sources that offer `wanted` packages: primary.xml again, with filelists and other joined
 * by pkgid, each wanted package rendered as the snapshot lists it (href `pool/<dd>/<digest>/<name>`).
 */
export async function readSourceEntries(ctx: SyncContext, incoming: Incoming, wanted: readonly Candidate[], area: WorkArea): Promise<SourceEntries> {
  const spool = await Spool.create(join(area.dir, 'entries'));
  try {
    const byOrigin = new Map<number, Map<string, Candidate>>();
    for (const c of wanted) {
      let m = byOrigin.get(c.origin);
      if (!m) byOrigin.set(c.origin, (m = new Map()));
      m.set(c.digest, c);
    }
    const files = await settleAll(
      incoming.fetched.map(async ({ source, repomd }, i) => {
        if (!byOrigin.has(source.index)) return undefined;
        const get = async (type: 'filelists' | 'other') => {
          const r = findRecord(repomd, type);
          return r && obtainMetadataFile(source.location, r, ctx.client, area.dir, `s${source.index}`, ctx.options.maxMetadataSize);
        };
        return { origin: source.index, primary: at(incoming.primaries, i), filelists: await get('filelists'), other: await get('other') };
      }),
    );
    for (const f of files) if (f) await joinOrigin(f, byOrigin.get(f.origin) as Map<string, Candidate>, spool);
    return spool;
  } catch (e) {
    spool.close();
    throw e;
  }
}

/** One source's wanted packages from its own metadata, into the spool. */
async function joinOrigin(input: { primary: MetadataFile; filelists?: MetadataFile; other?: MetadataFile }, wanted: ReadonlyMap<string, Candidate>, spool: Spool): Promise<void> {
  const keys = new Set(wanted.keys());
  const files = input.filelists ? new Follower<FilelistsPackage>(readFilelists(input.filelists.path, readOptionsOf(input.filelists)), keys) : undefined;
  const other = input.other ? new Follower<OtherPackage>(readOther(input.other.path, readOptionsOf(input.other)), keys) : undefined;
  const found = new Set<string>();
  try {
    for await (const p of readPrimary(input.primary.path, readOptionsOf(input.primary))) {
      const digest = p.checksum.value.toLowerCase();
      const c = wanted.get(digest);
      if (!c || found.has(digest)) continue;
      found.add(digest);
      const fl = files && (await files.take(digest));
      if (input.filelists && !fl) throw missingIn(input.filelists, c);
      const ot = other && (await other.take(digest));
      if (input.other && !ot) throw missingIn(input.other, c);
      spool.add(c.poolHref, renderPackage({ ...p, location: { href: c.poolHref }, files: fl ? fl.files : p.files, changelogs: ot ? ot.changelogs : [] }));
    }
    await files?.finish();
    await other?.finish();
  } catch (e) {
    await files?.abort().catch(() => undefined);
    await other?.abort().catch(() => undefined);
    throw e;
  }
  if (found.size !== wanted.size) {
    throw new OvirtRepoError(ErrorCodes.REPODATA_INVALID, `${input.primary.display} changed while it was synced (${wanted.size - found.size} selected packages vanished)`, {
      target: input.primary.display,
      hint: 'the source was regenerated during the sync; run it again',
    });
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

/** Rendered entries appended to a file, read back by key. */
class Spool implements SourceEntries {
  private readonly places = new Map<string, { offset: number; lengths: [number, number, number] }>();
  private size = 0;

  private constructor(
    private readonly path: string,
    private readonly fd: number,
  ) {}

  static async create(path: string): Promise<Spool> {
    try {
      await makeDirectory(join(path, '..'));
      return new Spool(path, openSync(path, 'wx+'));
    } catch (e) {
      throw ioError('create', path, e);
    }
  }

  add(key: string, p: RenderedPackage): void {
    const parts = [p.rendered.primary, p.rendered.filelists, p.rendered.other].map((t) => Buffer.from(t, 'utf8'));
    const bytes = Buffer.concat(parts);
    try {
      for (let done = 0; done < bytes.length; ) done += writeSync(this.fd, bytes, done, bytes.length - done, this.size + done);
    } catch (e) {
      throw ioError('write', this.path, e);
    }
    this.places.set(key, { offset: this.size, lengths: parts.map((b) => b.length) as [number, number, number] });
    this.size += bytes.length;
  }

  entryOf(c: Candidate): RenderedPackage {
    const place = this.places.get(c.poolHref);
    if (!place) throw new OvirtRepoError(ErrorCodes.INTERNAL, `internal: no entries read for ${c.poolHref}`);
    const [a, b, d] = place.lengths;
    const bytes = Buffer.allocUnsafe(a + b + d);
    try {
      for (let done = 0; done < bytes.length; ) {
        const n = readSync(this.fd, bytes, done, bytes.length - done, place.offset + done);
        if (n === 0) throw new Error('the file is shorter than written');
        done += n;
      }
    } catch (e) {
      throw ioError('read', this.path, e);
    }
    return { key: c.poolHref, rendered: { primary: bytes.toString('utf8', 0, a), filelists: bytes.toString('utf8', a, a + b), other: bytes.toString('utf8', a + b) } };
  }

  close(): void {
    closeSync(this.fd);
  }
}
