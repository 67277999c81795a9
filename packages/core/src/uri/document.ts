import type * as Yaml from 'yaml';
import type { Document, LineCounter, Node } from 'yaml';
import { lazyRequire } from '../util/lazy-require.js';
import { ErrorCodes, OvirtRepoError } from '../errors/index.js';
import { jsonOffsetOf, jsonProblem } from './json-error-offset.js';
import { displayUri } from './kind.js';
import { readUri } from './read.js';
import type { ReadUriOptions, ReadUriResult } from './read-options.js';

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

/** Alias expansions a YAML document may make; more is an alias bomb (a few lines, billions of nodes). */
const MAX_YAML_ALIASES = 100;

/**
 * Parse a JSON or YAML document, keeping enough position information to name the line of any key.
 * A document that looks like JSON must be valid JSON (YAML would accept `{"a": }`); anything else is
 * YAML. A key that appears twice in one object is an error, as silently keeping one of two conflicting
 * entries would hide a mistake.
 *
 * Errors never quote the text: the document may be a file that was named by mistake (a key, a password
 * file), and its content does not belong in a CI log. They name the line, the column and what is wrong.
 * Both formats are checked in time linear in the size of the document.
 */
export function parseStructuredText(input: string, uri: string): StructuredDocument {
  // Editors on some systems start files with a byte order mark; JSON.parse refuses it.
  const text = input.replace(/^\uFEFF/, '');
  return /^\s*[[{]/.test(text) ? parseJson(text, uri) : parseYaml(text, uri);
}

function parseJson(text: string, uri: string): StructuredDocument {
  let value: unknown;
  let parsed = true;
  try {
    value = JSON.parse(text);
  } catch {
    parsed = false;
  }
  // JSON.parse finds syntax errors but keeps the last of two equal keys; the scan finds both, and says
  // where in words of its own (V8's messages quote the text).
  const problem = jsonProblem(text);
  if (problem?.duplicate) {
    throw repeatedKey(uri, 'JSON', problem.duplicate.key, lineAt(text, problem.offset), lineAt(text, problem.duplicate.first));
  }
  if (problem || !parsed) {
    const at = problem ? position(text, problem.offset) : undefined;
    throw syntaxError(uri, 'JSON', at?.line, `${problem?.reason ?? 'a syntax error'}${at ? ` (column ${at.col})` : ''}`);
  }
  return {
    value,
    uri,
    lineOf: (path) => {
      const offset = jsonOffsetOf(text, path);
      return offset === undefined ? undefined : lineAt(text, offset);
    },
  };
}

function parseYaml(text: string, uri: string): StructuredDocument {
  const { LineCounter, parseDocument } = yaml();
  const lineCounter = new LineCounter();
  // The parser's own duplicate check compares every key with every earlier one (quadratic in a map's
  // size: minutes for an index of 100,000 repos); repeatedKeyIn does it with one set per map.
  const doc = parseDocument(text, { lineCounter, uniqueKeys: false, prettyErrors: false });
  const first = doc.errors[0];
  if (first) {
    const { line, col } = lineCounter.linePos(first.pos[0]);
    throw syntaxError(uri, 'YAML', line, `${YAML_PROBLEMS[first.code] ?? 'a syntax error'} (column ${col})`);
  }
  const repeated = repeatedKeyIn(doc);
  if (repeated) {
    const line = (n: Node) => (n.range ? lineCounter.linePos(n.range[0]).line : undefined);
    throw repeatedKey(uri, 'YAML', repeated.key, line(repeated.node), line(repeated.first));
  }
  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: MAX_YAML_ALIASES });
  } catch (e) {
    // The yaml library throws a ReferenceError for both; its message names the anchor.
    const bomb = /alias count/i.test((e as Error).message);
    throw syntaxError(uri, 'YAML', undefined, bomb
      ? `its aliases expand to more than ${MAX_YAML_ALIASES} nodes (an alias bomb)`
      : 'an alias names an anchor that is not defined before it');
  }
  return { value, uri, lineOf: (path) => locate(doc.contents, path, lineCounter) };
}

