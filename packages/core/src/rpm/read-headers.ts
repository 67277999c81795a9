import { closeSync, openSync, readSync } from 'node:fs';
import { ioError } from '../errors/index.js';
import { HEADER_INTRO_SIZE, RpmHeader, headerSize, parseHeaderIntro } from './header.js';
import { rpmInvalid } from './rpm-error.js';

export const RPM_LEAD_SIZE = 96;
const LEAD_MAGIC = 0xedabeedb;
/** Most packages' headers fit in this, so one read usually gets everything. */
const FIRST_READ = 64 * 1024;

export interface RpmLead {
  major: number;
  minor: number;
  /** 0 binary, 1 source. Informational only: rpm itself ignores it. */
  type: number;
}

export interface RpmHeaders {
  path: string;
  lead: RpmLead;
  signature: RpmHeader;
  main: RpmHeader;
  /**
   * Byte range of the main header as createrepo_c reports it in `rpm:header-range`: start is the end of the
   * (8-byte padded) signature header, end is the first byte after the main header (the payload start).
   */
  headerRange: { start: number; end: number };
}

/** Reads lead, signature header and main header of `path`, and nothing of the payload. */
export async function readRpmHeaders(path: string): Promise<RpmHeaders> {
  const fd = openRpm(path);
  try {
    return readHeadersFrom(fd, path).headers;
  } finally {
    closeSync(fd);
  }
}

/**
 * Header reads are small (one 64 KiB read for most packages) and synchronous on purpose: for thousands of
 * small packages the promise machinery of async file handles cost several times the I/O itself. Only the
 * payload hashing of large packages goes through async reads.
 */
export function openRpm(path: string): number {
  try {
    return openSync(path, 'r');
  } catch (e) {
    throw ioError('open', path, e);
  }
}

/** A buffer of the size of the first read, for readHeadersFrom's `scratch`. */
export function headerScratch(): Buffer {
  return Buffer.allocUnsafe(FIRST_READ);
}

/**
 * Reads the headers from an open file. Also returns every byte read so far (`prefix`, from offset 0; it may
 * extend past the headers) and whether that is the whole file, so a caller hashing the whole file can
 * continue from there without rereading.
 */
export function readHeadersFrom(fd: number, path: string, scratch?: Buffer): { headers: RpmHeaders; prefix: Buffer; wholeFile: boolean } {
  const reader = new PrefixReader(fd, path, scratch);
  reader.fill(FIRST_READ);

  const leadBytes = reader.need(RPM_LEAD_SIZE + HEADER_INTRO_SIZE, 'the lead');
  const magic = leadBytes.readUInt32BE(0);
  if (magic !== LEAD_MAGIC) {
    throw rpmInvalid(path, `not an RPM: bad lead magic 0x${magic.toString(16).padStart(8, '0')}`);
  }
  const lead: RpmLead = { major: leadBytes[4], minor: leadBytes[5], type: leadBytes.readUInt16BE(6) };

  const sigStart = RPM_LEAD_SIZE;
  const sigIntro = parseHeaderIntro(leadBytes, sigStart, sigStart, 'signature', path);
  const sigSize = headerSize(sigIntro.il, sigIntro.dl);
  const mainStart = sigStart + sigSize + ((8 - (sigSize % 8)) % 8);
  let buf = reader.need(mainStart + HEADER_INTRO_SIZE, 'the signature header');
  const signature = new RpmHeader('signature', buf.subarray(sigStart), sigIntro.il, sigIntro.dl, path);

  const mainIntro = parseHeaderIntro(buf, mainStart, mainStart, 'main', path);
  const mainEnd = mainStart + headerSize(mainIntro.il, mainIntro.dl);
  buf = reader.need(mainEnd, 'the main header');
  const main = new RpmHeader('main', buf.subarray(mainStart), mainIntro.il, mainIntro.dl, path);

  return {
    headers: { path, lead, signature, main, headerRange: { start: mainStart, end: mainEnd } },
    prefix: reader.bytes(),
    wholeFile: reader.atEof,
  };
}

/** Sequential reader of a file's first bytes that grows its buffer only when asked for more. */
class PrefixReader {
  private buf: Buffer = Buffer.alloc(0);
  private length = 0;
  private eof = false;

  get atEof(): boolean {
    return this.eof;
  }

  /** `scratch`: a buffer to read into first, reused across packages by callers that are done with one before the next. */
  constructor(
    private readonly fd: number,
    private readonly path: string,
    scratch?: Buffer,
  ) {
    if (scratch) this.buf = scratch;
  }

  bytes(): Buffer {
    return this.buf.subarray(0, this.length);
  }

  /** The first `n` bytes; a file shorter than that is a truncated package. */
  need(n: number, what: string): Buffer {
    this.fill(n);
    if (this.length < n) {
      throw rpmInvalid(this.path, `truncated RPM: file ends at byte ${this.length} while reading ${what} (needs ${n} bytes)`);
    }
    return this.buf;
  }

  /** Reads until at least `n` bytes are buffered or the file ends. */
  fill(n: number): void {
    if (this.length >= n || this.eof) return;
    if (this.buf.length < n) {
      const grown = Buffer.allocUnsafe(n);
      this.buf.copy(grown, 0, 0, this.length);
      this.buf = grown;
    }
    while (this.length < n) {
      let bytesRead: number;
      try {
        bytesRead = readSync(this.fd, this.buf, this.length, n - this.length, this.length);
      } catch (e) {
        throw ioError('read', this.path, e);
      }
      if (bytesRead === 0) {
        this.eof = true;
        return;
      }
      this.length += bytesRead;
    }
  }
}
