import type * as Yaml from 'yaml';
import type { LineCounter, Node } from 'yaml';
import { lazyRequire } from '../util/lazy-require.js';
import { ErrorCodes, OvirtRepoError } from '../errors/index.js';
import { jsonErrorOffset } from './json-error-offset.js';
import { displayUri } from './kind.js';
import { readUri, type ReadUriOptions, type ReadUriResult } from './read.js';

const yaml = lazyRequire<typeof Yaml>('yaml');

export type DocumentPath = ReadonlyArray<string | number>;

export interface StructuredDocument {
  /** The parsed value (plain objects, arrays, strings, numbers, booleans, null). */
  value: unknown;
  /** Where the document came from (for messages and for resolving relative references). */
  uri: string;
  /** 1-based line of the key (or list item) at `path`, when known, so errors can point at it. */
  lineOf(path: DocumentPath): number | undefined;
}

/**
 * Parse a JSON or YAML document, keeping enough position information to name the line of any key.
 * YAML 1.2 is a superset of JSON, so one parser serves both; duplicate keys are errors, as silently
 * keeping one of two conflicting entries would hide a mistake.
 */
export function parseStructuredText(input: string, uri: string): StructuredDocument {
  // Editors on some systems start files with a byte order mark; JSON.parse refuses it.
  const text = input.replace(/^\uFEFF/, '');
  const { LineCounter, parseDocument } = yaml();
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, uniqueKeys: true, prettyErrors: false });
  const lineOf = (path: DocumentPath) => (doc.errors.length === 0 ? locate(doc.contents, path, lineCounter) : undefined);
  // YAML accepts things JSON does not (`{"a": }`), so a document that looks like JSON must be valid JSON;
  // the YAML parse then only supplies line numbers.
  if (/^\s*[[{]/.test(text)) {
    try {
      return { value: JSON.parse(text) as unknown, uri, lineOf };
    } catch (e) {
      throw syntaxError(uri, 'JSON', jsonErrorLine(text), (e as Error).message);
    }
  }
  const first = doc.errors[0];
  if (first) throw syntaxError(uri, 'YAML', lineCounter.linePos(first.pos[0]).line, first.message.split('\n')[0] ?? first.message);
  return { value: doc.toJS({ maxAliasCount: 100 }) as unknown, uri, lineOf };
}

function syntaxError(uri: string, format: string, line: number | undefined, reason: string): OvirtRepoError {
  return new OvirtRepoError(ErrorCodes.CONFIG_INVALID, `${displayUri(uri)}${line ? `:${line}` : ''}: not valid ${format}: ${reason}`, {
    target: displayUri(uri),
    hint: `fix the ${format} syntax${line ? ' at that line' : ''}`,
    data: { uri, line },
  });
}

/** readUri, then parseStructuredText of the UTF-8 text. */
export async function readStructuredUri(uri: string, options: ReadUriOptions = {}): Promise<StructuredDocument & { source: ReadUriResult }> {
  const source = await readUri(uri, options);
  const parsed = parseStructuredText(source.data.toString('utf8'), source.uri);
  return { ...parsed, source };
}

function locate(root: unknown, path: DocumentPath, lines: LineCounter): number | undefined {
  const { isMap, isScalar, isSeq } = yaml();
  let node = root as Node | null | undefined;
  for (let i = 0; i < path.length; i++) {
    const segment = path[i];
    const last = i === path.length - 1;
    if (isMap(node)) {
      const pair = node.items.find((p) => (isScalar(p.key) ? p.key.value : p.key) === segment);
      if (!pair) return lineAt(node, lines);
      if (last) return lineAt(pair.key as Node, lines) ?? lineAt(pair.value as Node, lines);
      node = pair.value as Node;
    } else if (isSeq(node) && typeof segment === 'number') {
      const item = node.items[segment] as Node | undefined;
      if (!item) return lineAt(node, lines);
      node = item;
    } else {
      return lineAt(node, lines);
    }
  }
  return lineAt(node, lines);
}

function lineAt(node: Node | null | undefined, lines: LineCounter): number | undefined {
  const start = (node as { range?: [number, number, number] } | null | undefined)?.range?.[0];
  return start === undefined ? undefined : lines.linePos(start).line;
}

function jsonErrorLine(text: string): number | undefined {
  const offset = jsonErrorOffset(text);
  return offset === undefined ? undefined : text.slice(0, offset).split('\n').length;
}
