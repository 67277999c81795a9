import { isChecksumType, isHexDigest } from '../checksum/index.js';
import { ErrorCodes, OvirtRepoError, ioError } from '../errors/index.js';
import { readRegularFile } from '../fs/regular-file.js';
import { repomdSizeLimit } from './metadata-limits.js';
import type { Repomd, RepomdChecksum, RepomdRecord, UnknownElement } from './repomd-model.js';
import { checkRoot } from './reader-common.js';
import { assertMetadataHref } from './safe-href.js';
import { XmlEventReader, type XmlHandler } from './xml-events.js';

export interface ReadRepomdOptions {
  /** Name used in errors; defaults to the path, or "repomd.xml" for XML given directly. */
  name?: string;
}

/**
 * Parses repomd.xml from a path, or from its XML (a Buffer, or a string starting with "<"). Every record
 * must have a type, a known checksum and a location href below repodata/ (else E_UNSAFE_PATH); records and
 * top-level elements it does not know are kept in `unknown`. A path must be a regular file of at most
 * MAX_REPOMD_SIZE bytes.
 */
export async function readRepomd(input: string | Uint8Array, options: ReadRepomdOptions = {}): Promise<Repomd> {
  let xml: Uint8Array | string;
  let name = options.name;
  if (typeof input === 'string' && !input.trimStart().startsWith('<')) {
    name ??= input;
    try {
      xml = await readRegularFile(input, repomdSizeLimit(input));
    } catch (err) {
      throw err instanceof OvirtRepoError ? err : ioError('read', input, err);
    }
  } else {
    xml = input;
  }
  return parseRepomd(xml, name ?? 'repomd.xml');
}

export function parseRepomd(xml: Uint8Array | string, name = 'repomd.xml'): Repomd {
  const repomd: Repomd = { records: [] };
  const reader = new XmlEventReader(name, (r) => new RepomdHandler(r, repomd));
  reader.write(xml);
  reader.close();
  return repomd;
}

const RECORD_NUMBERS = { size: 'size', 'open-size': 'openSize', 'header-size': 'headerSize', database_version: 'databaseVersion' } as const;
const RECORD_CHECKSUMS = { checksum: 'checksum', 'open-checksum': 'openChecksum', 'header-checksum': 'headerChecksum' } as const;

class RepomdHandler implements XmlHandler {
  private record: Partial<RepomdRecord> & { line?: number } = {};
  private inData = false;
  private inTags = false;
  private readonly attrStack: Array<Record<string, string>> = [];

  constructor(
    private readonly reader: XmlEventReader,
    private readonly repomd: Repomd,
  ) {}

  open(name: string, attrs: Record<string, string>, depth: number): void {
    this.attrStack.push(attrs);
    if (depth === 1) {
      checkRoot(this.reader, name, 'repomd');
    } else if (depth === 2 && name === 'data') {
      const type = attrs.type ?? '';
      if (!type) throw this.reader.invalid('has a <data> record without a type');
      if (this.repomd.records.some((r) => r.type === type)) throw this.reader.invalid(`has two "${type}" records`);
      this.record = { type, line: this.reader.line };
      this.inData = true;
    } else if (depth === 2 && name === 'tags') {
      this.repomd.tags ??= { content: [], repo: [], distro: [] };
      this.inTags = true;
    } else if (depth === 3 && this.inData && name === 'location') {
      this.record.location = { href: attrs.href ?? '' };
      if (attrs['xml:base'] !== undefined) this.record.location.base = attrs['xml:base'];
    }
  }

  close(name: string, text: string, depth: number): void {
    const attrs = this.attrStack.pop() ?? {};
    if (depth === 2) this.closeTopLevel(name, text, attrs);
    else if (depth === 3 && this.inData) this.closeRecordChild(name, text, attrs);
    else if (depth === 3 && this.inTags) this.closeTag(name, text, attrs);
  }

  private closeTopLevel(name: string, text: string, attrs: Record<string, string>): void {
    if (name === 'data') {
      this.repomd.records.push(this.finishRecord());
      this.inData = false;
    } else if (name === 'tags') {
      this.inTags = false;
    } else if (name === 'revision') {
      this.repomd.revision = text.trim();
    } else if (name === 'repoid' || name === 'contenthash') {
      this.repomd[name] = { value: text.trim(), ...(attrs.type !== undefined ? { type: attrs.type } : {}) };
    } else {
      (this.repomd.unknown ??= []).push(unknown(name, attrs, text));
    }
  }

  private closeRecordChild(name: string, text: string, attrs: Record<string, string>): void {
    const r = this.record;
    if (name in RECORD_CHECKSUMS) {
      r[RECORD_CHECKSUMS[name as keyof typeof RECORD_CHECKSUMS]] = this.checksum(name, attrs.type, text.trim());
    } else if (name in RECORD_NUMBERS) {
      r[RECORD_NUMBERS[name as keyof typeof RECORD_NUMBERS]] = this.integer(name, text);
    } else if (name === 'timestamp') {
      const t = Number(text.trim());
      if (text.trim() === '' || !Number.isFinite(t) || t < 0) throw this.reader.invalid(`has an invalid <timestamp> "${text.trim()}" in the "${r.type}" record`);
      r.timestamp = t;
    } else if (name !== 'location') {
      (r.unknown ??= []).push(unknown(name, attrs, text));
    }
  }

  private closeTag(name: string, text: string, attrs: Record<string, string>): void {
    const tags = this.repomd.tags;
    if (!tags) return;
    if (name === 'content') tags.content.push(text.trim());
    else if (name === 'repo') tags.repo.push(text.trim());
    else if (name === 'distro') tags.distro.push({ value: text.trim(), ...(attrs.cpeid !== undefined ? { cpeid: attrs.cpeid } : {}) });
  }

  private finishRecord(): RepomdRecord {
    const { line, ...r } = this.record;
    const where = `the "${r.type}" record`;
    if (!r.checksum) throw this.reader.invalid(`has no <checksum> in ${where}`, undefined, line);
    if (!r.location) throw this.reader.invalid(`has no <location> in ${where}`, undefined, line);
    if (r.location.base !== undefined) {
      throw new OvirtRepoError(
        ErrorCodes.UNSAFE_PATH,
        `${this.reader.fileName}: ${where} (line ${line}) sets xml:base "${r.location.base}"; metadata must lie in the repository's own repodata/`,
        { target: this.reader.fileName, data: { recordType: r.type, base: r.location.base } },
      );
    }
    assertMetadataHref(r.location.href, r.type ?? '', this.reader.fileName);
    return r as RepomdRecord;
  }

  private checksum(element: string, type: string | undefined, value: string): RepomdChecksum {
    const t = (type ?? '').toLowerCase();
    if (!isChecksumType(t)) throw this.reader.invalid(`has an unknown checksum type "${type ?? ''}" in <${element}> of the "${this.record.type}" record`);
    if (!isHexDigest(t, value)) throw this.reader.invalid(`has a malformed ${t} value "${value}" in <${element}> of the "${this.record.type}" record`);
    return { type: t, value: value.toLowerCase() };
  }

  private integer(element: string, text: string): number {
    const v = text.trim();
    if (!/^\d+$/.test(v) || !Number.isSafeInteger(Number(v))) {
      throw this.reader.invalid(`has an invalid <${element}> "${v}" in the "${this.record.type}" record`);
    }
    return Number(v);
  }
}

function unknown(name: string, attributes: Record<string, string>, text: string): UnknownElement {
  return { name, attributes: { ...attributes }, text: text.trim() };
}
