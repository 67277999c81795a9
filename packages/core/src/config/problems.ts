import type { z } from 'zod';
import { ErrorCodes, OvirtRepoError } from '../errors/index.js';
import { repoNameProblem } from './names.js';
import { REPO_MODES, type RepoMode } from './schema.js';
import { describeValue, didYouMean, oneOf } from './wording.js';

/** One thing wrong with a configuration file, located for the user. */
export interface ConfigProblem {
  /** The configuration file, absolute. */
  file: string;
  /** 1-based line and column of the key (or list item) at fault. */
  line: number;
  column: number;
  /** The key path as users read it (`repos.el9-baseos.mode`); empty for YAML syntax errors. */
  path: string;
  /** The same path as segments. */
  keyPath: PropertyKey[];
  /** What is wrong, including a "did you mean" suggestion when one is close. */
  message: string;
}

/** A problem before it is located in the file. */
export interface PathProblem {
  keyPath: PropertyKey[];
  message: string;
}

export const CONFIG_HINT =
  'fix the keys listed; docs/config.md describes every key, and `ovirt-repo config schema` gives a JSON Schema that editors can check the file with';
export const YAML_SYNTAX_HINT = 'fix the YAML syntax at the position shown (indentation, a missing ":" or closing bracket, an unquoted value with ": " or " #")';

/** The one error for every problem of a file: each on its own line as `file:line:col: key.path: message`. */
export function configError(displayName: string, file: string, problems: ConfigProblem[], hint = CONFIG_HINT): OvirtRepoError {
  const lines = problems.map((p) => `${displayName}:${p.line}:${p.column}: ${p.path ? `${p.path}: ` : ''}${p.message}`);
  const message = lines.length === 1 ? String(lines[0]) : `${displayName} has ${lines.length} problems:\n${lines.map((l) => `  ${l}`).join('\n')}`;
  return new OvirtRepoError(ErrorCodes.CONFIG_INVALID, message, {
    target: displayName,
    hint,
    data: { file, problems: problems.map((p) => ({ ...p, keyPath: p.keyPath.map(String) })) },
  });
}

/** zod issues in words users understand (`must be "mirror" or "additive", got "add"`), one per key. */
export function issueProblems(issues: readonly z.core.$ZodIssue[], schema: z.ZodType): PathProblem[] {
  return issues.flatMap((issue): PathProblem[] => {
    const path = [...issue.path];
    const input = (issue as { input?: unknown }).input;
    switch (issue.code) {
      case 'unrecognized_keys': {
        const known = keysAt(schema, path);
        return issue.keys.map((key) => {
          const guess = didYouMean(key, known);
          const allowed = known.length > 0 && known.length <= 12 ? `; known keys: ${known.join(', ')}` : '';
          return { keyPath: [...path, key], message: guess ? `unknown key (did you mean "${guess}"?)` : `unknown key${allowed}` };
        });
      }
      case 'invalid_type':
        return [{ keyPath: path, message: input === undefined ? 'is required' : `must be ${expected(issue.expected)}, got ${describeValue(input)}` }];
      case 'invalid_value': {
        const guess = typeof input === 'string' ? didYouMean(input, issue.values.map(String)) : undefined;
        return [{ keyPath: path, message: `must be ${oneOf(issue.values)}, got ${describeValue(input)}${guess ? ` (did you mean "${guess}"?)` : ''}` }];
      }
      case 'too_small':
      case 'too_big':
        return [{ keyPath: path, message: boundMessage(issue) }];
      case 'invalid_union':
        if (issue.message && issue.message !== 'Invalid input') return [{ keyPath: path, message: issue.message }];
        return [{ keyPath: path, message: `must be ${orList(unionExpectations(issue))}, got ${describeValue(input)}` }];
      default:
        return [{ keyPath: path, message: issue.message }];
    }
  });
}

/**
 * Rules that span keys, checked on the parsed YAML whatever else is wrong, so one run reports everything:
 * valid names, exactly one of source/sources/config, keepVersions only where it means something, and
 * publish entries that name a configured repo.
 */
