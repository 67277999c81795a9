import type * as Yaml from 'yaml';
import { ErrorCodes, OvirtRepoError } from '../errors/index.js';
import type { Logger } from '../log/logger.js';
import { lazyRequire } from '../util/lazy-require.js';
import type { MetadataInput } from './merge-input.js';
import { mergeModuleDefaults, type DefaultsData, type MergedDefaults } from './modules-defaults.js';

const yaml = lazyRequire<typeof Yaml>('yaml');

type Kind = 'modulemd' | 'modulemd-defaults' | 'modulemd-obsoletes' | 'modulemd-translations' | 'other';

interface ModuleDocument {
  kind: Kind;
  /** The YAML data as strings, lists and maps (failsafe schema: every scalar a string, as libmodulemd reads it). */
  value: { document: string; version?: string; data: Record<string, unknown> };
  /** The document's own text, written again as it is. */
  text: string;
  /** Identifies the content, for deduplication. */
  canonical: string;
  from: string;
}

/**
 * Merges the modules.yaml documents of several repositories as mergerepo_c does (libmodulemd's
 * ModuleIndexMerger, every repository at the same priority):
 * - module streams (`modulemd`) are kept, one per name:stream:version:context:arch; the same build listed
 *   twice is kept once, and a build listed with different content keeps the first (warned);
 * - defaults (`modulemd-defaults`) of a module are merged by libmodulemd's rules (modulemd-defaults.ts);
 * - obsoletes are kept per module, stream, context and modified time, a later one replacing an earlier;
 * - translations per module and stream, the higher `modified` winning;
 * - any other document is kept, each distinct one once.
 * Documents are written back as the sources wrote them (only merged defaults are written anew), in the
 * order they first appear. Aliases are refused: libmodulemd (dnf) reads none, and they are how YAML
 * expands a small file into a huge one.
 */
export function mergeModuleDocuments(inputs: readonly MetadataInput[], log: Logger): string {
  // One slot per module build, module (defaults) or other document key, in the order first seen.
  const slots = new Map<string, { doc: ModuleDocument } | { defaults: DefaultsEntry }>();
  for (const input of inputs) {
    for (const doc of parseModuleDocuments(input)) {
      if (doc.kind === 'modulemd-defaults') {
        const module = requireString(doc, 'module');
        const data = doc.value.data as DefaultsData;
        const slot = slots.get(`defaults ${module}`);
        if (!slot || !('defaults' in slot)) slots.set(`defaults ${module}`, { defaults: { merged: { data, from: doc.from }, documents: [doc] } });
        else {
          slot.defaults.merged = mergeModuleDefaults(slot.defaults.merged, { data, from: doc.from }, module, log);
          slot.defaults.documents.push(doc);
        }
        continue;
      }
      const key = doc.kind === 'modulemd' ? `build ${streamKey(doc)}` : otherKey(doc);
      const slot = slots.get(key);
      if (!slot || !('doc' in slot)) slots.set(key, { doc });
      else if (replaces(doc, slot.doc, log)) slot.doc = doc;
    }
  }
  return [...slots.values()].map((slot) => ('doc' in slot ? documentText(slot.doc.text) : defaultsText(slot.defaults))).join('');
}

interface DefaultsEntry {
  merged: MergedDefaults;
  documents: ModuleDocument[];
}

function parseModuleDocuments(input: MetadataInput): ModuleDocument[] {
  const { parseAllDocuments } = yaml();
  const parsed = parseAllDocuments(input.text, { schema: 'failsafe', uniqueKeys: true, prettyErrors: false });
  const docs = Array.isArray(parsed) ? parsed : [];
  const out: ModuleDocument[] = [];
  for (const [i, doc] of docs.entries()) {
    const where = `${input.file} (document ${i + 1})`;
    const first = doc.errors[0];
    if (first) throw invalid(where, `is not valid YAML: ${first.message.split('\n')[0] ?? ''}`);
    if (doc.contents === null) continue;
    let value: unknown;
    try {
      // libmodulemd reads no aliases; refusing them also rules out alias bombs and cycles.
      value = doc.toJS({ maxAliasCount: 0 });
    } catch {
      throw invalid(where, 'uses a YAML alias, which module metadata cannot hold (dnf refuses it)');
    }
    if (!isMap(value) || typeof value.document !== 'string' || !isMap(value.data)) {
      throw invalid(where, 'is not a module metadata document (a map with "document" and "data")');
    }
    const kind: Kind = (['modulemd', 'modulemd-defaults', 'modulemd-obsoletes', 'modulemd-translations'] as const).find((k) => k === value.document) ?? 'other';
    const range = (doc.contents as { range?: [number, number, number] }).range;
    if (!range) throw invalid(where, 'has no position information');
    out.push({
      kind,
      value: value as ModuleDocument['value'],
      text: sourceText(input.text, range[0], range[2]),
      canonical: canonicalJson(value),
      from: input.from,
    });
  }
  return out;
}

