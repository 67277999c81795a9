import { ErrorCodes, OvirtRepoError } from '../errors/index.js';
import type { Logger } from '../log/logger.js';

/** The `data` of a modulemd-defaults document, every scalar a string (see modules-merge.ts). */
export interface DefaultsData {
  module: string;
  modified?: string;
  stream?: string;
  profiles?: Record<string, unknown>;
  intents?: Record<string, unknown>;
  [key: string]: unknown;
}

/** Defaults merged so far, with which repository each decision came from (for messages). */
export interface MergedDefaults {
  data: DefaultsData;
  from: string;
  /** Two repositories named different default streams at the same modified time: none is the default. */
  streamConflict?: boolean;
  /** Where the default profiles of each stream came from, when not from `from`. */
  profilesFrom?: Record<string, string>;
}

/**
 * Merges the defaults of one module from a later repository into those merged so far, by libmodulemd's rules
 * (ModuleIndexMerger at one priority, modulemd_defaults_v1_merge):
 * - a default stream only one side names is taken; two different ones: the higher `modified` wins, and at
 *   the same `modified` there is no default stream at all (libmodulemd's "merge conflict"; warned);
 * - default profiles per stream: added when new; different sets: the higher `modified` wins, and at the
 *   same `modified` the merge fails (libmodulemd refuses it too: there is no right answer);
 * - intents (deprecated) likewise;
 * - `modified` becomes the higher of the two.
 */
export function mergeModuleDefaults(into: MergedDefaults, next: { data: DefaultsData; from: string }, module: string, log: Logger): MergedDefaults {
  const im = modifiedValue(into.data, into.from);
  const nm = modifiedValue(next.data, next.from);
  const merged: MergedDefaults = { ...into, data: { ...into.data }, profilesFrom: { ...into.profilesFrom } };

  const mine = into.data.stream;
  const theirs = next.data.stream;
  if (theirs !== undefined && mine === undefined && !into.streamConflict) {
    merged.data.stream = theirs;
    merged.from = next.from;
  } else if (theirs !== undefined && mine !== undefined && !into.streamConflict && mine !== theirs) {
    if (nm > im) {
      merged.data.stream = theirs;
      merged.from = next.from;
    } else if (nm === im) {
      merged.streamConflict = true;
      log.warn(
        `modules: module ${module}: default stream "${mine}" of ${into.from} and "${theirs}" of ${next.from} conflict (same modified value); ` +
          `the merged metadata has no default stream for ${module}, as mergerepo_c does`,
      );
    }
  }

  const profiles = mergeProfiles(profileMap(into.data.profiles, into.from), profileMap(next.data.profiles, next.from), { im, nm, module, intoFrom: (s) => merged.profilesFrom?.[s] ?? into.from, nextFrom: next.from, replaced: (s) => ((merged.profilesFrom ??= {})[s] = next.from) });
  if (profiles) merged.data.profiles = profiles;

  const intents = mergeIntents(into.data.intents, next.data.intents, { im, nm, module, into: into.from, next: next.from });
  if (intents) merged.data.intents = intents;

  if (nm > im) merged.data.modified = next.data.modified;
  return merged;
}

interface ProfileContext {
  im: bigint;
  nm: bigint;
  module: string;
  intoFrom: (stream: string) => string;
  nextFrom: string;
  replaced?: (stream: string) => void;
}

function mergeProfiles(into: Record<string, string[]> | undefined, next: Record<string, string[]> | undefined, c: ProfileContext): Record<string, string[]> | undefined {
  if (!next) return into;
  const merged = { ...into };
  for (const [stream, set] of Object.entries(next)) {
    const had = merged[stream];
    if (!had) {
      merged[stream] = set;
      c.replaced?.(stream);
    } else if (!sameSet(had, set)) {
      if (c.nm > c.im) {
        merged[stream] = set;
        c.replaced?.(stream);
      } else if (c.nm === c.im) {
        throw new OvirtRepoError(
          ErrorCodes.REPODATA_INVALID,
          `modules: module ${c.module}: the default profiles of stream ${stream} differ between ${c.intoFrom(stream)} ([${had.join(', ')}]) and ${c.nextFrom} ([${set.join(', ')}]), whose defaults have the same modified value`,
          {
            target: c.nextFrom,
            hint: 'raise "modified" in the modulemd-defaults document that should win (libmodulemd merges defaults by it), or sync these sources into separate repos',
            data: { module: c.module, stream },
          },
        );
      }
    }
  }
  return merged;
}

function mergeIntents(into: unknown, next: unknown, c: { im: bigint; nm: bigint; module: string; into: string; next: string }): Record<string, unknown> | undefined {
  if (!isMap(next)) return isMap(into) ? into : undefined;
  const merged: Record<string, unknown> = { ...(isMap(into) ? into : {}) };
  for (const [name, value] of Object.entries(next)) {
    const had = merged[name];
    if (!isMap(value)) continue;
    if (!isMap(had)) {
      merged[name] = value;
      continue;
    }
    const result: Record<string, unknown> = { ...had };
    if (typeof value.stream === 'string') {
      if (typeof had.stream !== 'string') result.stream = value.stream;
      else if (had.stream !== value.stream) {
        if (c.nm > c.im) result.stream = value.stream;
        else if (c.nm === c.im) {
          throw new OvirtRepoError(
            ErrorCodes.REPODATA_INVALID,
            `modules: module ${c.module}: intent ${name} has default stream "${had.stream}" in ${c.into} and "${value.stream}" in ${c.next}, whose defaults have the same modified value`,
            { target: c.next, hint: 'raise "modified" in the modulemd-defaults document that should win, or sync these sources into separate repos', data: { module: c.module, intent: name } },
          );
        }
      }
    }
    const profiles = mergeProfiles(profileMap(had.profiles, c.into), profileMap(value.profiles, c.next), { ...c, intoFrom: () => c.into, nextFrom: c.next });
    if (profiles) result.profiles = profiles;
    merged[name] = result;
  }
  return merged;
}

function profileMap(v: unknown, from: string): Record<string, string[]> | undefined {
  if (v === undefined || v === null) return undefined;
  if (!isMap(v) || !Object.values(v).every((set) => Array.isArray(set) && set.every((p) => typeof p === 'string'))) {
    throw new OvirtRepoError(ErrorCodes.REPODATA_INVALID, `modules: a modulemd-defaults document of ${from} has profiles that are not lists of names`, {
      target: from,
      hint: 'fix the module metadata (modules.yaml) of that repository and regenerate it with modifyrepo_c',
    });
  }
  return v as Record<string, string[]>;
}

function modifiedValue(data: DefaultsData, from: string): bigint {
  const m = data.modified;
  if (m === undefined) return 0n;
  if (typeof m !== 'string' || !/^\d{1,20}$/.test(m)) {
    throw new OvirtRepoError(ErrorCodes.REPODATA_INVALID, `modules: the modulemd-defaults document of ${data.module} in ${from} has a "modified" value that is not a number`, {
      target: from,
      hint: 'modified is a number such as 202601011200 (YYYYMMDDhhmm); fix the module metadata of that repository',
    });
  }
  return BigInt(m);
}

const sameSet = (a: readonly string[], b: readonly string[]) => {
  const x = new Set(a);
  const y = new Set(b);
  return x.size === y.size && [...x].every((v) => y.has(v));
};

function isMap(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
