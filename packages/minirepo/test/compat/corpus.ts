// Builds (or reuses from the cache) the RPM corpus of the compatibility suite and lays it out as a repo.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cp, mkdir, mkdtemp, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join, relative } from 'node:path';
import { promisify } from 'node:util';
import { SPEC_CORPUS_VERSION, specCorpus, type SpecFile } from './spec-corpus.js';

const run = promisify(execFile);

/** Where built corpora are cached between runs: os.tmpdir()/ovirt-repo-compat-cache/<kind>-<hash>. */
export const CACHE_ROOT = join(tmpdir(), 'ovirt-repo-compat-cache');

/** Debian packages converted with alien: small, varied (scripts, shared library, docs, locales, symlinks). */
export const DEBIAN_PACKAGES = ['hostname', 'cpio', 'jq', 'libjq1', 'libzstd1', 'zstd'];

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}

/** Every *.rpm below dir (relative paths, sorted). */
export async function listRpms(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile() && e.name.endsWith('.rpm'))
    .map((e) => relative(dir, join(e.parentPath, e.name)))
    .sort();
}

async function toolVersion(cmd: string, args: string[]): Promise<string> {
  try {
    const { stdout } = await run(cmd, args);
    return stdout.trim();
  } catch {
    return `${cmd}: unknown`;
  }
}

/**
 * Fill `key`'s cache directory with `build(dir)` unless it is already there. The build happens aside and
 * is renamed into place, so a killed run never leaves a half-built corpus behind.
 */
async function cached(kind: string, key: string, build: (dir: string) => Promise<void>): Promise<string> {
  const hash = createHash('sha256').update(key).digest('hex').slice(0, 20);
  const target = join(CACHE_ROOT, `${kind}-${hash}`);
  if (await exists(target)) return target;
  await mkdir(CACHE_ROOT, { recursive: true });
  const staging = await mkdtemp(join(CACHE_ROOT, `.${kind}-building-`));
  try {
    await build(staging);
    await writeFile(join(staging, 'cache-key.txt'), key);
    try {
      await rename(staging, target);
    } catch (e) {
      // A concurrent run won the race: use its copy.
      if (!(await exists(target))) throw e;
    }
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
  // Corpora of earlier spec versions are dead weight: remove them.
  for (const old of await readdir(CACHE_ROOT)) {
    if (old.startsWith(`${kind}-`) && join(CACHE_ROOT, old) !== target) await rm(join(CACHE_ROOT, old), { recursive: true, force: true });
  }
  return target;
}

async function rpmbuild(spec: SpecFile, specPath: string, topdir: string): Promise<void> {
  const defines = Object.entries({ _topdir: topdir, _build_id_links: 'none', ...spec.defines }).flatMap(([k, v]) => ['--define', `${k} ${v}`]);
  try {
    await run('rpmbuild', ['-ba', '--nodeps', ...defines, specPath], {
      maxBuffer: 64 * 1024 * 1024,
      env: { ...process.env, LC_ALL: 'C.UTF-8' },
    });
  } catch (e) {
    const err = e as Error & { stderr?: string };
    throw new Error(`rpmbuild ${basename(specPath)} failed: ${err.message}\n${(err.stderr ?? '').slice(-4000)}`);
  }
}

/**
 * A signed copy of `rpm` in `into` (signatures change the signature header, so the header range), signed
 * with a throwaway key made in a temporary GNUPGHOME. Returns false when gpg or rpmsign is missing.
 */
async function signedCopy(rpm: string, into: string, scratch: string): Promise<boolean> {
  const gpg = await run('sh', ['-c', 'command -v gpg']).then((r) => r.stdout.trim(), () => '');
  const rpmsign = await run('sh', ['-c', 'command -v rpmsign']).then((r) => r.stdout.trim(), () => '');
  if (!gpg || !rpmsign) return false;
  const home = await mkdtemp(join(scratch, 'gnupg-'));
  const env = { ...process.env, GNUPGHOME: home };
  try {
    await run(gpg, ['--batch', '--passphrase', '', '--quick-gen-key', 'Compat Test <compat@example.org>', 'rsa2048', 'sign', 'never'], { env });
    await mkdir(into, { recursive: true });
    const target = join(into, basename(rpm));
    await cp(rpm, target);
    await run(rpmsign, ['--addsign', '--define', '_gpg_name compat@example.org', '--define', `__gpg ${gpg}`, target], { env });
    return true;
  } finally {
    await run('gpgconf', ['--kill', 'all'], { env }).catch(() => undefined);
  }
}

/**
 * Build every spec of the corpus with `rpmbuild -ba` (binary and source packages). Returns a directory with
 * one folder per spec set (`main`, `unusual`), each laid out like rpmbuild's output (RPMS/<arch>/*.rpm,
 * SRPMS/*.src.rpm), and in `main`, signed/ with a signed copy of one package.
 */
export async function buildSpecCorpus(): Promise<{ dir: string; signed: boolean }> {
  const specs = specCorpus();
  const key = JSON.stringify({
    version: SPEC_CORPUS_VERSION,
    rpmbuild: await toolVersion('rpmbuild', ['--version']),
    specs,
  });
  const dir = await cached('specs', key, async (dir) => {
    const work = join(dir, '.work');
    // allSettled: a failing build must not remove the work tree under the others still running.
    const results = await Promise.allSettled(
      specs.map(async (spec) => {
        const top = join(work, spec.name);
        await mkdir(join(top, 'SPECS'), { recursive: true });
        const specPath = join(top, 'SPECS', `${spec.name}.spec`);
        await writeFile(specPath, Buffer.from(spec.text, spec.encoding ?? 'utf8'));
        await rpmbuild(spec, specPath, top);
        for (const rel of await listRpms(top)) {
          const sub = rel.startsWith('SRPMS') ? 'SRPMS' : join('RPMS', basename(join(rel, '..')));
          await mkdir(join(dir, spec.set, sub), { recursive: true });
          await rename(join(top, rel), join(dir, spec.set, sub, basename(rel)));
        }
      }),
    );
    const failed = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed.length > 0) throw new Error(failed.map((r) => String((r.reason as Error).message ?? r.reason)).join('\n\n'));
    const toSign = (await listRpms(join(dir, 'main'))).find((r) => basename(r).startsWith('compat-text-') && r.endsWith('.noarch.rpm'));
    const signed = toSign ? await signedCopy(join(dir, 'main', toSign), join(dir, 'main', 'signed'), work) : false;
    await writeFile(join(dir, 'signed.txt'), String(signed));
    await rm(work, { recursive: true, force: true });
  });
  return { dir, signed: (await readFile(join(dir, 'signed.txt'), 'utf8')) === 'true' };
}

