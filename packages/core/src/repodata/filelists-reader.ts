import type { ChangelogEntry, FileType, PackageFile } from './model.js';
import { XmlEventReader, type XmlHandler } from './xml-events.js';
import { parseSource, sourceName, type ReadXmlOptions, type XmlSource } from './xml-source.js';
import { checkRoot, fileType, parseCount, parseNumber } from './reader-common.js';

/** Identity attributes shared by filelists.xml and other.xml packages; pkgid is the package checksum. */
export interface PackageIdentity {
  pkgid: string;
  name: string;
  arch: string;
  epoch: string;
  version: string;
  release: string;
}

export interface FilelistsPackage extends PackageIdentity {
  files: PackageFile[];
}

export interface OtherPackage extends PackageIdentity {
  changelogs: ChangelogEntry[];
}

/** How filelists.xml and other.xml are read. */
export interface ReadPackageFilesOptions extends ReadXmlOptions {
  /**
   * Only the packages of these pkgids (lower case): the others are parsed as XML (the file is still
   * checked whole) but nothing is built of them, so reading a few packages of a large file costs little
   * more than parsing it.
   */
  pkgids?: ReadonlySet<string>;
}

/** Streams filelists.xml package by package. */
export function readFilelists(source: XmlSource, options: ReadPackageFilesOptions = {}): AsyncIterable<FilelistsPackage> {
  const done: FilelistsPackage[] = [];
  const reader = new XmlEventReader(sourceName(source, options), (r) => new FilelistsHandler(r, done, options));
  return parseSource(source, options, reader, () => done.splice(0));
}

/** Streams other.xml (changelogs) package by package. */
export function readOther(source: XmlSource, options: ReadPackageFilesOptions = {}): AsyncIterable<OtherPackage> {
  const done: OtherPackage[] = [];
  const reader = new XmlEventReader(sourceName(source, options), (r) => new OtherHandler(r, done, options));
  return parseSource(source, options, reader, () => done.splice(0));
}

/** The `<package pkgid name arch><version .../>...</package>` frame both files share. */
abstract class IdentityHandler<T extends PackageIdentity> implements XmlHandler {
  protected pkg: T | undefined;
  private sawVersion = false;

  constructor(
    protected readonly reader: XmlEventReader,
    private readonly done: T[],
    private readonly options: ReadPackageFilesOptions,
    private readonly root: string,
  ) {}

  protected abstract create(identity: PackageIdentity): T;
  protected abstract openChild(name: string, attrs: Record<string, string>): void;
  protected abstract closeChild(pkg: T, name: string, text: string): void;

  open(name: string, attrs: Record<string, string>, depth: number): void {
    if (depth === 1) {
      checkRoot(this.reader, name, this.root);
      this.options.onRoot?.({ packages: parseCount(this.reader, attrs.packages) });
    } else if (depth === 2 && name === 'package') {
      const pkgid = (attrs.pkgid ?? '').toLowerCase();
      if (!pkgid) throw this.reader.invalid('has a <package> without a pkgid');
      // An unwanted package's children then find no package to add to.
      if (this.options.pkgids && !this.options.pkgids.has(pkgid)) {
        this.pkg = undefined;
        return;
      }
      const identity = { pkgid, name: attrs.name ?? '', arch: attrs.arch ?? '', epoch: '0', version: '', release: '' };
      this.pkg = this.create(identity);
      this.sawVersion = false;
    } else if (this.pkg && depth === 3 && name === 'version') {
      this.pkg.epoch = attrs.epoch || '0';
      this.pkg.version = attrs.ver ?? '';
      this.pkg.release = attrs.rel ?? '';
      this.sawVersion = true;
    } else if (this.pkg && depth === 3) {
      this.openChild(name, attrs);
    }
  }

  close(name: string, text: string, depth: number): void {
    if (!this.pkg) return;
    if (depth === 2 && name === 'package') {
      if (!this.sawVersion) throw this.reader.invalid(`has a <package> (${this.pkg.pkgid}) without <version>`);
      this.done.push(this.pkg);
      this.pkg = undefined;
    } else if (depth === 3) {
      this.closeChild(this.pkg, name, text);
    }
  }
}

class FilelistsHandler extends IdentityHandler<FilelistsPackage> {
  private fileType: FileType = 'file';

  constructor(reader: XmlEventReader, done: FilelistsPackage[], options: ReadPackageFilesOptions) {
    super(reader, done, options, 'filelists');
  }

  protected create(identity: PackageIdentity): FilelistsPackage {
    return { ...identity, files: [] };
  }

  protected openChild(name: string, attrs: Record<string, string>): void {
    if (name === 'file') this.fileType = fileType(attrs.type);
  }

  protected closeChild(pkg: FilelistsPackage, name: string, text: string): void {
    if (name === 'file') pkg.files.push({ path: text, type: this.fileType });
  }
}

class OtherHandler extends IdentityHandler<OtherPackage> {
  private entry: ChangelogEntry | undefined;

  constructor(reader: XmlEventReader, done: OtherPackage[], options: ReadPackageFilesOptions) {
    super(reader, done, options, 'otherdata');
  }

  protected create(identity: PackageIdentity): OtherPackage {
    return { ...identity, changelogs: [] };
  }

  protected openChild(name: string, attrs: Record<string, string>): void {
    if (name === 'changelog') {
      this.entry = { author: attrs.author ?? '', date: parseNumber(this.reader, attrs.date, 'changelog date'), text: '' };
    }
  }

  protected closeChild(pkg: OtherPackage, name: string, text: string): void {
    if (name === 'changelog' && this.entry) {
      this.entry.text = text;
      pkg.changelogs.push(this.entry);
      this.entry = undefined;
    }
  }
}
