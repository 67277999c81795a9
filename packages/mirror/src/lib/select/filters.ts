import { globToRegExp } from './glob.js';

export interface Nevra {
  name: string;
  epoch?: string;
  version: string;
  release: string;
  arch: string;
}

/**
 * The spellings of a package a yum/dnf include or exclude pattern is matched against (yum's
 * parsePackages): name, name.arch, name-ver, name-ver-rel, name-ver-rel.arch, name-epoch:ver-rel.arch and
 * epoch:name-ver-rel.arch.
 */
export function packageSpellings(p: Nevra): string[] {
  const e = p.epoch && p.epoch !== '' ? p.epoch : '0';
  return [
    p.name,
    `${p.name}.${p.arch}`,
    `${p.name}-${p.version}`,
    `${p.name}-${p.version}-${p.release}`,
    `${p.name}-${p.version}-${p.release}.${p.arch}`,
    `${p.name}-${e}:${p.version}-${p.release}.${p.arch}`,
    `${e}:${p.name}-${p.version}-${p.release}.${p.arch}`,
  ];
}

export interface PackageFilter {
  (p: Nevra): boolean;
}

export interface FilterOptions {
  /** Architectures to keep; `noarch` is always kept, `src` only when listed. */
  arch?: string[];
  /** includepkgs: when given, only matching packages are kept. */
  include?: string[];
  /** exclude/excludepkgs: matching packages are dropped. */
  exclude?: string[];
}

export function makeFilter(options: FilterOptions): PackageFilter {
  const arches = options.arch && options.arch.length > 0 ? new Set([...options.arch, 'noarch']) : undefined;
  const inc = (options.include ?? []).map(globToRegExp);
  const exc = (options.exclude ?? []).map(globToRegExp);
  return (p) => {
    if (arches && !arches.has(p.arch)) return false;
    if (inc.length === 0 && exc.length === 0) return true;
    const names = packageSpellings(p);
    if (inc.length > 0 && !inc.some((re) => names.some((n) => re.test(n)))) return false;
    if (exc.some((re) => names.some((n) => re.test(n)))) return false;
    return true;
  };
}
