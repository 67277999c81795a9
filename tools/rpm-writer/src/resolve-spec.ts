import {
  DEFAULT_BUILD_TIME,
  type DependencyFlag,
  type RpmChangelog,
  type RpmDependencies,
  type RpmFileType,
  type RpmSpec,
} from './spec.js';

/** A spec that cannot make a valid package. `field` names the offending input, e.g. `files[2].path`. */
export class RpmSpecError extends Error {
  readonly field: string;

  constructor(field: string, message: string) {
    super(`invalid RPM spec: ${field} ${message}`);
    this.name = 'RpmSpecError';
    this.field = field;
  }
}

export type DependencyKind = keyof RpmDependencies;
export const DEPENDENCY_KINDS: readonly DependencyKind[] = [
  'provides',
  'requires',
  'conflicts',
  'obsoletes',
  'recommends',
  'suggests',
  'supplements',
  'enhances',
];

export interface ResolvedDependency {
  name: string;
  flags?: DependencyFlag;
  version: string;
  pre: boolean;
}

export interface ResolvedFile {
  path: string;
  type: RpmFileType;
  contents: Buffer;
  perms: number;
  linkTo: string;
  mtime: number;
  user: string;
  group: string;
}

/** The spec with every default applied and every field checked. */
export interface ResolvedSpec {
  name: string;
  epoch?: number;
  version: string;
  release: string;
  arch: string;
  source: boolean;
  summary: string;
  description: string;
  license: string;
  group: string;
  url?: string;
  vendor?: string;
  packager?: string;
  buildhost: string;
  buildtime: number;
  sourcerpm?: string;
  dependencies: Record<DependencyKind, ResolvedDependency[]>;
  files: ResolvedFile[];
  changelogs: RpmChangelog[];
  hardlinkDuplicatesIn?: string;
}

const NAME_RE = /^[A-Za-z0-9_+][A-Za-z0-9._+-]*$/;
// rpm reserves '-' as the version/release separator; '~' and '^' are rpm's pre/post-release markers.
const VERSION_RE = /^[A-Za-z0-9._+~^]+$/;
const ARCH_RE = /^[A-Za-z0-9_]+$/;
const EVR_RE = /^(?:\d+:)?[A-Za-z0-9._+~^]+(?:-[A-Za-z0-9._+~^]+)?$/;
const OWNER_RE = /^[A-Za-z0-9._][A-Za-z0-9._-]*$/;
const FLAGS: readonly DependencyFlag[] = ['EQ', 'LT', 'GT', 'LE', 'GE'];
const FILE_TYPES: readonly RpmFileType[] = ['file', 'dir', 'symlink', 'ghost', 'config', 'doc', 'license'];
const DEFAULT_PERMS: Record<RpmFileType, number> = { file: 0o644, config: 0o644, doc: 0o644, license: 0o644, ghost: 0o644, dir: 0o755, symlink: 0o777 };
/** The types whose contents are in the payload. */
export const REGULAR_TYPES: readonly RpmFileType[] = ['file', 'config', 'doc', 'license'];

function text(field: string, value: unknown, opts: { line?: boolean; empty?: boolean } = {}): string {
  if (typeof value !== 'string') throw new RpmSpecError(field, `must be a string, got ${typeof value}`);
  if (!opts.empty && value.trim() === '') throw new RpmSpecError(field, 'must not be empty');
  if (value.includes('\0')) throw new RpmSpecError(field, 'must not contain NUL characters');
  if (opts.line && /[\r\n]/.test(value)) throw new RpmSpecError(field, 'must be a single line');
  return value;
}

function matching(field: string, value: unknown, re: RegExp, what: string): string {
  const s = text(field, value);
  if (!re.test(s)) throw new RpmSpecError(field, `${JSON.stringify(s)} ${what}`);
  return s;
}

function uint32(field: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > 0xffffffff) {
    throw new RpmSpecError(field, `must be an integer from 0 to 4294967295, got ${String(value)}`);
  }
  return value;
}

function optionalText(field: string, value: unknown): string | undefined {
  return value === undefined ? undefined : text(field, value, { line: true });
}

