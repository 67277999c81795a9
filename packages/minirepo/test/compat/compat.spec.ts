// Compatibility with the real client (issue 2, item 4): for the same RPMs, what dnf sees in a repo made by
// `minirepo create` must equal what it sees in a repo made by createrepo_c. createrepo_c and dnf (python3-dnf,
// through dnf-dump.py) are the oracle; nothing here hard-codes expected metadata.
//
// The corpus (spec-corpus.ts, corpus.ts) is built with rpmbuild and alien once and cached under
// os.tmpdir()/ovirt-repo-compat-cache; delete that directory to force a rebuild.
import { execFile } from 'node:child_process';
import { mkdir, readFile, readdir, rename } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { promisify } from 'node:util';
import { gunzipSync } from 'node:zlib';
import {
  listPackageEntries,
  parseFilelistsEntry,
  parseOtherEntry,
  parsePrimaryEntry,
  readFilelists,
  readOther,
  readPrimary,
  splitPackageEntries,
  summarizePrimaryEntry,
} from '@ovirt-repo/core';
import { describeWithTools, hasTool, inCI, makeTempDir } from '@ovirt-repo/test-support';
import type { CreateMiniRepoOptions } from '../../src/lib/create-mini-repo.js';
import { assembleCorpus, copyCorpus, type CorpusLayout } from './corpus.js';
import { diffDnfViews, diffMetadata, formatDifference, type Difference } from './diff.js';
import { canonicalMetadata, dnfView, type CanonicalMetadata, type DnfPackage } from './dnf-view.js';

const run = promisify(execFile);

type OurOptions = Omit<CreateMiniRepoOptions, 'dir'>;

interface Variant {
  label: string;
  createrepo: string[];
  ours: OurOptions;
  /** The metadata file ending our repo must use, so a variant cannot silently fall back to the default. */
  ending: string;
  checksumType: string;
}

const VARIANTS: Variant[] = [
  { label: 'defaults (gz, sha256, changelog limit 10)', createrepo: [], ours: {}, ending: '.gz', checksumType: 'sha256' },
  { label: 'xz compression', createrepo: ['--general-compress-type', 'xz'], ours: { compression: 'xz' }, ending: '.xz', checksumType: 'sha256' },
  // createrepo_c 0.17 cannot write zstd; dnf's view does not depend on the compression, so our zstd repo is
  // compared with createrepo_c's zstd repo when it can make one, else with its gz repo.
  { label: 'zstd compression', createrepo: ['--general-compress-type', 'zstd'], ours: { compression: 'zstd' }, ending: '.zst', checksumType: 'sha256' },
  { label: 'sha512 checksums', createrepo: ['--checksum', 'sha512'], ours: { checksumType: 'sha512' }, ending: '.gz', checksumType: 'sha512' },
  { label: 'changelog limit 3', createrepo: ['--changelog-limit', '3'], ours: { changelogLimit: 3 }, ending: '.gz', checksumType: 'sha256' },
  { label: 'changelog limit 0', createrepo: ['--changelog-limit', '0'], ours: { changelogLimit: 0 }, ending: '.gz', checksumType: 'sha256' },
  { label: 'changelog limit -1 (all)', createrepo: ['--changelog-limit', '-1'], ours: { changelogLimit: -1 }, ending: '.gz', checksumType: 'sha256' },
];

function report(title: string, diffs: Difference[]): string[] {
  return diffs.map((d) => `${title}: ${formatDifference(d)}`);
}

