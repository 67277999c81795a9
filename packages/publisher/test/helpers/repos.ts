import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir, readFile, readdir, readlink, stat, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { join, relative, sep } from 'node:path';
import { promisify } from 'node:util';
import { hashFile, nevra, parseRepomd, readRepo } from '@ovirt-repo/core';
import { writeRpm, type RpmSpec } from '@ovirt-repo/rpm-writer';

const run = promisify(execFile);

/** A small installable package: one file whose content names its version. */
export function rpmSpec(name: string, version: string, release = '1', extra: Partial<RpmSpec> = {}): RpmSpec {
  return {
    name,
    version,
    release,
    arch: 'noarch',
    summary: `${name} test package`,
    files: [{ path: `/usr/share/${name}/VERSION`, contents: `${version}-${release}\n` }],
    ...extra,
  };
}

/**
 * Write the packages into dir/Packages and index dir with the real createrepo_c (sqlite included), with a
 * comps file naming `groups` (id -> package names) when given, and further createrepo_c arguments.
 */
export async function makeRepo(dir: string, specs: RpmSpec[], groups?: Record<string, string[]>, createrepoArgs: string[] = []): Promise<string> {
  await mkdir(join(dir, 'Packages'), { recursive: true });
  for (const s of specs) await writeRpm(s, join(dir, 'Packages'));
  const args = ['-q', '--database', ...createrepoArgs];
  if (groups) {
    const comps = join(dir, '..', `${dir.split('/').pop()}-comps.xml`);
    await writeFile(comps, compsXml(groups));
    args.push('--groupfile', comps);
  }
  await run('createrepo_c', [...args, dir]);
  return dir;
}

function compsXml(groups: Record<string, string[]>): string {
  const body = Object.entries(groups)
    .map(([id, names]) => `  <group>\n    <id>${id}</id>\n    <name>${id} group</name>\n    <description>${id}</description>\n    <default>false</default>\n    <uservisible>true</uservisible>\n    <packagelist>\n${names.map((n) => `      <packagereq type="mandatory">${n}</packagereq>\n`).join('')}    </packagelist>\n  </group>\n`)
    .join('');
  return `<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE comps PUBLIC "-//Red Hat, Inc.//DTD Comps info//EN" "comps.dtd">\n<comps>\n${body}</comps>\n`;
}

/**
 * Everything a client needs from the repository at `dir` is there and intact: every file repomd.xml names
 * has its recorded checksum, and every package the metadata lists exists with its recorded checksum.
 * Returns the NEVRAs listed. Throws with the first problem.
 */
export async function checkRepo(dir: string): Promise<string[]> {
  const repomd = parseRepomd(await readFile(join(dir, 'repodata', 'repomd.xml')), `${dir}/repodata/repomd.xml`);
  for (const r of repomd.records) {
    const digest = await hashFile(join(dir, r.location.href), r.checksum.type);
    if (digest.value !== r.checksum.value) throw new Error(`${r.location.href}: checksum ${digest.value}, repomd.xml says ${r.checksum.value}`);
  }
  return checkPackages(dir);
}

async function checkPackages(dir: string): Promise<string[]> {
  const out: string[] = [];
  for await (const p of (await readRepo(dir)).packages()) {
    const digest = await hashFile(join(dir, p.location.href), p.checksum.type);
    if (digest.value !== p.checksum.value) throw new Error(`${p.location.href}: checksum ${digest.value}, metadata says ${p.checksum.value}`);
    out.push(nevra(p));
  }
  return out.sort();
}

/** The metadata files a repomd.xml (given as bytes) names: what a client that read it will ask for. */
export function namedBy(repomdXml: Buffer): string[] {
  return parseRepomd(repomdXml).records.map((r) => r.location.href);
}

/** path -> sha256 of every file below dir (`-> target` for a symbolic link): compare two calls to prove nothing changed. */
export async function treeDigest(dir: string): Promise<Record<string, string>> {
  return digestBelow(dir, false);
}