function resolveDependency(field: string, dep: unknown, kind: DependencyKind): ResolvedDependency {
  if (typeof dep !== 'object' || dep === null) throw new RpmSpecError(field, 'must be an object');
  const d = dep as { name?: unknown; flags?: unknown; version?: unknown; pre?: unknown };
  const name = text(`${field}.name`, d.name, { line: true });
  const rich = name.startsWith('(');
  if (rich ? !name.endsWith(')') : /[\s,]/.test(name)) {
    throw new RpmSpecError(`${field}.name`, `${JSON.stringify(name)} must have no spaces or commas (or be a rich dependency in parentheses)`);
  }
  if (d.flags !== undefined && !FLAGS.includes(d.flags as DependencyFlag)) {
    throw new RpmSpecError(`${field}.flags`, `must be one of ${FLAGS.join(', ')}, got ${JSON.stringify(d.flags)}`);
  }
  if (d.pre !== undefined && (kind !== 'requires' || typeof d.pre !== 'boolean')) {
    throw new RpmSpecError(`${field}.pre`, 'is a boolean and only allowed on requires');
  }
  if (d.version === undefined) {
    if (d.flags !== undefined) throw new RpmSpecError(`${field}.flags`, 'needs a version to compare with');
    return { name, version: '', pre: d.pre === true };
  }
  if (rich) throw new RpmSpecError(`${field}.version`, 'is not allowed on a rich dependency');
  const version = matching(`${field}.version`, d.version, EVR_RE, 'is not an [E:]V[-R] version');
  return { name, flags: (d.flags as DependencyFlag | undefined) ?? 'EQ', version, pre: d.pre === true };
}

function checkPath(field: string, path: string, source: boolean): void {
  if (/[\0\n\r]/.test(path)) throw new RpmSpecError(field, 'must not contain NUL or newline characters');
  if (source) {
    if (path.includes('/') || path === '.' || path === '..') {
      throw new RpmSpecError(field, `${JSON.stringify(path)} must be a plain file name in a source package`);
    }
    return;
  }
  if (!path.startsWith('/')) throw new RpmSpecError(field, `${JSON.stringify(path)} must be absolute`);
  const parts = path.slice(1).split('/');
  if (path === '/' || parts.some((p) => p === '' || p === '.' || p === '..')) {
    throw new RpmSpecError(field, `${JSON.stringify(path)} must be normalised (no empty, "." or ".." parts, no trailing "/")`);
  }
}

function resolveFile(field: string, file: unknown, source: boolean, buildtime: number): ResolvedFile {
  if (typeof file !== 'object' || file === null) throw new RpmSpecError(field, 'must be an object');
  const f = file as Record<string, unknown>;
  const path = text(`${field}.path`, f.path);
  checkPath(`${field}.path`, path, source);
  const type = (f.type ?? 'file') as RpmFileType;
  if (!FILE_TYPES.includes(type)) throw new RpmSpecError(`${field}.type`, `must be one of ${FILE_TYPES.join(', ')}`);
  if (source && type !== 'file') throw new RpmSpecError(`${field}.type`, 'must be "file" in a source package');
  const hasContents = REGULAR_TYPES.includes(type);
  if (f.contents !== undefined && !hasContents) throw new RpmSpecError(`${field}.contents`, `is not allowed for a ${type}`);
  if (f.contents !== undefined && typeof f.contents !== 'string' && !Buffer.isBuffer(f.contents)) {
    throw new RpmSpecError(`${field}.contents`, 'must be a string or a Buffer');
  }
  let linkTo = '';
  if (type === 'symlink') linkTo = text(`${field}.linkTo`, f.linkTo, { line: true });
  else if (f.linkTo !== undefined) throw new RpmSpecError(`${field}.linkTo`, 'is only allowed for a symlink');
  const perms = f.mode === undefined ? DEFAULT_PERMS[type] : uint32(`${field}.mode`, f.mode);
  if (perms > 0o7777) throw new RpmSpecError(`${field}.mode`, `must hold permission bits only (at most 0o7777), got 0o${perms.toString(8)}`);
  const contents = f.contents === undefined ? Buffer.alloc(0) : Buffer.from(f.contents as string | Buffer);
  return {
    path,
    type,
    contents,
    perms,
    linkTo,
    mtime: f.mtime === undefined ? buildtime : uint32(`${field}.mtime`, f.mtime),
    user: f.user === undefined ? 'root' : matching(`${field}.user`, f.user, OWNER_RE, 'is not a valid user name'),
    group: f.group === undefined ? 'root' : matching(`${field}.group`, f.group, OWNER_RE, 'is not a valid group name'),
  };
}

/** Installing /a/b needs /a to be a directory, so a listed /a of any other type can never work. */
function checkFileTree(files: readonly ResolvedFile[]): void {
  const byPath = new Map<string, number>();
  files.forEach((f, i) => {
    const seen = byPath.get(f.path);
    if (seen !== undefined) throw new RpmSpecError(`files[${i}].path`, `${JSON.stringify(f.path)} is also files[${seen}]`);
    byPath.set(f.path, i);
  });
  files.forEach((f, i) => {
    for (let cut = f.path.lastIndexOf('/'); cut > 0; cut = f.path.lastIndexOf('/', cut - 1)) {
      const parent = byPath.get(f.path.slice(0, cut));
      if (parent !== undefined && files[parent].type !== 'dir') {
        throw new RpmSpecError(`files[${i}].path`, `${JSON.stringify(f.path)} is below files[${parent}], which is a ${files[parent].type}, not a dir`);
      }
    }
  });
}

