import type { HeaderBuilder } from './header-builder.js';
import type { DependencyKind, ResolvedDependency, ResolvedSpec } from './resolve-spec.js';
import type { DependencyFlag } from './spec.js';
import { Sense, Tag } from './tags.js';

interface DepTags {
  name: number;
  flags: number;
  version: number;
}

const DEP_TAGS: Record<DependencyKind, DepTags> = {
  provides: { name: Tag.PROVIDENAME, flags: Tag.PROVIDEFLAGS, version: Tag.PROVIDEVERSION },
  requires: { name: Tag.REQUIRENAME, flags: Tag.REQUIREFLAGS, version: Tag.REQUIREVERSION },
  conflicts: { name: Tag.CONFLICTNAME, flags: Tag.CONFLICTFLAGS, version: Tag.CONFLICTVERSION },
  obsoletes: { name: Tag.OBSOLETENAME, flags: Tag.OBSOLETEFLAGS, version: Tag.OBSOLETEVERSION },
  recommends: { name: Tag.RECOMMENDNAME, flags: Tag.RECOMMENDFLAGS, version: Tag.RECOMMENDVERSION },
  suggests: { name: Tag.SUGGESTNAME, flags: Tag.SUGGESTFLAGS, version: Tag.SUGGESTVERSION },
  supplements: { name: Tag.SUPPLEMENTNAME, flags: Tag.SUPPLEMENTFLAGS, version: Tag.SUPPLEMENTVERSION },
  enhances: { name: Tag.ENHANCENAME, flags: Tag.ENHANCEFLAGS, version: Tag.ENHANCEVERSION },
};

const SENSE: Record<DependencyFlag, number> = {
  LT: Sense.LESS,
  GT: Sense.GREATER,
  EQ: Sense.EQUAL,
  LE: Sense.LESS | Sense.EQUAL,
  GE: Sense.GREATER | Sense.EQUAL,
};

/** The `%{_isa}` suffixes of rpm's default macros; other arches get no ISA provide, as on those platforms. */
const ISA: Record<string, string> = {
  x86_64: 'x86-64',
  i386: 'x86-32',
  i486: 'x86-32',
  i586: 'x86-32',
  i686: 'x86-32',
  aarch64: 'aarch-64',
  ppc64le: 'ppc-64',
  ppc64: 'ppc-64',
  s390x: 's390-64',
};

interface Dep {
  name: string;
  flags: number;
  version: string;
}

export function evrOf(spec: Pick<ResolvedSpec, 'epoch' | 'version' | 'release'>): string {
  const epoch = spec.epoch === undefined ? '' : `${spec.epoch}:`;
  return `${epoch}${spec.version}-${spec.release}`;
}

function explicit(d: ResolvedDependency): Dep {
  const flags = (d.flags ? SENSE[d.flags] : 0) | (d.pre ? Sense.SCRIPT_PRE : 0);
  return { name: d.name, flags, version: d.version };
}

function rpmlib(feature: string, version: string): Dep {
  return { name: `rpmlib(${feature})`, flags: Sense.RPMLIB | Sense.LESS | Sense.EQUAL, version };
}

const byteOrder = (a: string, b: string): number => Buffer.compare(Buffer.from(a), Buffer.from(b));

/** rpm keeps dependency sets sorted (name, then version, then flags, byte-wise) and without repeats. */
function normalise(deps: Dep[]): Dep[] {
  const sorted = [...deps].sort((a, b) => byteOrder(a.name, b.name) || byteOrder(a.version, b.version) || a.flags - b.flags);
  return sorted.filter((d, i) => i === 0 || d.name !== sorted[i - 1].name || d.version !== sorted[i - 1].version || d.flags !== sorted[i - 1].flags);
}

/**
 * The dependency sets rpmbuild would write: the spec's own plus the automatic ones (self and ISA provides,
 * config() provide/require pair for %config files, rpmlib() features the package format needs).
 */
export function dependencySets(spec: ResolvedSpec): Record<DependencyKind, Dep[]> {
  const sets = {} as Record<DependencyKind, Dep[]>;
  for (const kind of Object.keys(DEP_TAGS) as DependencyKind[]) sets[kind] = spec.dependencies[kind].map(explicit);
  const evr = evrOf(spec);
  sets.provides.push({ name: spec.name, flags: Sense.EQUAL, version: evr });
  const isa = ISA[spec.arch];
  if (!spec.source && isa) sets.provides.push({ name: `${spec.name}(${isa})`, flags: Sense.EQUAL, version: evr });
  if (!spec.source && spec.files.some((f) => f.type === 'config')) {
    const config = { name: `config(${spec.name})`, flags: Sense.CONFIG | Sense.EQUAL, version: evr };
    sets.provides.push(config);
    sets.requires.push({ ...config });
  }

  sets.requires.push(rpmlib('CompressedFileNames', '3.0.4-1'), rpmlib('FileDigests', '4.6.0-1'));
  if (!spec.source) sets.requires.push(rpmlib('PayloadFilesHavePrefix', '4.0-1'));
  const all = Object.values(sets).flat();
  if (all.some((d) => d.version.includes('~'))) sets.requires.push(rpmlib('TildeInVersions', '4.10.0-1'));
  if (all.some((d) => d.version.includes('^'))) sets.requires.push(rpmlib('CaretInVersions', '4.15.0-1'));
  if (all.some((d) => d.name.startsWith('('))) sets.requires.push(rpmlib('RichDependencies', '4.12.0-1'));

  for (const kind of Object.keys(sets) as DependencyKind[]) sets[kind] = normalise(sets[kind]);
  return sets;
}

export function putDependencyTags(h: HeaderBuilder, spec: ResolvedSpec): void {
  const sets = dependencySets(spec);
  for (const kind of Object.keys(DEP_TAGS) as DependencyKind[]) {
    const tags = DEP_TAGS[kind];
    const deps = sets[kind];
    h.stringArray(tags.name, deps.map((d) => d.name));
    h.int32(tags.flags, deps.map((d) => d.flags));
    h.stringArray(tags.version, deps.map((d) => d.version));
  }
}