export interface RealWorldCorpus {
  /** Directory with the converted RPMs (flat), or undefined when no .deb could be found. */
  dir?: string;
  /** Where the .deb files came from, for the report. */
  source: string;
  debs: string[];
}

/** `apt-get download` into a temp dir; on failure, the same packages from /var/cache/apt/archives. */
async function obtainDebs(into: string): Promise<{ debs: string[]; source: string }> {
  const fromEnv = process.env.OVIRT_REPO_COMPAT_DEBS;
  if (fromEnv) {
    const debs = (await readdir(fromEnv)).filter((f) => f.endsWith('.deb')).map((f) => join(fromEnv, f));
    return { debs: debs.sort(), source: `$OVIRT_REPO_COMPAT_DEBS (${fromEnv})` };
  }
  try {
    await run('apt-get', ['download', ...DEBIAN_PACKAGES], { cwd: into, maxBuffer: 16 * 1024 * 1024 });
    const debs = (await readdir(into)).filter((f) => f.endsWith('.deb')).map((f) => join(into, f));
    if (debs.length > 0) return { debs: debs.sort(), source: 'apt-get download' };
  } catch {
    // offline, or no package lists: fall back to the local apt cache below
  }
  const archives = '/var/cache/apt/archives';
  const available = (await exists(archives)) ? (await readdir(archives)).sort() : [];
  const debs: string[] = [];
  for (const name of DEBIAN_PACKAGES) {
    const match = available.filter((f) => f.startsWith(`${name}_`) && f.endsWith('.deb')).pop();
    if (match) debs.push(join(archives, match));
  }
  return { debs, source: archives };
}

/**
 * Real-world packages: Debian packages converted with `alien --to-rpm --scripts`. Cached by package names
 * and alien version, so reruns need neither the network nor alien's time.
 */
