import type * as Saxes from 'saxes';
import type { SaxesParser, SaxesTagPlain } from 'saxes';
import { lazyRequire } from '../util/lazy-require.js';
import { ErrorCodes, OvirtRepoError } from '../errors/index.js';

const saxes = lazyRequire<typeof Saxes>('saxes');

/**
 * The most characters taken between two tags (a text, a comment, one tag with its attributes). saxes
 * gathers each such run into one string; repodata's longest are descriptions and changelog entries of
 * kilobytes, so a longer run is no repodata, and stopping it keeps a hostile file from growing a string
 * toward the engine's limit (hundreds of megabytes, then "Invalid string length").
 */
export const MAX_XML_RUN = 16 << 20;

/** Receives elements by local name (`rpm:entry` arrives as `entry`), with the text of leaf elements. */
export interface XmlHandler {
  /** `qname` is the name as written (`rpm:entry`). */
  open(name: string, attributes: Record<string, string>, depth: number, qname: string): void;
  /** `text` is the text directly inside the element since its start tag. */
  close(name: string, text: string, depth: number, qname: string): void;
  /** Every piece of character data (text and CDATA, decoded) as it comes, for handlers that keep it all. */
  text?(text: string): void;
}

/**
 * Push parser over saxes that turns XML syntax errors and invalid UTF-8 into E_REPODATA_INVALID errors
 * naming the file and line. Handlers throw `this.invalid(...)` for missing or bad content the same way.
 */
export class XmlEventReader {
  readonly fileName: string;
  private readonly parser: SaxesParser<{ xmlns: false; position: true }>;
  private readonly decoder = new TextDecoder('utf-8', { fatal: true });
  private depth = 0;
  private text = '';
  private sawRoot = false;
  /** Characters written since the last tag event (at most one chunk too few). */
  private sinceTag = 0;

  constructor(fileName: string, makeHandler: (reader: XmlEventReader) => XmlHandler) {
    this.fileName = fileName;
    const handler = makeHandler(this);
    this.parser = new (saxes().SaxesParser)({ xmlns: false, position: true });
    this.parser.on('opentag', (tag: SaxesTagPlain) => {
      this.sinceTag = 0;
      this.depth++;
      this.sawRoot = true;
      this.text = '';
      handler.open(localName(tag.name), tag.attributes as Record<string, string>, this.depth, tag.name);
    });
    this.parser.on('text', (text: string) => {
      this.text += text;
      handler.text?.(text);
    });
    this.parser.on('cdata', (text: string) => {
      this.text += text;
      handler.text?.(text);
    });
    this.parser.on('closetag', (tag: SaxesTagPlain) => {
      this.sinceTag = 0;
      const text = this.text;
      this.text = '';
      handler.close(localName(tag.name), text, this.depth, tag.name);
      this.depth--;
    });
  }

  /** The line the parser is on, for handler error messages. */
  get line(): number {
    return this.parser.line;
  }

  write(chunk: Uint8Array | string): void {
    let text: string;
    try {
      text = typeof chunk === 'string' ? chunk : this.decoder.decode(chunk, { stream: true });
    } catch {
      throw this.invalid('is not valid UTF-8', 'the file is corrupt or not repodata XML');
    }
    this.sinceTag += text.length;
    this.guard(() => this.parser.write(text));
    if (this.sinceTag > MAX_XML_RUN) {
      throw this.invalid(`has more than ${MAX_XML_RUN} characters without a tag (no text, comment or tag of repodata is that long)`, 'the file is corrupt or hostile; regenerate the repository metadata');
    }
  }

  close(): void {
    try {
      const rest = this.decoder.decode();
      if (rest) this.guard(() => this.parser.write(rest));
    } catch (err) {
      if (err instanceof OvirtRepoError) throw err;
      throw this.invalid('is not valid UTF-8 (it ends inside a character)', 'the file is truncated or corrupt');
    }
    if (!this.sawRoot) throw this.invalid('is empty or has no root element', 'the file is truncated or not XML');
    this.guard(() => this.parser.close());
  }

  /** An E_REPODATA_INVALID error at the current line. */
  invalid(problem: string, hint?: string, line = this.parser.line): OvirtRepoError {
    return new OvirtRepoError(ErrorCodes.REPODATA_INVALID, `${this.fileName} ${problem} at line ${line}`, {
      target: this.fileName,
      hint,
      data: { line },
    });
  }

  private guard(action: () => void): void {
    try {
      action();
    } catch (err) {
      if (err instanceof OvirtRepoError) throw err;
      const raw = err instanceof Error ? err.message : String(err);
      // saxes prefixes "line:column: "; the message carries the line in our own words instead.
      const m = /^(\d+):(\d+): (.*)$/s.exec(raw);
      const line = m ? Number(m[1]) : this.parser.line;
      const reason = m?.[3] ?? raw;
      throw new OvirtRepoError(
        ErrorCodes.REPODATA_INVALID,
        `${this.fileName} is not valid XML at line ${line}: ${reason}`,
        {
          target: this.fileName,
          hint: 'the file is truncated or corrupt; fetch it again or regenerate the repository metadata',
          data: { line, column: m ? Number(m[2]) : this.parser.column },
          cause: err,
        },
      );
    }
  }
}

function localName(qname: string): string {
  const colon = qname.indexOf(':');
  return colon < 0 ? qname : qname.slice(colon + 1);
}
