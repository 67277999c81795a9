import { isChecksumType } from '../checksum/index.js';
import type { Dependency, DependencyFlag, FileType, PackageRecord } from './model.js';
import { XmlEventReader, type XmlHandler } from './xml-events.js';
import { parseSource, sourceName, type ReadXmlOptions, type XmlSource } from './xml-source.js';
import { checkRoot, fileType, parseCount, parseNumber } from './reader-common.js';

/** A package as primary.xml describes it: everything but changelogs, and only the primary subset of files. */
export type PrimaryPackage = Omit<PackageRecord, 'changelogs'>;

const DEP_LISTS = new Set(['provides', 'requires', 'conflicts', 'obsoletes', 'suggests', 'enhances', 'recommends', 'supplements']);
const FLAGS = new Set<string>(['EQ', 'LT', 'GT', 'LE', 'GE']);
const TEXT_FIELDS = new Set(['name', 'arch', 'summary', 'description', 'packager', 'url']);
const FORMAT_TEXT_FIELDS = new Set(['license', 'vendor', 'group', 'buildhost', 'sourcerpm']);
type DepList = keyof Pick<PackageRecord['format'], 'provides' | 'requires' | 'conflicts' | 'obsoletes' | 'suggests' | 'enhances' | 'recommends' | 'supplements'>;

/** Streams primary.xml[.gz|.xz|.zst|.bz2] package by package. */
export function readPrimary(source: XmlSource, options: ReadXmlOptions = {}): AsyncIterable<PrimaryPackage> {
  const done: PrimaryPackage[] = [];
  const reader = new XmlEventReader(sourceName(source, options), (r) => new PrimaryHandler(r, done, options));
  return parseSource(source, options, reader, () => done.splice(0));
}

class PrimaryHandler implements XmlHandler {
  private pkg: PrimaryPackage | undefined;
  private seen = new Set<string>();
  private deps: Dependency[] | undefined;
  private fileType: FileType = 'file';

  constructor(
    private readonly reader: XmlEventReader,
    private readonly done: PrimaryPackage[],
    private readonly options: ReadXmlOptions,
  ) {}

  open(name: string, attrs: Record<string, string>, depth: number): void {
    if (depth === 1) {
      checkRoot(this.reader, name, 'metadata');
      this.options.onRoot?.({ packages: parseCount(this.reader, attrs.packages) });
      return;
    }
    if (depth === 2) {
      if (name === 'package') {
        this.pkg = emptyPackage();
        this.seen.clear();
      }
      return;
    }
    const p = this.pkg;
    if (!p) return;
    this.seen.add(name);
    switch (name) {
      case 'version':
        p.epoch = attrs.epoch || '0';
        p.version = attrs.ver ?? '';
        p.release = attrs.rel ?? '';
        break;
      case 'checksum': {
        const type = attrs.type ?? '';
        if (!isChecksumType(type)) throw this.reader.invalid(`has an unknown package checksum type "${type}"`);
        p.checksum.type = type;
        break;
      }
      case 'time':
        p.time = { file: this.num(attrs.file), build: this.num(attrs.build) };
        break;
      case 'size':
        p.size = { package: this.num(attrs.package), installed: this.num(attrs.installed), archive: this.num(attrs.archive) };
        break;
      case 'location':
        p.location = { href: attrs.href ?? '' };
        if (attrs['xml:base']) p.location.base = attrs['xml:base'];
        break;
      case 'header-range':
        p.format.headerRange = { start: this.num(attrs.start), end: this.num(attrs.end) };
        break;
      case 'entry':
        if (this.deps) this.deps.push(this.dependency(attrs));
        break;
      case 'file':
        this.fileType = fileType(attrs.type);
        break;
      default:
        if (DEP_LISTS.has(name)) this.deps = p.format[name as DepList];
    }
  }

  close(name: string, text: string, depth: number): void {
    const p = this.pkg;
    if (!p) return;
    if (depth === 2 && name === 'package') {
      this.finishPackage(p);
      return;
    }
    if (depth === 3 && TEXT_FIELDS.has(name)) {
      (p as unknown as Record<string, string>)[name] = text;
    } else if (depth === 3 && name === 'checksum') {
      p.checksum.value = text.trim().toLowerCase();
    } else if (depth === 4 && FORMAT_TEXT_FIELDS.has(name)) {
      (p.format as unknown as Record<string, string>)[name] = text;
    } else if (name === 'file') {
      p.files.push({ path: text, type: this.fileType });
    } else if (DEP_LISTS.has(name)) {
      this.deps = undefined;
    }
  }

  private finishPackage(p: PrimaryPackage): void {
    for (const required of ['name', 'arch', 'version', 'checksum', 'location']) {
      if (!this.seen.has(required)) throw this.reader.invalid(`has a <package> without <${required}>`);
    }
    if (!p.checksum.value) throw this.reader.invalid(`has a <package> (${p.name}) with an empty <checksum>`);
    if (!p.location.href) throw this.reader.invalid(`has a <package> (${p.name}) without a location href`);
    this.done.push(p);
    this.pkg = undefined;
  }

  private dependency(attrs: Record<string, string>): Dependency {
    const d: Dependency = { name: attrs.name ?? '' };
    if (attrs.flags !== undefined) {
      if (!FLAGS.has(attrs.flags)) throw this.reader.invalid(`has an unknown dependency flag "${attrs.flags}"`);
      d.flags = attrs.flags as DependencyFlag;
    }
    if (attrs.epoch !== undefined) d.epoch = attrs.epoch;
    if (attrs.ver !== undefined) d.version = attrs.ver;
    if (attrs.rel !== undefined) d.release = attrs.rel;
    if (attrs.pre === '1' || attrs.pre === 'true') d.pre = true;
    return d;
  }

  private num(value: string | undefined): number {
    return parseNumber(this.reader, value);
  }
}

function emptyPackage(): PrimaryPackage {
  return {
    name: '',
    arch: '',
    epoch: '0',
    version: '',
    release: '',
    checksum: { type: 'sha256', value: '' },
    summary: '',
    description: '',
    packager: '',
    url: '',
    time: { file: 0, build: 0 },
    size: { package: 0, installed: 0, archive: 0 },
    location: { href: '' },
    format: {
      license: '',
      vendor: '',
      group: '',
      buildhost: '',
      sourcerpm: '',
      headerRange: { start: 0, end: 0 },
      provides: [],
      requires: [],
      conflicts: [],
      obsoletes: [],
      suggests: [],
      enhances: [],
      recommends: [],
      supplements: [],
    },
    files: [],
  };
}