export async function buildRealWorldCorpus(): Promise<RealWorldCorpus> {
  const alien = await toolVersion('alien', ['--version']);
  const key = JSON.stringify({ version: 1, alien, packages: DEBIAN_PACKAGES, env: process.env.OVIRT_REPO_COMPAT_DEBS ?? '' });
  let source = 'cache';
  let debs: string[] = [];
  const dir = await cached('alien', key, async (out) => {
    const downloads = join(out, '.debs');
    await mkdir(downloads, { recursive: true });
    ({ debs, source } = await obtainDebs(downloads));
    const asRoot = process.getuid?.() === 0;
    for (const deb of debs) {
      const work = await mkdtemp(join(out, '.alien-'));
      const cmd = asRoot ? 'alien' : 'fakeroot';
      const args = [...(asRoot ? [] : ['alien']), '--to-rpm', '--keep-version', '--scripts', deb];
      try {
        await run(cmd, args, { cwd: work, maxBuffer: 64 * 1024 * 1024 });
      } catch (e) {
        const err = e as Error & { stderr?: string };
        throw new Error(`alien ${basename(deb)} failed: ${err.message}\n${(err.stderr ?? '').slice(-4000)}`);
      }
      for (const rpm of await listRpms(work)) await rename(join(work, rpm), join(out, basename(rpm)));
      await rm(work, { recursive: true, force: true });
    }
    await writeFile(join(out, 'debs.txt'), `${source}\n${debs.map((d) => basename(d)).join('\n')}\n`);
    await rm(downloads, { recursive: true, force: true });
  });
  const rpms = await listRpms(dir);
  if (source === 'cache') {
    const [recordedSource, ...recorded] = (await readFile(join(dir, 'debs.txt'), 'utf8')).trim().split('\n');
    source = `cache (originally ${recordedSource})`;
    debs = recorded;
  }
  return { dir: rpms.length > 0 ? dir : undefined, source, debs: debs.map((d) => basename(d)) };
}

/** Real .rpm files found on this machine (the dnf/yum caches, $OVIRT_REPO_COMPAT_RPMS). */
export async function findLocalRpms(): Promise<string[]> {
  const roots = ['/var/cache/dnf', '/var/cache/yum', process.env.OVIRT_REPO_COMPAT_RPMS].filter((r): r is string => !!r);
  const found: string[] = [];
  for (const root of roots) {
    if (!(await exists(root))) continue;
    for (const rel of await listRpms(root)) found.push(join(root, rel));
  }
  return found;
}

export interface CorpusLayout {
  /** Relative paths of every RPM in the corpus directory. */
  rpms: string[];
  /** Whether signed/ holds a signed package (needs gpg and rpmsign). */
  signed: boolean;
  /** Packages kept out of the main corpus (see spec-corpus.ts), laid out like rpmbuild's output. */
  unusualDir: string;
  realWorld: RealWorldCorpus;
  localRpms: string[];
}

/**
 * Assemble the corpus in `dir`: rpmbuild output (RPMS/<arch>, SRPMS), alien conversions (alien/), local
 * real RPMs (local/), and a copy of one package under copies/ so two entries share a file name (createrepo_c
 * orders by file name, then directory). Timestamps are preserved: `<time file>` is the mtime.
 */
export async function assembleCorpus(dir: string): Promise<CorpusLayout> {
  const [specs, realWorld, localRpms] = await Promise.all([buildSpecCorpus(), buildRealWorldCorpus(), findLocalRpms()]);
  await mkdir(dir, { recursive: true });
  await copyCorpus(join(specs.dir, 'main'), dir);
  if (realWorld.dir) {
    for (const rel of await listRpms(realWorld.dir)) {
      await cp(join(realWorld.dir, rel), join(dir, 'alien', rel), { preserveTimestamps: true });
    }
  }
  for (const path of localRpms) await cp(path, join(dir, 'local', basename(path)), { preserveTimestamps: true });
  const plain = (await listRpms(dir)).find((r) => basename(r).startsWith('compat-plain-') && !r.endsWith('.src.rpm'));
  if (plain) await cp(join(dir, plain), join(dir, 'copies', basename(plain)), { preserveTimestamps: true });
  return { rpms: await listRpms(dir), signed: specs.signed, unusualDir: join(specs.dir, 'unusual'), realWorld, localRpms };
}

/** Copy a corpus directory (RPMs only, mtimes preserved) to `to`. */
export async function copyCorpus(from: string, to: string): Promise<void> {
  for (const rel of await listRpms(from)) {
    await mkdir(join(to, rel, '..'), { recursive: true });
    await cp(join(from, rel), join(to, rel), { preserveTimestamps: true });
  }
}
