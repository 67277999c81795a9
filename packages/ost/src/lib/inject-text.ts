import {
  baseurlProblem,
  booleanValue,
  ErrorCodes,
  findOption,
  IniEdits,
  type IniSection,
  type Logger,
  optionBoolean,
  OvirtRepoError,
  parseIni,
} from '@ovirt-repo/core';
import type { MirrorMap } from './mirror-map/types.js';
import { noneValueFor } from './proxy.js';

export const SKIP_OPTION = 'ost_skip_injection';

export interface InjectTextOptions {
  /** Name of the config in messages (a path). */
  source?: string;
  /** Leave `proxy` alone instead of turning proxies off. */
  allowProxy?: boolean;
  /** The no-proxy value; by default chosen per repo name (see noneValueFor). */
  noneValue?: string;
  logger?: Logger;
}

export interface InjectedSection {
  section: string;
  url: string;
  /** 1-based line of the section header in the input. */
  line: number;
}

export interface InsertedSection {
  repo: string;
  url: string;
  /** The section it was put in front of. */
  before: string;
  /** 1-based line of that section's header in the input. */
  line: number;
}

export interface InjectTextResult {
  text: string;
  changed: boolean;
  injected: InjectedSection[];
  inserted: InsertedSection[];
  /** Sections the map names but `ost_skip_injection = True` protects. */
  skipped: string[];
  /** Every repo section of the input, in order ([main] is not a repo). */
  sections: string[];
  warnings: string[];
}

/**
 * Point the repos of one yum/dnf config at the mirrors in `map` (mirror_client's inject_yum_mirrors_str),
 * changing only what injection must change:
 * - before each section, the map's `before:<section>` repos are added as new sections (baseurl, proxy);
 * - a section the map names gets `baseurl` set, `mirrorlist` and `metalink` removed, every other option
 *   kept, and unless allowProxy, `proxy` set to the no-proxy value;
 * - a section with `ost_skip_injection = True`, and every section the map does not name, is kept byte
 *   for byte, with its comments, blank lines and continuation lines.
 */
export function injectConfigText(text: string, map: MirrorMap, options: InjectTextOptions = {}): InjectTextResult {
  const source = options.source ?? '<config>';
  const doc = parseIni(text, source);
  const edits = new IniEdits(doc);
  const sections = doc.sections.map((s) => s.name).filter((n) => n !== 'main');
  const result: InjectTextResult = { text, changed: false, injected: [], inserted: [], skipped: [], sections, warnings: [] };
  const existing = new Set(doc.sections.map((s) => s.name));
  const main = doc.sections.find((s) => s.name === 'main');
  const noProxy = (repo: string) => options.noneValue ?? noneValueFor(repo);
  const warn = (message: string) => {
    result.warnings.push(message);
    options.logger?.warn(message);
  };

  for (const section of doc.sections) {
    for (const insertion of map.before.get(section.name) ?? []) {
      // mirror_client would merge an insertion into a same-named section and scramble both; a repo id
      // must be unique, so the existing section wins and the insertion is reported.
      if (existing.has(insertion.repo)) {
        warn(`${source}: not inserting [${insertion.repo}] before [${section.name}]: a section with that name already exists`);
        continue;
      }
      existing.add(insertion.repo);
      checkUrl(source, insertion.repo, insertion.url);
      const options_: Array<[string, string]> = [['baseurl', insertion.url]];
      if (!options.allowProxy) options_.push(['proxy', noProxy(insertion.repo)]);
      edits.insertSectionBefore(section, insertion.repo, options_);
      result.inserted.push({ repo: insertion.repo, url: insertion.url, before: section.name, line: section.header + 1 });
      const signed = repoGpgcheck(main);
      if (signed) warn(unsignedWarning(source, section.header, `[${insertion.repo}] (inserted before [${section.name}])`, signed, insertion.url));
    }
    const url = map.repos.get(section.name);
    if (url === undefined) continue;
    if (optionBoolean(doc, section, SKIP_OPTION)) {
      result.skipped.push(section.name);
      continue;
    }
    checkUrl(source, section.name, url);
    injectSection(edits, section, url, options.allowProxy ? undefined : noProxy(section.name));
    result.injected.push({ section: section.name, url, line: section.header + 1 });
    const signed = repoGpgcheck(main, section);
    if (signed) warn(unsignedWarning(source, section.header, `[${section.name}]`, signed, url));
  }
  result.text = edits.render();
  result.changed = result.text !== text;
  return result;
}

/**
 * Where repo_gpgcheck is switched on for `section` (its own option, else the file's [main], which dnf -c
 * reads as the defaults of every repo), or undefined when it is off. A value that is no boolean is left to dnf.
 */
function repoGpgcheck(main: IniSection | undefined, section?: IniSection): { line: number; fromMain: boolean } | undefined {
  const own = section && findOption(section, 'repo_gpgcheck');
  if (own) return booleanValue(own.value) ? { line: own.line, fromMain: false } : undefined;
  const inherited = main && findOption(main, 'repo_gpgcheck');
  return inherited && booleanValue(inherited.value) ? { line: inherited.line, fromMain: true } : undefined;
}

/** Snapshots rewrite the metadata and carry no repomd.xml.asc: dnf refuses such a repo with repo_gpgcheck on. */
function unsignedWarning(source: string, header: number, what: string, at: { line: number; fromMain: boolean }, url: string): string {
  return `${source}:${header + 1}: ${what} has repo_gpgcheck on (${at.fromMain ? 'from [main], ' : ''}line ${at.line + 1}) and now reads ${url}: ` +
    'only snapshots of a repo that mirror sync signs have signed metadata (repomd.xml.asc), checked against the keys of gpgkey ' +
    "(list the store's signing key there); for any other, dnf fails with \"GPG signature is not available\": " +
    'set repo_gpgcheck = 0 in that section (gpgcheck still checks the packages)';
}

function checkUrl(source: string, section: string, url: string): void {
  const problem = baseurlProblem(url);
  if (problem) {
    throw new OvirtRepoError(ErrorCodes.CONFIG_INVALID, `${source}: cannot write the baseurl of [${section}]: the URL ${problem}`, {
      target: source,
      hint: 'a baseurl is one URL on one line: http(s), ftp, file or a path, spaces and commas percent-encoded',
    });
  }
}

function injectSection(edits: IniEdits, section: IniSection, url: string, proxy: string | undefined): void {
  const baseurl = findOption(section, 'baseurl');
  if (baseurl) edits.setValue(baseurl, url);
  for (const name of ['mirrorlist', 'metalink']) {
    const option = findOption(section, name);
    if (option) edits.remove(option);
  }
  if (!baseurl) edits.append(section, 'baseurl', url);
  if (proxy === undefined) return;
  const current = findOption(section, 'proxy');
  if (current) edits.setValue(current, proxy);
  else edits.append(section, 'proxy', proxy);
}
