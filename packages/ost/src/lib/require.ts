import { didYouMean, ErrorCodes, OvirtRepoError } from '@ovirt-repo/core';
import type { MirrorMap } from './mirror-map/types.js';

/** What requireSections needs of each config: its sections and what injection did with them. */
export interface RequireView {
  path: string;
  sections: string[];
  injected: string[];
  inserted: string[];
  skipped: string[];
}

/**
 * `--require SECTION...`: fail, before anything is written, when a section a test must read from the
 * snapshots was not injected into any config, saying why for each: a name that matches neither the map nor
 * the configs is the usual cause (a test would otherwise run green against upstream instead of the build).
 * `map` is undefined when the map could not be read (`unreadable` says why).
 */
export function requireSections(required: readonly string[], views: readonly RequireView[], map: MirrorMap | undefined, unreadable?: string): void {
  const done = new Set(views.flatMap((v) => [...v.injected, ...v.inserted]));
  const missing = [...new Set(required)].filter((r) => !done.has(r));
  if (missing.length === 0) return;
  const reasons = missing.map((name) => `[${name}]: ${why(name, views, map, unreadable)}`);
  throw new OvirtRepoError(ErrorCodes.VERIFY_FAILED, `--require: ${missing.length === 1 ? 'a required section was' : `${missing.length} required sections were`} not injected, so no file was changed: ${reasons.join('; ')}`, {
    hint: 'make the section names of the configs and the repo names of the mirror map agree (the map names the repos the snapshots hold), or require the section the test really reads',
    data: { missing },
  });
}

function why(name: string, views: readonly RequireView[], map: MirrorMap | undefined, unreadable: string | undefined): string {
  if (!map) return `the mirror map could not be read (${unreadable ?? 'unreachable'})`;
  const skippedIn = views.find((v) => v.skipped.includes(name));
  if (skippedIn) return `${skippedIn.path} marks it ost_skip_injection = True`;
  const sections = views.flatMap((v) => v.sections);
  const inConfigs = sections.includes(name);
  const anchor = [...map.before].find(([, list]) => list.some((i) => i.repo === name))?.[0];
  if (anchor !== undefined) return `the mirror map inserts it before [${anchor}], which no config has${guess(anchor, sections)}`;
  const inMap = map.repos.has(name);
  if (inConfigs && !inMap) return `the mirror map names no repo "${name}"${guess(name, map.repos.keys())}`;
  if (inMap && !inConfigs) return `no config has a section [${name}]${guess(name, sections)}`;
  return `neither the mirror map nor any config names it${guess(name, [...map.repos.keys(), ...sections])}`;
}

function guess(name: string, known: Iterable<string>): string {
  const close = didYouMean(name, known);
  return close ? ` (did you mean "${close}"?)` : '';
}
