/**
 * Test support (not shipped: `*.spec.*` is excluded from the package): runs the real createrepo_c over a
 * directory and turns its primary/filelists/other XML back into PackageRecords, so the reader can be
 * compared with createrepo_c field by field. Deliberately independent of the project's repodata code.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { SaxesParser } from 'saxes';
import type { ChecksumType, Dependency, DependencyFlag, PackageRecord } from '../repodata/model.js';

type Attrs = Record<string, string>;
interface XmlNode {
  name: string;
  attrs: Attrs;
  text: string;
  children: XmlNode[];
}

function parseXml(xml: string): XmlNode {
  const parser = new SaxesParser();
  const root: XmlNode = { name: '#root', attrs: {}, text: '', children: [] };
  const stack: XmlNode[] = [root];
  parser.on('opentag', (t) => {
    const node: XmlNode = { name: t.name, attrs: t.attributes as Attrs, text: '', children: [] };
    stack[stack.length - 1].children.push(node);
    stack.push(node);
  });
  parser.on('text', (t) => {
    stack[stack.length - 1].text += t;
  });
  parser.on('closetag', () => {
    stack.pop();
  });
  parser.write(xml).close();
  return root;
}

const child = (n: XmlNode, name: string): XmlNode | undefined => n.children.find((c) => c.name === name);
const req = (n: XmlNode, name: string): XmlNode => {
  const c = child(n, name);
  if (!c) throw new Error(`<${n.name}> has no <${name}>`);
  return c;
};

function deps(format: XmlNode, name: string): Dependency[] {
  const list = child(format, `rpm:${name}`);
  return (list?.children ?? []).map((e) => {
    const d: Dependency = { name: e.attrs.name };
    if (e.attrs.flags) d.flags = e.attrs.flags as DependencyFlag;
    if (e.attrs.epoch) d.epoch = e.attrs.epoch;
    if (e.attrs.ver) d.version = e.attrs.ver;
    if (e.attrs.rel) d.release = e.attrs.rel;
    if (e.attrs.pre === '1') d.pre = true;
    return d;
  });
}

function readRepoFile(repo: string, type: string): XmlNode {
  const dir = join(repo, 'repodata');
  const file = readdirSync(dir).find((f) => f.endsWith(`-${type}.xml.gz`) || f === `${type}.xml.gz`);
  if (!file) throw new Error(`no ${type}.xml.gz in ${dir}`);
  return parseXml(gunzipSync(readFileSync(join(dir, file))).toString('utf8'));
}

/** Runs createrepo_c (no sqlite) on `dir` with extra arguments and returns its records keyed by location href. */
export function createrepoRecords(dir: string, args: string[] = [], outDir?: string): Map<string, PackageRecord> {
  execFileSync('createrepo_c', ['--no-database', ...(outDir ? ['-o', outDir] : []), ...args, dir], { stdio: 'pipe' });
  const repo = outDir ?? dir;
  const primary = readRepoFile(repo, 'primary');
  const filelists = readRepoFile(repo, 'filelists');
  const other = readRepoFile(repo, 'other');
  const byId = (root: XmlNode) => new Map(root.children[0].children.map((p) => [p.attrs.pkgid, p]));
  const files = byId(filelists);
  const changelogs = byId(other);

  const out = new Map<string, PackageRecord>();
  for (const p of req(primary, 'metadata').children) {
    const v = req(p, 'version').attrs;
    const checksum = req(p, 'checksum');
    const time = req(p, 'time').attrs;
    const size = req(p, 'size').attrs;
    const loc = req(p, 'location').attrs;
    const format = req(p, 'format');
    const range = req(format, 'rpm:header-range').attrs;
    const text = (n: XmlNode, name: string) => req(n, name).text;
    const record: PackageRecord = {
      name: text(p, 'name'),
      arch: text(p, 'arch'),
      epoch: v.epoch,
      version: v.ver,
      release: v.rel,
      checksum: { type: checksum.attrs.type as ChecksumType, value: checksum.text },
      summary: text(p, 'summary'),
      description: text(p, 'description'),
      packager: text(p, 'packager'),
      url: text(p, 'url'),
      time: { file: Number(time.file), build: Number(time.build) },
      size: { package: Number(size.package), installed: Number(size.installed), archive: Number(size.archive) },
      location: loc['xml:base'] === undefined ? { href: loc.href } : { href: loc.href, base: loc['xml:base'] },
      format: {
        license: text(format, 'rpm:license'),
        vendor: text(format, 'rpm:vendor'),
        group: text(format, 'rpm:group'),
        buildhost: text(format, 'rpm:buildhost'),
        sourcerpm: text(format, 'rpm:sourcerpm'),
        headerRange: { start: Number(range.start), end: Number(range.end) },
        provides: deps(format, 'provides'),
        requires: deps(format, 'requires'),
        conflicts: deps(format, 'conflicts'),
        obsoletes: deps(format, 'obsoletes'),
        suggests: deps(format, 'suggests'),
        enhances: deps(format, 'enhances'),
        recommends: deps(format, 'recommends'),
        supplements: deps(format, 'supplements'),
      },
      files: (files.get(checksum.text)?.children ?? [])
        .filter((f) => f.name === 'file')
        .map((f) => ({ path: f.text, type: (f.attrs.type as 'dir' | 'ghost' | undefined) ?? 'file' })),
      changelogs: (changelogs.get(checksum.text)?.children ?? [])
        .filter((c) => c.name === 'changelog')
        .map((c) => ({ author: c.attrs.author, date: Number(c.attrs.date), text: c.text })),
    };
    out.set(record.location.href, record);
  }
  return out;
}

/** Paths createrepo_c put in primary.xml for the package with this href (to check the primary filter). */
export function createrepoPrimaryFiles(repo: string): Map<string, string[]> {
  const primary = readRepoFile(repo, 'primary');
  const out = new Map<string, string[]>();
  for (const p of req(primary, 'metadata').children) {
    const format = req(p, 'format');
    out.set(req(p, 'location').attrs.href, format.children.filter((c) => c.name === 'file').map((c) => c.text));
  }
  return out;
}

/** createrepo_c >= 1.1.1 also marks PRETRANS/POSTTRANS requires as pre; older ones do not. */
export function createrepoUsesLegacyPre(): boolean {
  const out = execFileSync('createrepo_c', ['--version'], { encoding: 'utf8' });
  const m = /(\d+)\.(\d+)\.(\d+)/.exec(out);
  if (!m) throw new Error(`cannot parse createrepo_c version from: ${out}`);
  const [major, minor, patch] = m.slice(1).map(Number) as [number, number, number];
  return major * 1e6 + minor * 1e3 + patch < 1_001_001;
}
