import * as xml from './package-xml.js';
import type { CoreRecordType } from './repomd-model.js';

const LAYOUT: Record<CoreRecordType, { header: (n: number) => string; footer: string; start: string }> = {
  primary: { header: xml.primaryHeader, footer: xml.PRIMARY_FOOTER, start: '<package type="rpm">\n' },
  filelists: { header: xml.filelistsHeader, footer: xml.FILELISTS_FOOTER, start: '<package pkgid="' },
  other: { header: xml.otherHeader, footer: xml.OTHER_FOOTER, start: '<package pkgid="' },
};
const END = '</package>\n';
/** The header (XML declaration and root start tag) is within this many characters. */
const HEADER_WINDOW = 512;
const HEADER = /^<\?xml[^>]*\?>\n<[a-z]+ [^>]*packages="(\d+)">\n/;

/** Where each entry of a file of `type` starts: what a key is read from (see keyPackageEntries). */
export function entryStart(type: CoreRecordType): string {
  return LAYOUT[type].start;
}

/**
 * Splits the text of a primary, filelists or other file into its package entries as the text arrives, in
 * the exact layout of package-xml.ts only: its header with the right packages="N", N entries, its footer.
 * Holds only the entry being read besides the entries found, and says as soon as the text departs from the
 * layout, so a reader can stop there. Text and attribute values are escaped in that layout, so
 * `</package>` can only be an end tag. createrepo_c 0.17 writes the same layout.
 */
export class EntrySplitter {
  private readonly layout: (typeof LAYOUT)[CoreRecordType];
  private pending = '';
  private pos = 0;
  /** From where in `pending` to look for the end of the entry at `pos` (what was searched had none). */
  private searchFrom = 0;
  private count: number | undefined;
  private failed = false;
  readonly entries: string[] = [];

  constructor(type: CoreRecordType) {
    this.layout = LAYOUT[type];
  }

  /** Takes more of the text; false once it is known not to be in the layout (feed it no more). */
  write(text: string): boolean {
    if (this.failed) return false;
    this.pending = this.pos === 0 ? this.pending + text : this.pending.slice(this.pos) + text;
    this.searchFrom -= this.pos;
    this.pos = 0;
    if (this.count === undefined && !this.readHeader(false)) return !this.failed;
    this.readEntries();
    return !this.failed;
  }

  /** The entries, once all the text was written; undefined when it is not in the layout. */
  end(): string[] | undefined {
    if (this.failed || (this.count === undefined && !this.readHeader(true))) return undefined;
    this.readEntries();
    if (this.failed || this.entries.length !== this.count) return undefined;
    return this.pending.slice(this.pos) === this.layout.footer ? this.entries : undefined;
  }

  private readHeader(final: boolean): boolean {
    const m = HEADER.exec(this.pending.slice(0, HEADER_WINDOW));
    if (!m) {
      if (final || this.pending.length >= HEADER_WINDOW) this.failed = true;
      return false;
    }
    const header = this.layout.header(Number(m[1]));
    if (this.pending.length < header.length && !final) {
      if (!header.startsWith(this.pending)) this.failed = true;
      return false;
    }
    if (!this.pending.startsWith(header)) {
      this.failed = true;
      return false;
    }
    this.count = Number(m[1]);
    this.pos = this.searchFrom = header.length;
    return true;
  }

  private readEntries(): void {
    const { start, footer } = this.layout;
    const text = this.pending;
    while (this.entries.length < (this.count ?? 0)) {
      if (text.length - this.pos < start.length) {
        if (!start.startsWith(text.slice(this.pos))) this.failed = true;
        return;
      }
      if (!text.startsWith(start, this.pos)) {
        this.failed = true;
        return;
      }
      const end = text.indexOf(END, Math.max(this.pos, this.searchFrom));
      if (end < 0) {
        this.searchFrom = Math.max(this.pos, text.length - END.length + 1);
        return;
      }
      this.entries.push(text.slice(this.pos, end + END.length));
      this.pos = this.searchFrom = end + END.length;
    }
    const rest = text.length - this.pos;
    if (rest > footer.length || !footer.startsWith(text.slice(this.pos))) this.failed = true;
  }
}