/** What each YAML error code means, said without quoting the text (the library's messages quote it). */
const YAML_PROBLEMS: Record<Yaml.ErrorCode, string> = {
  ALIAS_PROPS: 'an alias with an anchor or tag',
  BAD_ALIAS: 'an invalid alias',
  BAD_DIRECTIVE: 'an invalid directive',
  BAD_DQ_ESCAPE: 'an invalid escape in a double-quoted string',
  BAD_INDENT: 'wrong indentation',
  BAD_PROP_ORDER: 'an anchor or tag in the wrong place',
  BAD_SCALAR_START: 'a plain value starting with a reserved character (quote it)',
  BLOCK_AS_IMPLICIT_KEY: 'a nested map where a key belongs (check the indentation)',
  BLOCK_IN_FLOW: 'a block collection inside a flow collection',
  DUPLICATE_KEY: 'a repeated key',
  IMPOSSIBLE: 'an impossible construct',
  KEY_OVER_1024_CHARS: 'a key longer than 1024 characters',
  MISSING_CHAR: 'a missing character (a closing quote or bracket, a comma or a colon)',
  MULTILINE_IMPLICIT_KEY: 'a key spanning several lines (check the indentation)',
  MULTIPLE_ANCHORS: 'several anchors on one node',
  MULTIPLE_DOCS: 'more than one document',
  MULTIPLE_TAGS: 'several tags on one node',
  NON_STRING_KEY: 'a key that is not a string',
  RESOURCE_EXHAUSTION: 'more nested or aliased content than allowed',
  TAB_AS_INDENT: 'a tab used for indentation',
  TAG_RESOLVE_FAILED: 'a value that does not match its tag',
  UNEXPECTED_TOKEN: 'an unexpected character or token',
  BAD_COLLECTION_TYPE: 'a tag for another kind of collection',
};

/** The first key of a map that an earlier key of the same map already names, as plain objects would merge them. */
function repeatedKeyIn(doc: Document.Parsed): { key: string; node: Node; first: Node } | undefined {
  const { isMap, isPair, isScalar, isSeq } = yaml();
  const stack: unknown[] = [doc.contents];
  while (stack.length > 0) {
    const node = stack.pop();
    if (isSeq(node)) {
      stack.push(...node.items);
    } else if (isMap(node)) {
      const seen = new Map<string, Node>();
      for (const pair of node.items) {
        if (!isPair(pair)) continue;
        const keyNode = pair.key as Node;
        const key = isScalar(keyNode) ? String(keyNode.value) : String(keyNode);
        const first = seen.get(key);
        if (first) return { key, node: keyNode, first };
        seen.set(key, keyNode);
        stack.push(pair.value);
      }
    }
  }
  return undefined;
}

function syntaxError(uri: string, format: string, line: number | undefined, reason: string): OvirtRepoError {
  return new OvirtRepoError(ErrorCodes.CONFIG_INVALID, `${displayUri(uri)}${line ? `:${line}` : ''}: not valid ${format}: ${reason}`, {
    target: displayUri(uri),
    hint: `fix the ${format} syntax${line ? ' at that line' : ''}`,
    data: { uri, line },
  });
}

function repeatedKey(uri: string, format: string, key: string, line: number | undefined, first: number | undefined): OvirtRepoError {
  const shown = JSON.stringify(key.length > 60 ? `${key.slice(0, 60)}…` : key);
  return new OvirtRepoError(
    ErrorCodes.CONFIG_INVALID,
    `${displayUri(uri)}${line ? `:${line}` : ''}: not valid ${format}: key ${shown} appears twice${first ? ` (first on line ${first})` : ''}`,
    { target: displayUri(uri), hint: 'keep one of the two entries: which one was meant cannot be guessed', data: { uri, line, key } },
  );
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
      if (!pair) return lineOfNode(node, lines);
      if (last) return lineOfNode(pair.key as Node, lines) ?? lineOfNode(pair.value as Node, lines);
      node = pair.value as Node;
    } else if (isSeq(node) && typeof segment === 'number') {
      const item = node.items[segment] as Node | undefined;
      if (!item) return lineOfNode(node, lines);
      node = item;
    } else {
      return lineOfNode(node, lines);
    }
  }
  return lineOfNode(node, lines);
}

function lineOfNode(node: Node | null | undefined, lines: LineCounter): number | undefined {
  const start = (node as { range?: [number, number, number] } | null | undefined)?.range?.[0];
  return start === undefined ? undefined : lines.linePos(start).line;
}

/** 1-based line and column of `offset` (lines end at `\n`). */
function position(text: string, offset: number): { line: number; col: number } {
  let line = 1;
  let start = 0;
  for (let nl = text.indexOf('\n'); nl !== -1 && nl < offset; nl = text.indexOf('\n', nl + 1)) {
    line++;
    start = nl + 1;
  }
  return { line, col: offset - start + 1 };
}

function lineAt(text: string, offset: number): number {
  return position(text, offset).line;
}
