// Readable differences between two dnf views (or two metadata dumps): one line per field path.
import type { CanonicalMetadata, DnfPackage } from './dnf-view.js';

export interface Difference {
  /** Package (name-epoch:version-release.arch @ location) or document part. */
  where: string;
  /** Field path inside it, e.g. `requires[3]` or `changelogs[2].timestamp`. */
  path: string;
  ours: unknown;
  theirs: unknown;
}

const MAX_SHOWN = 400;

function show(value: unknown): string {
  const s = JSON.stringify(value);
  return s === undefined ? 'undefined' : s.length > MAX_SHOWN ? `${s.slice(0, MAX_SHOWN)}… (${s.length} chars)` : s;
}

export function formatDifference(d: Difference): string {
  return `${d.where} :: ${d.path}\n    ours:         ${show(d.ours)}\n    createrepo_c: ${show(d.theirs)}`;
}

/** A package's identity in reports. */
export function packageId(p: DnfPackage): string {
  return `${p.name}-${p.epoch}:${p.version}-${p.release}.${p.arch} @ ${p.location}`;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Multiset difference of two string lists: what one has that the other lacks (with repeats). */
function missingFrom(a: string[], b: string[]): string[] {
  const counts = new Map<string, number>();
  for (const x of b) counts.set(x, (counts.get(x) ?? 0) + 1);
  const out: string[] = [];
  for (const x of a) {
    const n = counts.get(x) ?? 0;
    if (n > 0) counts.set(x, n - 1);
    else out.push(x);
  }
  return out;
}

/** Structural differences of `ours` against `theirs`, with field paths. */
export function diffValues(where: string, path: string, ours: unknown, theirs: unknown, out: Difference[]): void {
  if (Object.is(ours, theirs)) return;
  if (Array.isArray(ours) && Array.isArray(theirs)) {
    const strings = [...ours, ...theirs].every((x) => typeof x === 'string');
    if (strings) {
      // Lists of strings (dependencies, files): name the missing and extra entries, not shifted indexes.
      const extra = missingFrom(ours as string[], theirs as string[]);
      const missing = missingFrom(theirs as string[], ours as string[]);
      if (extra.length || missing.length) {
        out.push({ where, path: `${path} (entries only ours has / only createrepo_c has)`, ours: extra, theirs: missing });
      } else {
        const i = ours.findIndex((x, k) => x !== theirs[k]);
        if (i >= 0) out.push({ where, path: `${path} (same entries, different order; first at [${i}])`, ours, theirs });
      }
      return;
    }
    if (ours.length !== theirs.length) out.push({ where, path: `${path}.length`, ours: ours.length, theirs: theirs.length });
    for (let i = 0; i < Math.min(ours.length, theirs.length); i++) diffValues(where, `${path}[${i}]`, ours[i], theirs[i], out);
    return;
  }
  if (isPlainObject(ours) && isPlainObject(theirs)) {
    const keys = [...new Set([...Object.keys(ours), ...Object.keys(theirs)])].sort();
    for (const k of keys) diffValues(where, path ? `${path}.${k}` : k, ours[k], theirs[k], out);
    return;
  }
  out.push({ where, path, ours, theirs });
}

function byLocation(pkgs: DnfPackage[]): Map<string, DnfPackage> {
  const map = new Map<string, DnfPackage>();
  for (const p of pkgs) map.set(`${p.location}\u0000${p.name}.${p.arch}`, p);
  return map;
}

/**
 * Package-by-package differences between dnf's view of our repo and of createrepo_c's. Packages are matched
 * by location (the file) and name.arch; a package only one side has is itself a difference.
 */
export function diffDnfViews(ours: DnfPackage[], theirs: DnfPackage[]): Difference[] {
  const out: Difference[] = [];
  if (ours.length !== theirs.length) out.push({ where: 'repository', path: 'package count', ours: ours.length, theirs: theirs.length });
  const a = byLocation(ours);
  const b = byLocation(theirs);
  for (const [key, t] of b) {
    const o = a.get(key);
    if (!o) out.push({ where: packageId(t), path: '(package)', ours: 'missing', theirs: 'present' });
    else diffValues(packageId(t), '', o, t, out);
  }
  for (const [key, o] of a) if (!b.has(key)) out.push({ where: packageId(o), path: '(package)', ours: 'present', theirs: 'missing' });
  return out;
}

/** First differing line of two texts, with a little context, for raw XML reports. */
export function firstLineDifference(ours: string, theirs: string): { line: number; ours: string; theirs: string } | undefined {
  if (ours === theirs) return undefined;
  const a = ours.split('\n');
  const b = theirs.split('\n');
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    if (a[i] !== b[i]) {
      return { line: i + 1, ours: a.slice(i, i + 3).join('\n'), theirs: b.slice(i, i + 3).join('\n') };
    }
  }
  return undefined;
}

export type XmlLevel = 'c14n' | 'raw';

/**
 * Per-package differences of the decompressed primary/filelists/other documents: at level `c14n` (canonical
 * XML, whitespace-only text ignored) or `raw` (exact bytes). Packages are matched by key; the report names
 * the package, the first differing line and both versions of it.
 */
export function diffMetadata(ours: CanonicalMetadata, theirs: CanonicalMetadata, level: XmlLevel): Difference[] {
  const out: Difference[] = [];
  for (const kind of ['primary', 'filelists', 'other']) {
    const o = ours.files[kind];
    const t = theirs.files[kind];
    if (!o || !t) {
      out.push({ where: kind, path: '(document)', ours: o ? 'present' : 'missing', theirs: t ? 'present' : 'missing' });
      continue;
    }
    diffValues(kind, 'root attributes', o.root, t.root, out);
    const oKeys = o.packages.map((p) => p.key);
    const tKeys = t.packages.map((p) => p.key);
    if (oKeys.join('\n') !== tKeys.join('\n')) out.push({ where: kind, path: 'package order (keys)', ours: oKeys, theirs: tKeys });
    const oByKey = new Map(o.packages.map((p) => [p.key, p]));
    for (const tp of t.packages) {
      const op = oByKey.get(tp.key);
      if (!op) {
        out.push({ where: `${kind} ${tp.key}`, path: '(package)', ours: 'missing', theirs: 'present' });
        continue;
      }
      const a = level === 'raw' ? op.raw : prettyC14n(op.c14n);
      const b = level === 'raw' ? tp.raw : prettyC14n(tp.c14n);
      const d = firstLineDifference(a, b);
      if (d) out.push({ where: `${kind} ${tp.key}`, path: `${level} line ${d.line}`, ours: d.ours, theirs: d.theirs });
    }
    for (const op of o.packages) {
      if (!t.packages.some((tp) => tp.key === op.key)) out.push({ where: `${kind} ${op.key}`, path: '(package)', ours: 'present', theirs: 'missing' });
    }
    if (level === 'raw') {
      const head = (s: string): string => s.slice(0, s.search(/<package[\s>]/) >>> 0);
      const d = firstLineDifference(head(o.raw), head(t.raw));
      if (d) out.push({ where: kind, path: `raw header line ${d.line}`, ours: d.ours, theirs: d.theirs });
      const tail = (s: string): string => s.slice(s.lastIndexOf('</package>'));
      const e = firstLineDifference(tail(o.raw), tail(t.raw));
      if (e) out.push({ where: kind, path: 'raw trailer', ours: e.ours, theirs: e.theirs });
    }
  }
  return out;
}

/** One element per line, so a c14n difference report points at the element that differs. */
function prettyC14n(c14n: string): string {
  return c14n.replace(/></g, '>\n<');
}
