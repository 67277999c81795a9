import { dirname, isAbsolute, relative, resolve } from 'node:path';
import { LineCounter, parseDocument } from 'yaml';
import { positionOf } from './positions.js';
import { YAML_SYNTAX_HINT, configError, crossKeyProblems, issueProblems, type ConfigProblem, type PathProblem } from './problems.js';
import { resolveConfig, type OvirtRepoConfig } from './resolve.js';
import { configFileSchema } from './schema.js';
import { formatKeyPath } from './wording.js';

export interface ParseConfigOptions {
  /** The file the text came from: named in messages, and relative paths in it start from its directory. */
  file: string;
  /** Messages name the file relative to this directory when it is inside it. Default: process.cwd(). */
  cwd?: string;
}

/**
 * Validate configuration text and return the effective configuration (defaults filled, paths resolved
 * against the file's directory; no environment or flags applied). Throws one E_CONFIG_INVALID error listing
 * every problem: YAML syntax errors, or else schema and cross-key problems.
 */
export function parseConfig(text: string, options: ParseConfigOptions): OvirtRepoConfig {
  const file = resolve(options.file);
  const shown = displayName(file, options.cwd ?? process.cwd());
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, keepSourceTokens: true, prettyErrors: false, merge: true, uniqueKeys: true });

  if (doc.errors.length > 0) {
    const problems: ConfigProblem[] = doc.errors.map((e) => {
      const { line, col } = lineCounter.linePos(e.pos[0]);
      return { file, line, column: col, path: '', keyPath: [], message: `YAML syntax error: ${e.message.split('\n')[0]}` };
    });
    throw configError(shown, file, sortProblems(problems), YAML_SYNTAX_HINT);
  }

  const raw: unknown = doc.toJS({ maxAliasCount: 1000 }) ?? {};
  const parsed = configFileSchema.safeParse(raw, { reportInput: true });
  const found: PathProblem[] = [...(parsed.success ? [] : issueProblems(parsed.error.issues, configFileSchema)), ...crossKeyProblems(raw)];
  if (found.length > 0 || !parsed.success) {
    const problems = found.map((p): ConfigProblem => ({ file, ...positionOf(doc, lineCounter, p.keyPath), path: formatKeyPath(p.keyPath), keyPath: p.keyPath, message: p.message }));
    throw configError(shown, file, sortProblems(dedupe(problems)));
  }
  return resolveConfig(parsed.data, dirname(file));
}

function displayName(file: string, cwd: string): string {
  const rel = relative(cwd, file);
  return rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel : file;
}

function sortProblems(problems: ConfigProblem[]): ConfigProblem[] {
  return [...problems].sort((a, b) => a.line - b.line || a.column - b.column || a.message.localeCompare(b.message));
}

function dedupe(problems: ConfigProblem[]): ConfigProblem[] {
  const seen = new Set<string>();
  return problems.filter((p) => {
    const key = `${p.path}\0${p.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
