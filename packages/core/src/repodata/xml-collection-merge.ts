import type { Logger } from '../log/logger.js';
import type { MetadataInput } from './merge-input.js';
import { escapeAttrUtf8, escapeText } from './xml-escape.js';
import { XmlEventReader, type XmlHandler } from './xml-events.js';

/** A metadata document that is a collection of top-level elements, each identified by its `<id>` child. */
interface Collection {
  /** The metadata type, for messages. */
  type: string;
  root: string;
  /** What a top-level element is called in messages, by element name. */
  noun: (element: string) => string;
  /** Written between the XML declaration and the root element. */
  prolog: string;
}

const UPDATEINFO: Collection = { type: 'updateinfo', root: 'updates', noun: (e) => (e === 'update' ? 'advisory' : e), prolog: '' };
const COMPS: Collection = {
  type: 'group',
  root: 'comps',
  noun: (e) => e,
  prolog: '<!DOCTYPE comps PUBLIC "-//Red Hat, Inc.//DTD Comps info//EN" "comps.dtd">\n',
};

/**
 * Merges the updateinfo.xml of several repositories by advisory id: an advisory several of them carry
 * identically is kept once; one they describe differently is warned about, and the later repository's is
 * kept (it is the newer deploy, or the later --from). mergerepo_c writes an empty updateinfo instead.
 */
export function mergeUpdateinfo(inputs: readonly MetadataInput[], log: Logger): string {
  return mergeCollection(UPDATEINFO, inputs, log);
}

/**
 * Merges the comps (group) files of several repositories by group, category and environment id, with the
 * rules of mergeUpdateinfo. dnf reads every repository's groups the same way, a group's later definition
 * completing or replacing an earlier one; mergerepo_c keeps the first repository's file whole.
 */
export function mergeComps(inputs: readonly MetadataInput[], log: Logger): string {
  return mergeCollection(COMPS, inputs, log);
}

interface Element {
  /** The element as written back: tags, attributes and text, comments left out. */
  text: string;
  /** The same without whitespace-only text, to compare content. */
  canonical: string;
  from: string;
}

function mergeCollection(c: Collection, inputs: readonly MetadataInput[], log: Logger): string {
  const elements = new Map<string, Element>();
  let rootAttributes: string | undefined;
  for (const input of inputs) {
    const found: Found = { elements: [] };
    const reader = new XmlEventReader(input.file, (r) => new CollectionHandler(c, input.from, r, found));
    reader.write(input.text);
    reader.close();
    rootAttributes ??= found.rootAttributes;
    for (const { key, label, element } of found.elements) {
      const had = elements.get(key);
      if (had && had.canonical !== element.canonical) {
        log.warn(`${c.type}: ${label} differs between ${had.from} and ${element.from}; the merged metadata has the one of ${element.from}`);
      }
      if (!had || had.canonical !== element.canonical) elements.set(key, element);
    }
  }
  const body = [...elements.values()].map((e) => `  ${e.text}\n`).join('');
  return `<?xml version="1.0" encoding="UTF-8"?>\n${c.prolog}<${c.root}${rootAttributes ?? ''}>\n${body}</${c.root}>\n`;
}

/** What one document holds: its root's attributes and its top-level elements, each with its key. */
interface Found {
  rootAttributes?: string;
  elements: Array<{ key: string; label: string; element: Element }>;
}

/** Collects a document's top-level elements as text, each with its key (element name and `<id>`). */
class CollectionHandler implements XmlHandler {
  private depth = 0;
  private buffer = '';
  private canonical = '';
  private id?: string;
  private idText?: string;

  constructor(
    private readonly c: Collection,
    private readonly from: string,
    private readonly reader: XmlEventReader,
    private readonly found: Found,
  ) {}

  open(name: string, attributes: Record<string, string>, depth: number, qname: string): void {
    this.depth = depth;
    const attrs = Object.entries(attributes).map(([k, v]) => ` ${k}="${escapeAttrUtf8(v)}"`).join('');
    if (depth === 1) {
      if (name !== this.c.root) throw this.reader.invalid(`has root element <${qname}>, not <${this.c.root}>`, `the file is not ${this.c.type} metadata`);
      this.found.rootAttributes = attrs;
      return;
    }
    if (depth === 2) {
      this.buffer = '';
      this.canonical = '';
      this.id = undefined;
    }
    if (depth === 3 && name === 'id') this.idText = '';
    this.buffer += `<${qname}${attrs}>`;
    this.canonical += `<${qname}${attrs}>`;
  }

  text(text: string): void {
    if (this.depth < 2) return;
    if (this.idText !== undefined) this.idText += text;
    this.buffer += escapeText(text);
    if (text.trim() !== '') this.canonical += escapeText(text);
  }

  close(name: string, _text: string, depth: number, qname: string): void {
    this.depth = depth - 1;
    if (depth === 1) return;
    this.buffer += `</${qname}>`;
    this.canonical += `</${qname}>`;
    if (depth === 3 && name === 'id' && this.idText !== undefined) {
      this.id = this.idText.trim();
      this.idText = undefined;
    }
    if (depth === 2) {
      const id = this.id;
      this.found.elements.push({
        key: id !== undefined ? `${name} ${id}` : `${name} ${this.canonical}`,
        label: id !== undefined ? `${this.c.noun(name)} ${id}` : `a <${name}> element`,
        element: { text: this.buffer, canonical: this.canonical, from: this.from },
      });
    }
  }
}