function defaultSpecFile(s: { name: string; epoch?: number; version: string; release: string; summary: string; license: string }): string {
  const epoch = s.epoch === undefined ? '' : `Epoch: ${s.epoch}\n`;
  return `Name: ${s.name}\n${epoch}Version: ${s.version}\nRelease: ${s.release}\nSummary: ${s.summary}\nLicense: ${s.license}\n\n%description\n${s.summary}\n\n%files\n`;
}

/** Checks a spec and fills in every default; throws RpmSpecError naming the first bad field. */
export function resolveSpec(spec: RpmSpec): ResolvedSpec {
  if (typeof spec !== 'object' || spec === null) throw new RpmSpecError('spec', 'must be an object');
  const name = matching('name', spec.name, NAME_RE, 'may only hold letters, digits and . _ + - (and not start with . or -)');
  const version = matching('version', spec.version, VERSION_RE, 'may only hold letters, digits and . _ + ~ ^');
  const release = matching('release', spec.release, VERSION_RE, 'may only hold letters, digits and . _ + ~ ^');
  const arch = matching('arch', spec.arch, ARCH_RE, 'may only hold letters, digits and _');
  const epoch = spec.epoch === undefined ? undefined : uint32('epoch', spec.epoch);
  const source = spec.source ?? false;
  if (typeof source !== 'boolean') throw new RpmSpecError('source', 'must be a boolean');
  const summary = spec.summary === undefined ? `${name} test package` : text('summary', spec.summary, { line: true });
  const license = spec.license === undefined ? 'MIT' : text('license', spec.license, { line: true });
  const buildtime = spec.buildtime === undefined ? DEFAULT_BUILD_TIME : uint32('buildtime', spec.buildtime);
  let sourcerpm: string | undefined;
  if (source) {
    if (spec.sourcerpm !== undefined) throw new RpmSpecError('sourcerpm', 'is not allowed in a source package');
  } else {
    sourcerpm = spec.sourcerpm === undefined ? `${name}-${version}-${release}.src.rpm` : matching('sourcerpm', spec.sourcerpm, /^[^/\s]+$/, 'must be a file name');
  }

  const dependencies = {} as Record<DependencyKind, ResolvedDependency[]>;
  const given = spec.dependencies ?? {};
  for (const key of Object.keys(given)) {
    if (!DEPENDENCY_KINDS.includes(key as DependencyKind)) throw new RpmSpecError(`dependencies.${key}`, `is unknown; use ${DEPENDENCY_KINDS.join(', ')}`);
  }
  for (const kind of DEPENDENCY_KINDS) {
    const list: unknown = given[kind] ?? [];
    if (!Array.isArray(list)) throw new RpmSpecError(`dependencies.${kind}`, 'must be an array');
    dependencies[kind] = list.map((d, i) => resolveDependency(`dependencies.${kind}[${i}]`, d, kind));
  }

  const rawFiles: unknown = spec.files ?? (source ? [{ path: `${name}.spec`, contents: defaultSpecFile({ name, epoch, version, release, summary, license }) }] : []);
  if (!Array.isArray(rawFiles)) throw new RpmSpecError('files', 'must be an array');
  const files = rawFiles.map((f, i) => resolveFile(`files[${i}]`, f, source, buildtime));
  checkFileTree(files);

  const rawLogs: unknown = spec.changelogs ?? [];
  if (!Array.isArray(rawLogs)) throw new RpmSpecError('changelogs', 'must be an array');
  const changelogs = rawLogs.map((c: Partial<RpmChangelog>, i) => ({
    time: uint32(`changelogs[${i}].time`, c?.time),
    author: text(`changelogs[${i}].author`, c?.author, { line: true }),
    text: text(`changelogs[${i}].text`, c?.text, { empty: true }),
  }));

  return {
    name,
    epoch,
    version,
    release,
    arch,
    source,
    summary,
    description: spec.description === undefined ? summary : text('description', spec.description, { empty: true }),
    license,
    group: spec.group === undefined ? 'Unspecified' : text('group', spec.group, { line: true }),
    url: optionalText('url', spec.url),
    vendor: optionalText('vendor', spec.vendor),
    packager: optionalText('packager', spec.packager),
    buildhost: spec.buildhost === undefined ? 'localhost' : matching('buildhost', spec.buildhost, /^\S+$/, 'must not contain spaces'),
    buildtime,
    sourcerpm,
    dependencies,
    files,
    changelogs,
    hardlinkDuplicatesIn: spec.hardlinkDuplicatesIn === undefined ? undefined : matching('hardlinkDuplicatesIn', spec.hardlinkDuplicatesIn, /^(\/[^/\0]+)+$/, 'must be an absolute directory path'),
  };
}
