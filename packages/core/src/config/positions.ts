import { isAlias, isMap, isPair, isScalar, isSeq, type Document, type LineCounter, type Node, type Pair } from 'yaml';

/** A place in the configuration file, 1-based. */
export interface Position {
  line: number;
  column: number;
}

/**
 * Where the key path `path` is written in `doc`: the key of its last segment (`mode` in
 * `repos.x.mode`), the item itself for a list index. When the path is not in the file (a required key is
 * missing) it is the deepest ancestor that is: the key of the mapping that lacks it. Merge keys (`<<: *anchor`)
 * and aliases are followed, so a value that comes from an anchor points at the anchor.
 */
export function positionOf(doc: Document, lineCounter: LineCounter, path: readonly PropertyKey[]): Position {
  let node: unknown = doc.contents;
  let offset = rangeStart(node) ?? 0;
  for (const seg of path) {
    node = resolveAlias(doc, node);
    if (isMap(node)) {
      const pair = findPair(doc, node.items, String(seg));
      if (!pair) break;
      offset = rangeStart(pair.key) ?? rangeStart(pair.value) ?? offset;
      node = pair.value;
    } else if (isSeq(node) && typeof seg === 'number') {
      const item = node.items[seg];
      if (item === undefined) break;
      offset = rangeStart(item) ?? offset;
      node = item;
    } else {
      break;
    }
  }
  const { line, col } = lineCounter.linePos(offset);
  return { line, column: col };
}

function findPair(doc: Document, items: readonly Pair[], key: string, seen = new Set<unknown>()): Pair | undefined {
  const direct = items.find((p) => isPair(p) && keyText(p.key) === key);
  if (direct) return direct;
  // `<<: *anchor` or `<<: [*a, *b]` (YAML merge keys): look in the merged mappings.
  for (const p of items) {
    if (!isPair(p) || keyText(p.key) !== '<<') continue;
    const sources = isSeq(p.value) ? p.value.items : [p.value];
    for (const s of sources) {
      const target = resolveAlias(doc, s);
      if (isMap(target) && !seen.has(target)) {
        seen.add(target);
        const found = findPair(doc, target.items as Pair[], key, seen);
        if (found) return found;
      }
    }
  }
  return undefined;
}

function keyText(key: unknown): string | undefined {
  // A merge key (`<<`) parses to a symbol whose description is its text.
  if (isScalar(key)) return typeof key.value === 'symbol' ? key.value.description : String(key.value);
  if (typeof key === 'string' || typeof key === 'number') return String(key);
  return undefined;
}

function resolveAlias(doc: Document, node: unknown): unknown {
  return isAlias(node) ? node.resolve(doc) : node;
}

function rangeStart(node: unknown): number | undefined {
  return (node as Node | null | undefined)?.range?.[0];
}