export function crossKeyProblems(raw: unknown): PathProblem[] {
  const problems: PathProblem[] = [];
  if (!isMapping(raw)) return problems;
  const defaults = isMapping(raw.defaults) ? raw.defaults : {};
  const defaultMode: RepoMode | undefined = defaults.mode === undefined ? 'mirror' : asMode(defaults.mode);
  const repos = isMapping(raw.repos) ? raw.repos : {};

  for (const [name, value] of Object.entries(repos)) {
    const nameProblem = repoNameProblem(name);
    if (nameProblem) problems.push({ keyPath: ['repos', name], message: nameProblem });
    if (value !== null && !isMapping(value)) continue;
    const repo = value ?? {};
    const mode = repo.mode === undefined ? defaultMode : asMode(repo.mode);
    const given = (['source', 'sources', 'config'] as const).filter((k) =>
      k === 'sources' && Array.isArray(repo.sources) ? repo.sources.length > 0 : repo[k] !== undefined && repo[k] !== null,
    );
    const [, second] = given;
    if (second !== undefined) {
      problems.push({ keyPath: ['repos', name, second], message: `give only one of source, sources or config (this repo has ${given.join(' and ')})` });
    } else if (given.length === 0 && mode === 'mirror') {
      problems.push({
        keyPath: ['repos', name],
        message: 'a mirror repo needs source, sources or config (or set mode: additive for a repo that deploy jobs fill with --from)',
      });
    }
    if (repo.keepVersions !== undefined && mode === 'mirror') {
      problems.push({ keyPath: ['repos', name, 'keepVersions'], message: 'applies only to mode: additive (a mirror snapshot holds exactly what the source has)' });
    }
  }

  const publish = isMapping(raw.publish) ? raw.publish : {};
  const repoNames = Object.keys(repos);
  for (const [name, value] of Object.entries(publish)) {
    const nameProblem = repoNameProblem(name);
    if (nameProblem) problems.push({ keyPath: ['publish', name], message: nameProblem });
    if (!isMapping(value) || typeof value.from !== 'string' || value.from === '' || Object.hasOwn(repos, value.from)) continue;
    const guess = didYouMean(value.from, repoNames);
    const known = repoNames.length === 0 ? 'repos: is empty' : guess ? `did you mean "${guess}"?` : `configured: ${repoNames.join(', ')}`;
    problems.push({ keyPath: ['publish', name, 'from'], message: `names no repo under repos: ${JSON.stringify(value.from)} (${known})` });
  }
  return problems;
}

/** The keys the object schema at `path` allows (for "did you mean"). */
export function keysAt(schema: z.ZodType, path: readonly PropertyKey[]): string[] {
  const objects = schemasAt(schema, path).filter((s) => defOf(s).type === 'object');
  return [...new Set(objects.flatMap((s) => Object.keys(defOf(s).shape ?? {})))];
}

interface AnyDef {
  type: string;
  shape?: Record<string, z.ZodType>;
  innerType?: z.ZodType;
  in?: z.ZodType;
  options?: z.ZodType[];
  valueType?: z.ZodType;
  element?: z.ZodType;
}

function defOf(schema: z.ZodType): AnyDef {
  return (schema as unknown as { _zod: { def: AnyDef } })._zod.def;
}

/** Every schema that may apply at `path`, looking through optional/nullable wrappers, pipes and unions. */
function schemasAt(schema: z.ZodType, path: readonly PropertyKey[]): z.ZodType[] {
  let current = unwrap(schema);
  for (const seg of path) {
    current = current.flatMap((s) => {
      const def = defOf(s);
      const field = def.type === 'object' && def.shape && Object.hasOwn(def.shape, String(seg)) ? def.shape[String(seg)] : undefined;
      if (field) return unwrap(field);
      if (def.type === 'record' && def.valueType) return unwrap(def.valueType);
      if (def.type === 'array' && def.element && typeof seg === 'number') return unwrap(def.element);
      return [];
    });
  }
  return current;
}

function unwrap(schema: z.ZodType): z.ZodType[] {
  const def = defOf(schema);
  if (def.innerType) return unwrap(def.innerType);
  if (def.type === 'pipe' && def.in) return unwrap(def.in);
  if (def.type === 'union' && def.options) return def.options.flatMap(unwrap);
  return [schema];
}

const EXPECTED: Record<string, string> = {
  string: 'a string',
  number: 'a number',
  int: 'a whole number',
  boolean: 'true or false',
  object: 'a mapping',
  record: 'a mapping',
  map: 'a mapping',
  array: 'a list',
};

function expected(type: string): string {
  return EXPECTED[type] ?? type;
}

function unionExpectations(issue: z.core.$ZodIssueInvalidUnion): string[] {
  const kinds = issue.errors.flatMap((branch) => branch.filter((i) => i.code === 'invalid_type' && i.path.length === 0).map((i) => expected((i as z.core.$ZodIssueInvalidType).expected)));
  return kinds.length > 0 ? [...new Set(kinds)] : ['a valid value'];
}

function orList(items: readonly string[]): string {
  return items.length <= 1 ? (items[0] ?? '') : `${items.slice(0, -1).join(', ')} or ${items.at(-1)}`;
}

function boundMessage(issue: z.core.$ZodIssueTooSmall | z.core.$ZodIssueTooBig): string {
  const small = issue.code === 'too_small';
  const limit = Number(small ? (issue as z.core.$ZodIssueTooSmall).minimum : (issue as z.core.$ZodIssueTooBig).maximum);
  const got = describeValue((issue as { input?: unknown }).input);
  if (issue.origin === 'string') return small && limit === 1 ? 'must not be empty' : `must be ${small ? 'at least' : 'at most'} ${limit} characters long`;
  if (issue.origin === 'array') return `must list ${small ? 'at least' : 'at most'} ${limit} item${limit === 1 ? '' : 's'}`;
  const inclusive = issue.inclusive !== false;
  const bound = small ? (inclusive ? 'at least' : 'greater than') : inclusive ? 'at most' : 'less than';
  return `must be ${bound} ${limit}, got ${got}`;
}

function isMapping(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function asMode(value: unknown): RepoMode | undefined {
  return (REPO_MODES as readonly unknown[]).includes(value) ? (value as RepoMode) : undefined;
}
