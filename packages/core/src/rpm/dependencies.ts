import type { Dependency, DependencyFlag } from '../repodata/model.js';
import type { RpmHeader } from './header.js';
import { isPrimaryFile } from './files.js';
import { rpmInvalid } from './rpm-error.js';
import { rpmvercmp } from './rpmvercmp.js';
import { RpmSense, RpmTag, rpmTagName } from './tags.js';

export interface RpmDependencies {
  provides: Dependency[];
  requires: Dependency[];
  conflicts: Dependency[];
  obsoletes: Dependency[];
  suggests: Dependency[];
  enhances: Dependency[];
  recommends: Dependency[];
  supplements: Dependency[];
}

export interface RpmDependencyOptions {
  /** Full paths of the package's own files. */
  files: ReadonlySet<string>;
  /**
   * createrepo_c before 1.1.1 set `pre` only for PREREQ, SCRIPT_PRE and SCRIPT_POST; 1.1.1 and later also
   * for PRETRANS and POSTTRANS. Default true: the 0.17 rule, which Debian 12's and EL9's createrepo_c apply
   * and the compatibility suite checks against.
   */
  legacyPre?: boolean;
  /** Ancient (rpm 3) packages get rpm's retrofitted self-provide `name = EVR`. */
  retrofitProvide?: { name: string; evr: string };
}

/** A raw dependency triple as stored in the header. */
export interface RawRpmDependency {
  name: string;
  flags: number;
  version: string;
}

type Kind = keyof RpmDependencies | 'oldsuggests' | 'oldenhances';

// The order matters: createrepo_c processes provides before requires (requires are filtered against them)
// and appends old-style weak deps after the new-style ones of the same list.
const DEP_TAGS: ReadonlyArray<[Kind, number, number, number]> = [
  ['provides', RpmTag.PROVIDENAME, RpmTag.PROVIDEFLAGS, RpmTag.PROVIDEVERSION],
  ['conflicts', RpmTag.CONFLICTNAME, RpmTag.CONFLICTFLAGS, RpmTag.CONFLICTVERSION],
  ['obsoletes', RpmTag.OBSOLETENAME, RpmTag.OBSOLETEFLAGS, RpmTag.OBSOLETEVERSION],
  ['requires', RpmTag.REQUIRENAME, RpmTag.REQUIREFLAGS, RpmTag.REQUIREVERSION],
  ['suggests', RpmTag.SUGGESTNAME, RpmTag.SUGGESTFLAGS, RpmTag.SUGGESTVERSION],
  ['enhances', RpmTag.ENHANCENAME, RpmTag.ENHANCEFLAGS, RpmTag.ENHANCEVERSION],
  ['recommends', RpmTag.RECOMMENDNAME, RpmTag.RECOMMENDFLAGS, RpmTag.RECOMMENDVERSION],
  ['supplements', RpmTag.SUPPLEMENTNAME, RpmTag.SUPPLEMENTFLAGS, RpmTag.SUPPLEMENTVERSION],
  ['oldsuggests', RpmTag.OLDSUGGESTSNAME, RpmTag.OLDSUGGESTSFLAGS, RpmTag.OLDSUGGESTSVERSION],
  ['oldenhances', RpmTag.OLDENHANCESNAME, RpmTag.OLDENHANCESFLAGS, RpmTag.OLDENHANCESVERSION],
];

const FLAG_NAMES: Partial<Record<number, DependencyFlag>> = { 2: 'LT', 4: 'GT', 8: 'EQ', 10: 'LE', 12: 'GE' };

/** createrepo_c's cr_flag_to_str: only the comparison bits, and only the five valid combinations. */
export function rpmSenseToFlag(flags: number): DependencyFlag | undefined {
  return FLAG_NAMES[flags & 0xf];
}

/** One dependency list as stored (names/flags/versions in parallel); undefined if any of the three is missing. */
export function readRawRpmDependencies(h: RpmHeader, nameTag: number, flagsTag: number, versionTag: number): RawRpmDependency[] | undefined {
  const names = h.getStringArray(nameTag);
  const flags = h.getNumbers(flagsTag);
  const versions = h.getStringArray(versionTag);
  if (!names || !flags || !versions) return undefined;
  if (flags.length !== names.length || versions.length !== names.length) {
    throw rpmInvalid(
      h.file,
      `main header dependency tags ${rpmTagName(nameTag)}/${rpmTagName(flagsTag)}/${rpmTagName(versionTag)} have ` +
        `${names.length}/${flags.length}/${versions.length} entries`,
    );
  }
  return names.map((name, i) => ({ name, flags: flags[i], version: versions[i] }));
}

/**
 * Dependencies exactly as createrepo_c (parsehdr.c) puts them in primary.xml: requires are filtered
 * (rpmlib(), own primary files, own provides, repeats, all but the highest libc.so.6), old-style weak deps
 * are mapped to the new lists, and deps with an unparsable epoch are dropped.
 */