/**
 * What a web server serving dir gives for each path: links followed (a dangling one serves nothing), and
 * the directories of repomd.xml pairs left out (publish reaches them through repodata/'s links on a
 * directory; an object store has the files themselves). Compares a directory publish with an S3 one.
 */
export async function servedDigest(dir: string): Promise<Record<string, string>> {
  return digestBelow(dir, true);
}

async function digestBelow(dir: string, served: boolean): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  const walk = async (d: string): Promise<void> => {
    for (const e of await readdir(d, { withFileTypes: true }).catch(() => [])) {
      const p = join(d, e.name);
      const rel = relative(dir, p).split(sep).join('/');
      if (served && rel === '.ovirt-repo/repomd') continue;
      if (e.isDirectory()) await walk(p);
      else if (e.isSymbolicLink() && !served) out[rel] = `-> ${await readlink(p)}`;
      else {
        const bytes = await readFile(p).catch(() => undefined);
        if (bytes) out[rel] = createHash('sha256').update(bytes).digest('hex');
      }
    }
  };
  await walk(dir);
  return out;
}

export interface Dnf {
  /** Group ids dnf sees in the repository at `url`. */
  groups(url: string): Promise<string[]>;
  /** NEVRAs dnf sees in the repository at `url` (repoquery --available --showduplicates). */
  available(url: string): Promise<string[]>;
  /** Install `what` from `url` into a fresh installroot; returns `rpm -q name` there. */
  install(url: string, what: string, name: string): Promise<string>;
}

/** Real dnf, isolated from the machine's repositories, plugins and cache. */
export function dnf(workDir: string): Dnf {
  let n = 0;
  const base = async () => {
    const d = join(workDir, `dnf-${++n}`);
    await mkdir(join(d, 'repos.d'), { recursive: true });
    await mkdir(join(d, 'root'), { recursive: true });
    return d;
  };
  const common = (d: string, url: string) => [
    '-y',
    '-q',
    '--noplugins',
    '--nogpgcheck',
    '--releasever=9',
    `--setopt=reposdir=${join(d, 'repos.d')}`,
    `--setopt=cachedir=${join(d, 'cache')}`,
    '--setopt=install_weak_deps=False',
    `--repofrompath=pub,${url}`,
  ];
  return {
    async groups(url) {
      const d = await base();
      const { stdout } = await run('dnf', [...common(d, url).filter((a) => a !== '-q'), 'group', 'list', '--ids']);
      return [...stdout.matchAll(/\(([^()\s]+)\)\s*$/gm)].map((m) => m[1]!).sort();
    },
    async available(url) {
      const d = await base();
      const { stdout } = await run('dnf', [...common(d, url), 'repoquery', '--available', '--showduplicates', '--repo', 'pub', '--qf', '%{name}-%{evr}.%{arch}']);
      return stdout.split('\n').filter(Boolean).sort();
    },
    async install(url, what, name) {
      const d = await base();
      await run('dnf', [...common(d, url), `--installroot=${join(d, 'root')}`, 'install', what]);
      const { stdout } = await run('rpm', ['--root', join(d, 'root'), '-q', name]);
      return stdout.trim();
    },
  };
}

/** A static file server for `dir` on 127.0.0.1 (a source reachable over http://). */
export async function serveDirectory(dir: string): Promise<{ url: string; server: Server; close: () => Promise<void> }> {
  const server = createServer(async (req, res) => {
    const path = join(dir, decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname));
    if (!path.startsWith(dir)) return void res.writeHead(403).end();
    try {
      if (!(await stat(path)).isFile()) throw new Error('not a file');
      res.writeHead(200).end(await readFile(path));
    } catch {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return { url: `http://127.0.0.1:${port}/`, server, close: () => new Promise((r) => server.close(() => r())) };
}