/** A document's text from its first line (so its indentation stays whole) to its end. */
function sourceText(text: string, start: number, end: number): string {
  const lineStart = text.lastIndexOf('\n', start - 1) + 1;
  return text.slice(/^[ \t]*$/.test(text.slice(lineStart, start)) ? lineStart : start, end);
}

function documentText(body: string): string {
  return `---\n${body}${body.endsWith('\n') ? '' : '\n'}...\n`;
}

function defaultsText(entry: DefaultsEntry): string {
  const { merged, documents } = entry;
  const same = !merged.streamConflict && documents.find((d) => canonicalJson(d.value.data) === canonicalJson(merged.data));
  if (same) return documentText(same.text);
  const { stringify } = yaml();
  // As libmodulemd writes them: module and modified first, modified a number, no stream after a conflict.
  const { module, modified, stream, ...rest } = merged.data;
  const written = {
    module,
    ...(modified !== undefined ? { modified: BigInt(modified) } : {}),
    ...(stream !== undefined && !merged.streamConflict ? { stream } : {}),
    ...rest,
  };
  const version = documents[0]?.value.version;
  const number = typeof version === 'string' && /^\d{1,20}$/.test(version) ? BigInt(version) : 1n;
  return documentText(stringify({ document: 'modulemd-defaults', version: number, data: written }, { lineWidth: 0 }));
}

function streamKey(doc: ModuleDocument): string {
  const d = doc.value.data;
  const part = (k: string) => (typeof d[k] === 'string' ? (d[k] as string) : '');
  return `${requireString(doc, 'name')}:${requireString(doc, 'stream')}:${part('version')}:${part('context')}:${part('arch')}`;
}

function otherKey(doc: ModuleDocument): string {
  const d = doc.value.data;
  const part = (k: string) => (typeof d[k] === 'string' ? (d[k] as string) : '');
  if (doc.kind === 'modulemd-obsoletes') return `obsoletes ${part('module')}:${part('stream')}:${part('context')} modified ${part('modified')}`;
  if (doc.kind === 'modulemd-translations') return `translations ${part('module')}:${part('stream')}`;
  return `${doc.value.document} ${doc.canonical}`;
}

/** Whether `doc` takes the place of `had`, the document of the same key seen before. */
function replaces(doc: ModuleDocument, had: ModuleDocument, log: Logger): boolean {
  if (doc.canonical === had.canonical) return false;
  if (doc.kind === 'modulemd') {
    log.warn(`modules: module build ${streamKey(doc)} of ${doc.from} differs from the one of ${had.from}; the merged metadata keeps the one of ${had.from}, as mergerepo_c does`);
    return false;
  }
  if (doc.kind === 'modulemd-translations') {
    const newer = modifiedOf(doc) > modifiedOf(had);
    if (!newer && modifiedOf(doc) === modifiedOf(had)) {
      log.warn(`modules: ${otherKey(doc)} of ${doc.from} differs from the one of ${had.from} with the same modified value; the merged metadata keeps the one of ${had.from}`);
    }
    return newer;
  }
  log.warn(`modules: ${otherKey(doc)} of ${doc.from} differs from the one of ${had.from}; the merged metadata keeps the one of ${doc.from}`);
  return true;
}

function modifiedOf(doc: ModuleDocument): bigint {
  const m = doc.value.data.modified;
  return typeof m === 'string' && /^\d+$/.test(m) ? BigInt(m) : 0n;
}

function requireString(doc: ModuleDocument, key: string): string {
  const v = doc.value.data[key];
  if (typeof v !== 'string' || v === '') throw invalid(`a ${doc.value.document} document of ${doc.from}`, `has no "${key}"`);
  return v;
}

function isMap(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** JSON with map keys sorted, so equal data has equal text. */
function canonicalJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`;
  if (isMap(v)) return `{${Object.keys(v).sort().map((k) => `${JSON.stringify(k)}:${canonicalJson(v[k])}`).join(',')}}`;
  return JSON.stringify(v) ?? 'null';
}

function invalid(where: string, problem: string): OvirtRepoError {
  return new OvirtRepoError(ErrorCodes.REPODATA_INVALID, `modules metadata ${where} ${problem}`, {
    target: where,
    hint: 'fix the module metadata (modules.yaml) of that repository and regenerate it with modifyrepo_c',
  });
}