export function readRpmDependencies(h: RpmHeader, opts: RpmDependencyOptions): RpmDependencies {
  const out: RpmDependencies = {
    provides: [], requires: [], conflicts: [], obsoletes: [],
    suggests: [], enhances: [], recommends: [], supplements: [],
  };
  const preMask =
    RpmSense.PREREQ | RpmSense.SCRIPT_PRE | RpmSense.SCRIPT_POST |
    ((opts.legacyPre ?? true) ? 0 : RpmSense.PRETRANS | RpmSense.POSTTRANS);
  // Keys are name+flags+version concatenated without separators, exactly as createrepo_c builds them.
  const provided = new Set<string>();
  // The last kept require per name, to drop repeats.
  const seenRequires = new Map<string, { flags?: string; version: string; pre: boolean }>();

  for (const [kind, nameTag, flagsTag, versionTag] of DEP_TAGS) {
    let raw = readRawRpmDependencies(h, nameTag, flagsTag, versionTag);
    if (kind === 'provides' && opts.retrofitProvide) raw = retrofitProvide(h, raw, opts.retrofitProvide);
    if (!raw) continue;
    let libc: Dependency | undefined;

    for (const { name, flags, version } of raw) {
      const flag = rpmSenseToFlag(flags);
      const key = name + (flag ?? '') + version;
      let pre = false;
      if (kind === 'requires') {
        if (name.startsWith('rpmlib(')) continue;
        if (name.startsWith('/') && opts.files.has(name) && isPrimaryFile(name)) continue;
        if (provided.has(key)) continue;
        pre = (flags & preMask) !== 0;
        const seen = seenRequires.get(name);
        if (seen && seen.flags === flag && seen.version === version && seen.pre === pre) continue;
      }

      const evr = parseDependencyEvr(version);
      if (evr === 'bad-epoch') continue;
      const dep: Dependency = { name };
      if (flag) {
        dep.flags = flag;
        if (evr.epoch) dep.epoch = evr.epoch;
        if (evr.version) dep.version = evr.version;
        if (evr.release) dep.release = evr.release;
      }

      switch (kind) {
        case 'provides':
          provided.add(key);
          out.provides.push(dep);
          break;
        case 'requires':
          if (flags & RpmSense.MISSINGOK) {
            out.recommends.push(dep);
            break;
          }
          if (pre) dep.pre = true;
          if (name.startsWith('libc.so.6')) {
            if (!libc || compareLibcDependency(libc.name, name) === 2) libc = dep;
            break;
          }
          out.requires.push(dep);
          seenRequires.set(name, { flags: flag, version, pre });
          break;
        case 'oldsuggests':
          (flags & RpmSense.STRONG ? out.recommends : out.suggests).push(dep);
          break;
        case 'oldenhances':
          (flags & RpmSense.STRONG ? out.supplements : out.enhances).push(dep);
          break;
        default:
          out[kind].push(dep);
      }
    }
    if (libc) out.requires.push(libc);
  }
  // Nameless entries are kept above so the filtering state matches createrepo_c, which skips them on output.
  for (const k of Object.keys(out) as (keyof RpmDependencies)[]) out[k] = out[k].filter((d) => d.name !== '');
  return out;
}

/**
 * createrepo_c's cr_str_to_evr: `[epoch:]version[-release]`, epoch "0" when absent, release undefined when
 * there is no `-`. A non-numeric epoch (strtol must consume everything before the first `:`) makes the
 * dependency invalid.
 */
export function parseDependencyEvr(s: string): { epoch?: string; version?: string; release?: string } | 'bad-epoch' {
  if (s === '') return {};
  let rest = s;
  let epoch = '0';
  const colon = s.indexOf(':');
  if (colon >= 0) {
    const e = s.slice(0, colon);
    if (e !== '' && !/^[ \t\n\v\f\r]*[+-]?[0-9]+$/.test(e)) return 'bad-epoch';
    if (e !== '') epoch = e;
    rest = s.slice(colon + 1);
  }
  const dash = rest.indexOf('-');
  if (dash < 0) return { epoch, version: rest };
  const release = rest.slice(dash + 1);
  return { epoch, version: rest.slice(0, dash), release: release === '' ? undefined : release };
}

/**
 * createrepo_c's cr_compare_dependency for `libc.so.6(...)` names: compares the first version-like part
 * inside the first parentheses. 2 means the second is higher (and replaces the first).
 */
export function compareLibcDependency(a: string, b: string): 0 | 1 | 2 | -1 {
  if (a === b) return 0;
  const pa = a.indexOf('(');
  const pb = b.indexOf('(');
  if (pa < 0 && pb < 0) return 0;
  if (pa < 0) return 2;
  if (pb < 0) return 1;
  const ea = a.indexOf(')', pa);
  const eb = b.indexOf(')', pb);
  if (ea < 0 && eb < 0) return -1;
  if (ea < 0) return 2;
  if (eb < 0) return 1;
  const emptyA = ea === pa + 1;
  const emptyB = eb === pb + 1;
  if (emptyA && emptyB) return 0;
  if (emptyA) return 2;
  if (emptyB) return 1;
  // The digit search may run past ')', as in the C code; "past" means no digit inside the parentheses.
  const da = firstDigit(a, pa + 1);
  const db = firstDigit(b, pb + 1);
  if (da > ea && db > eb) return 0;
  if (da > ea) return 2;
  if (db > eb) return 1;
  const r = rpmvercmp(a.slice(da, ea), b.slice(db, eb));
  return r === -1 ? 2 : r;
}

function firstDigit(s: string, from: number): number {
  let i = from;
  while (i < s.length && !(s[i] >= '0' && s[i] <= '9')) i++;
  return i;
}

/** rpm's providePackageNVR (lib/headerutil.c) for headers without an immutable region. */
function retrofitProvide(h: RpmHeader, raw: RawRpmDependency[] | undefined, nvr: { name: string; evr: string }): RawRpmDependency[] {
  const self: RawRpmDependency = { name: nvr.name, flags: RpmSense.EQUAL, version: nvr.evr };
  if (raw) {
    const same = (d: RawRpmDependency) => d.name === self.name && (d.flags & 0xf) === self.flags && d.version === self.version;
    if (raw.some(same)) return raw;
    return [...raw, self];
  }
  const names = h.getStringArray(RpmTag.PROVIDENAME);
  if (!names) return [self];
  // Pre-3.0.3 packages have unversioned provides only.
  return [...names.map((name) => ({ name, flags: 0, version: '' })), self];
}