describeWithTools(['rpmbuild', 'createrepo_c', 'python3', 'alien'], 'minirepo create: dnf sees the same as in a createrepo_c repo', () => {
  let tmp: { dir: string; cleanup: () => Promise<void> };
  let corpusDir: string;
  let corpus: CorpusLayout;
  const repos = new Map<string, Promise<string>>();
  const views = new Map<string, Promise<DnfPackage[]>>();
  const metadata = new Map<string, Promise<CanonicalMetadata>>();

  beforeAll(async () => {
    tmp = await makeTempDir('ovirt-repo-compat-');
    corpusDir = join(tmp.dir, 'corpus');
    const started = Date.now();
    corpus = await assembleCorpus(corpusDir);
    process.stderr.write(
      `compat corpus: ${corpus.rpms.length} RPMs in ${Date.now() - started} ms; real-world .deb source: ${corpus.realWorld.source} ` +
        `(${corpus.realWorld.debs.join(', ') || 'none'}); local real RPMs: ${corpus.localRpms.length}\n`,
    );
  }, 300_000);

  afterAll(async () => {
    await tmp?.cleanup();
  });

  /** A fresh copy of the corpus with createrepo_c's repodata (memoised per argument list). */
  function createrepoRepo(args: string[]): Promise<string> {
    const key = `createrepo_c ${args.join(' ')}`;
    let repo = repos.get(key);
    if (!repo) {
      repo = (async () => {
        const dir = join(tmp.dir, `createrepo-${repos.size}`);
        await copyCorpus(corpusDir, dir);
        await run('createrepo_c', ['--no-database', '--quiet', ...args, dir], { maxBuffer: 64 * 1024 * 1024 });
        return dir;
      })();
      repos.set(key, repo);
    }
    return repo;
  }

  /** createrepo_c's repo for a variant; when createrepo_c lacks the variant's compression, its default repo. */
  async function theirRepo(variant: Variant): Promise<string> {
    try {
      return await createrepoRepo(variant.createrepo);
    } catch (e) {
      const stderr = String((e as { stderr?: string }).stderr ?? '');
      if (variant.ending === '.zst' && /compression/i.test(stderr)) return createrepoRepo([]);
      throw e;
    }
  }

  /** A fresh copy of the corpus with repodata from our createMiniRepo (memoised per options). */
  function ourRepo(options: OurOptions): Promise<string> {
    const key = `ours ${JSON.stringify(options)}`;
    let repo = repos.get(key);
    if (!repo) {
      repo = (async () => {
        const dir = join(tmp.dir, `ours-${repos.size}`);
        await copyCorpus(corpusDir, dir);
        // Imported here so the harness checks above run even while the library does not build.
        const { createMiniRepo } = await import('../../src/lib/create-mini-repo.js');
        await createMiniRepo({ dir, revision: '1700000000', ...options });
        return dir;
      })();
      repos.set(key, repo);
    }
    return repo;
  }

  function view(dir: string): Promise<DnfPackage[]> {
    let v = views.get(dir);
    if (!v) views.set(dir, (v = dnfView(dir)));
    return v;
  }

  function meta(dir: string): Promise<CanonicalMetadata> {
    let m = metadata.get(dir);
    if (!m) metadata.set(dir, (m = canonicalMetadata(dir)));
    return m;
  }

  describe('harness', () => {
    it('has a corpus with every kind of package the comparison needs', async () => {
      const rpms = corpus.rpms;
      expect(rpms.some((r) => r.endsWith('.src.rpm'))).toBe(true);
      expect(rpms.some((r) => r.endsWith('.noarch.rpm'))).toBe(true);
      expect(rpms.some((r) => r.endsWith('.x86_64.rpm') && r.startsWith('RPMS/'))).toBe(true);
      const alien = rpms.filter((r) => r.startsWith('alien/'));
      const warnings = [
        alien.length < 3 && `only ${alien.length} real-world (alien) packages; .deb source: ${corpus.realWorld.source}`,
        !corpus.signed && 'no signed package in the corpus (needs gpg and rpmsign)',
      ].filter((w): w is string => !!w);
      if (warnings.length > 0) {
        if (inCI()) throw new Error(warnings.join('; '));
        process.stderr.write(`\n[WARNING] compat corpus: ${warnings.join('; ')}\n`);
      }

      // What dnf sees must actually exercise each feature, or the comparison would prove little.
      const pkgs = await view(await createrepoRepo([]));
      expect(pkgs.length).toBe(rpms.length);
      const some = (pred: (p: DnfPackage) => boolean): boolean => pkgs.some(pred);
      const list = (p: DnfPackage, k: string): string[] => (p[k] as string[] | undefined) ?? [];
      const coverage: Record<string, boolean> = {
        'epoch > 0': some((p) => p.epoch > 0),
        'source package': some((p) => p.arch === 'src'),
        'arch-specific package': some((p) => p.arch === 'x86_64'),
        'package without files': some((p) => p.arch !== 'src' && list(p, 'files').length === 0),
        'package with >= 3000 files': some((p) => list(p, 'files').length >= 3000),
        'requires_pre': some((p) => list(p, 'requires_pre').length > 0),
        'rich dependency': some((p) => list(p, 'requires').some((d) => d.startsWith('('))),
        'conflicts': some((p) => list(p, 'conflicts').length > 0),
        'obsoletes': some((p) => list(p, 'obsoletes').length > 0),
        'recommends': some((p) => list(p, 'recommends').length > 0),
        'suggests': some((p) => list(p, 'suggests').length > 0),
        'supplements': some((p) => list(p, 'supplements').length > 0),
        'enhances': some((p) => list(p, 'enhances').length > 0),
        'changelogs': some((p) => (p.changelogs as unknown[]).length > 1),
        'carriage return in a description': some((p) => String(p.description).includes('\r')),
        'file name with a space': some((p) => list(p, 'files').some((f) => f.includes(' '))),
        'file name with < > &': some((p) => list(p, 'files').some((f) => /[<>&]/.test(f))),
        'non-ASCII file name': some((p) => list(p, 'files').some((f) => /[^\x20-\x7e]/.test(f))),
        'non-ASCII summary': some((p) => /[^\x20-\x7e]/.test(String(p.summary))),
        'empty vendor or URL': some((p) => !p.vendor || !p.url),
        'vendor and URL set': some((p) => !!p.vendor && !!p.url),
        'two packages sharing a file name': new Set(pkgs.map((p) => basename(p.location))).size < pkgs.length,
      };
      expect(Object.entries(coverage).filter(([, ok]) => !ok).map(([what]) => what)).toEqual([]);
    });

    it('sees no difference between two createrepo_c repos of the same RPMs, and reports a planted one', async () => {
      const a = await view(await createrepoRepo([]));
      const b = await view(await createrepoRepo(['--general-compress-type', 'xz', '--workers', '1']));
      expect(report('createrepo_c gz vs xz', diffDnfViews(a, b))).toEqual([]);

      const planted = structuredClone(a);
      const victim = planted.find((p) => (p.requires as string[]).length > 1)!;
      (victim.requires as string[]).reverse();
      victim.summary = `${String(victim.summary)}!`;
      const found = diffDnfViews(planted, a).map((d) => d.path);
      expect(found).toEqual(expect.arrayContaining(['summary', expect.stringMatching(/^requires \(same entries, different order/)]));
    });

    it('reads the raw documents of two createrepo_c repos as byte-identical, and reports a planted difference', async () => {
      const a = await meta(await createrepoRepo([]));
      const b = await meta(await createrepoRepo(['--general-compress-type', 'xz', '--workers', '1']));
      expect(a.files.primary!.packages.length).toBe(corpus.rpms.length);
      expect(report('createrepo_c gz vs xz', diffMetadata(a, b, 'raw'))).toEqual([]);

      const planted = structuredClone(a);
      const pkg = planted.files.filelists!.packages.find((p) => p.raw.includes('type="dir"'))!;
      pkg.raw = pkg.raw.replace('type="dir"', 'type="ghost"');
      pkg.c14n = pkg.c14n.replace('type="dir"', 'type="ghost"');
      for (const level of ['raw', 'c14n'] as const) {
        expect(diffMetadata(planted, a, level).map((d) => d.where)).toEqual([`filelists ${pkg.key}`]);
      }
    });
  });

  describe('dnf view equality (the requirement)', () => {
    it.each(VARIANTS)('$label', async (variant) => {
      const theirs = await view(await theirRepo(variant));
      const ourDir = await ourRepo(variant.ours);
      const hrefs = (await readdir(join(ourDir, 'repodata'))).filter((f) => /(primary|filelists|other)\.xml/.test(f));
      expect(hrefs.length).toBe(3);
      expect(hrefs.filter((f) => !f.endsWith(variant.ending))).toEqual([]);
      const ours = await view(ourDir);
      expect(report(variant.label, diffDnfViews(ours, theirs))).toEqual([]);
      for (const p of ours) expect((p.chksum as string[])[0]).toBe(variant.checksumType);
    });
  });

  // --update reads the previous metadata back and reuses the entries of unchanged files: every field must
  // survive that round trip. The first run lacks two packages, so the update both reuses and reads anew.
  it('dnf view equality after an --update run that reuses entries and adds packages', async () => {
    const { createMiniRepo } = await import('../../src/lib/create-mini-repo.js');
    const dir = join(tmp.dir, 'ours-update');
    await copyCorpus(corpusDir, dir);
    const held = join(tmp.dir, 'held-back');
    const late = corpus.rpms.filter((r) => /^(RPMS\/noarch\/compat-many-|alien\/zstd-|alien\/cpio-)/.test(r)).slice(0, 2);
    expect(late.length).toBeGreaterThan(0);
    for (const rel of late) {
      await mkdir(join(held, rel, '..'), { recursive: true });
      await rename(join(dir, rel), join(held, rel));
    }
    await createMiniRepo({ dir, revision: '1700000000' });
    await copyCorpus(held, dir);
    const result = await createMiniRepo({ dir, update: true, revision: '1700000001', workers: 1 });
    expect({ packages: result.packages, reused: result.reused }).toEqual({ packages: corpus.rpms.length, reused: corpus.rpms.length - late.length });
    const theirs = await view(await createrepoRepo([]));
    expect(report('--update', diffDnfViews(await view(dir), theirs))).toEqual([]);
    const raw = diffMetadata(await canonicalMetadata(dir), await meta(await createrepoRepo([])), 'raw');
    expect(report('--update raw', raw)).toEqual([]);
  });

  // Stretch goal: the decompressed documents themselves. Separate from the requirement above so a formatting
  // difference dnf does not see is reported without hiding the dnf result.
  describe('raw metadata equality (stretch goal)', () => {
    // The decompressed documents do not depend on the compression, so every variant is compared (zstd ones
    // need the zstd tool to decompress).
    // (In CI the zstd tool is there, so every variant is compared.)
    const raw = VARIANTS.filter((v) => v.ending !== '.zst' || hasTool('zstd') || inCI());

    it.each(raw)('same XML infoset per package, ignoring attribute order and whitespace: $label', async (variant) => {
      const theirs = await meta(await theirRepo(variant));
      const ours = await meta(await ourRepo(variant.ours));
      expect(report(variant.label, diffMetadata(ours, theirs, 'c14n'))).toEqual([]);
    });

    it.each(raw)('byte-identical primary, filelists and other after decompression: $label', async (variant) => {
      const theirs = await meta(await theirRepo(variant));
      const ours = await meta(await ourRepo(variant.ours));
      expect(report(variant.label, diffMetadata(ours, theirs, 'raw'))).toEqual([]);
      // Equal documents must give equal open-checksums and open-sizes in repomd.xml.
      const pick = (m: CanonicalMetadata): Record<string, unknown> =>
        Object.fromEntries(
          ['primary', 'filelists', 'other'].map((k) => [k, { openChecksum: m.repomd[k]?.openChecksum, openSize: m.repomd[k]?.openSize }]),
        );
      expect(pick(ours)).toEqual(pick(theirs));
    });
  });

  // The mirror's fast path reads createrepo_c's primary, filelists and other by their layout instead of with
  // the XML readers; on this corpus (escapes, epochs, non-ASCII, thousands of files) it must read the same.
  it('reads createrepo_c metadata by its layout exactly as the XML readers do', async () => {
    const repodata = join(await theirRepo(VARIANTS[0]!), 'repodata');
    const names = await readdir(repodata);
    const file = (type: string) => join(repodata, names.find((n) => n.endsWith(`-${type}.xml.gz`)) ?? 'missing');
    const text = async (type: string) => gunzipSync(await readFile(file(type))).toString('utf8');
    const entries = listPackageEntries('primary', await text('primary'));
    const parsed = [];
    for await (const p of readPrimary(file('primary'))) parsed.push(p);
    expect(parsed.length).toBeGreaterThan(20);
    expect(entries?.length).toBe(parsed.length);
    for (const [i, entry] of (entries ?? []).entries()) {
      const p = parsed[i]!;
      expect(summarizePrimaryEntry(entry)).toEqual({
        name: p.name,
        arch: p.arch,
        epoch: p.epoch,
        version: p.version,
        release: p.release,
        checksum: p.checksum,
        size: { package: p.size.package },
        time: { file: p.time.file },
        location: p.location,
      });
      expect(await parsePrimaryEntry(entry, 'entry')).toEqual(p);
    }
    const filelists = splitPackageEntries('filelists', await text('filelists'));
    for await (const f of readFilelists(file('filelists'))) expect(await parseFilelistsEntry(filelists?.get(f.pkgid) ?? '', 'entry')).toEqual(f);
    const other = splitPackageEntries('other', await text('other'));
    for await (const o of readOther(file('other'))) expect(await parseOtherEntry(other?.get(o.pkgid) ?? '', 'entry')).toEqual(o);
  });

  // Packages createrepo_c leaves out of the metadata (control characters XML 1.0 cannot carry): the repo dnf
  // sees must be the same, i.e. without them. Compared apart from the main corpus so a different choice here
  // (failing the run instead) does not hide the main comparison.
  it('leaves out, as createrepo_c does, a package whose text XML cannot carry', async () => {
    const base = join(tmp.dir, 'unusual');
    await copyCorpus(corpus.unusualDir, base);
    const plain = corpus.rpms.find((r) => basename(r).startsWith('compat-plain-') && r.startsWith('RPMS/'))!;
    await copyCorpus(join(corpusDir, plain, '..'), join(base, 'plain'));
    const theirDir = join(tmp.dir, 'unusual-createrepo');
    const ourDir = join(tmp.dir, 'unusual-ours');
    await copyCorpus(base, theirDir);
    await copyCorpus(base, ourDir);
    await run('createrepo_c', ['--no-database', '--quiet', theirDir]).catch((e: { stderr?: string }) => {
      if (!/control chars/i.test(String(e.stderr))) throw e;
    });
    const theirs = await view(theirDir);
    expect(theirs.length).toBeGreaterThan(0);
    const { createMiniRepo } = await import('../../src/lib/create-mini-repo.js');
    const result = await createMiniRepo({ dir: ourDir, revision: '1700000000' });
    expect(result.skipped.map((p) => basename(p.path))).toEqual(expect.arrayContaining([expect.stringMatching(/^compat-control-/)]));
    expect(report('unusual packages', diffDnfViews(await view(ourDir), theirs))).toEqual([]);
  });
});
