import { createHash } from 'node:crypto';
import { ErrorCodes, isOvirtRepoError, OvirtRepoError, parseRepomd, redactUrl, type Logger, type ReadClient, type Repomd } from '@ovirt-repo/core';
import { parseLocation, resolveHref, type RepoLocation } from '../source/location.js';
import { parseMetalink, parseMirrorlist } from '../source/mirror-list.js';
import { hostBaseArch, readRepoSection } from '../source/repo-config.js';
import { printable } from '../store/names.js';

/** One source of a sync, before anything is fetched. */
export interface SourceSpec {
  /** As the user gave it (--from value, or the config's baseurl/mirrorlist/metalink), credentials removed. */
  id: string;
  kind: 'baseurl' | 'mirrorlist' | 'metalink';
  /** baseurl: base URLs tried in order. mirrorlist/metalink: the list's URL. */
  urls: string[];
}

export interface SourceConfig {
  file: string;
  /** Section name; defaults to the repo name. */
  section?: string;
  vars?: Record<string, string>;
}

export interface ResolvedSpecs {
  specs: SourceSpec[];
  /** includepkgs/exclude from the config section. */
  include: string[];
  exclude: string[];
}

export async function resolveSourceSpecs(from: readonly string[], config: SourceConfig | undefined, repo: string, arch: readonly string[] | undefined): Promise<ResolvedSpecs> {
  const specs: SourceSpec[] = [];
  let include: string[] = [];
  let exclude: string[] = [];
  if (config) {
    const vars = { basearch: arch?.find((a) => a !== 'noarch' && a !== 'src') ?? hostBaseArch(), arch: hostBaseArch(), ...config.vars };
    const section = await readRepoSection(config.file, config.section ?? repo, vars);
    if (section.metalink) specs.push({ id: redactUrl(section.metalink), kind: 'metalink', urls: [section.metalink] });
    else if (section.mirrorlist) specs.push({ id: redactUrl(section.mirrorlist), kind: 'mirrorlist', urls: [section.mirrorlist] });
    else specs.push({ id: section.baseurl.map(redactUrl).join(' '), kind: 'baseurl', urls: section.baseurl });
    include = section.include;
    exclude = section.exclude;
  }
  for (const f of from) {
    const loc = parseLocation(f);
    specs.push({ id: loc.display, kind: 'baseurl', urls: [loc.base.href] });
  }
  if (specs.length === 0) {
    throw new OvirtRepoError(ErrorCodes.USAGE, `no source for repo ${repo}`, {
      hint: 'pass --from URL|PATH (repeatable) or --config FILE (a reposync config with a [section] for the repo), or give the repo a source in ovirt-repo.yaml',
    });
  }
  return { specs, include, exclude };
}

/** A source whose repomd.xml was read (or found unchanged without reading it). */
export interface SourceRepomd {
  index: number;
  spec: SourceSpec;
  location: RepoLocation;
  repomdSha256: string;
  /** Undefined when a metalink showed the repomd.xml is the one recorded (no request to a mirror made). */
  repomd?: Repomd;
  revision?: string;
}

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

/**
 * Read every source's repomd.xml: one small request per source (a metalink names its checksum, so an
 * unchanged metalink source needs only the metalink). Mirrors from a list are tried in order.
 */
export async function fetchSourceRepomds(
  specs: readonly SourceSpec[],
  client: ReadClient,
  recorded: ReadonlyMap<string, string>,
  log: Logger,
): Promise<SourceRepomd[]> {
  const out: SourceRepomd[] = [];
  for (const [index, spec] of specs.entries()) out.push(await fetchOne(index, spec, client, recorded.get(spec.id), log));
  return out;
}

async function fetchOne(index: number, spec: SourceSpec, client: ReadClient, recordedSha: string | undefined, log: Logger): Promise<SourceRepomd> {
  let candidates: string[] = spec.urls;
  let acceptable: Set<string> | undefined;
  if (spec.kind !== 'baseurl') {
    const listUrl = new URL(spec.urls[0] ?? '');
    const text = (await client.read(listUrl, 16 << 20)).toString('utf8');
    if (spec.kind === 'mirrorlist') {
      candidates = parseMirrorlist(text);
      if (candidates.length === 0) {
        throw new OvirtRepoError(ErrorCodes.FETCH, `mirrorlist ${spec.id} lists no usable mirror`, { target: spec.id, hint: 'check the mirrorlist URL' });
      }
    } else {
      const ml = parseMetalink(text, spec.id);
      candidates = ml.baseUrls;
      acceptable = new Set([ml.hashes.sha256, ...ml.alternates.map((a) => a.sha256)].filter((h): h is string => Boolean(h)));
      if (recordedSha && ml.hashes.sha256 === recordedSha) {
        // The metalink vouches for the repomd.xml we already have: no mirror request needed.
        return { index, spec, location: parseLocation(candidates[0] ?? spec.urls[0] ?? ''), repomdSha256: recordedSha };
      }
    }
  }
  const failures: string[] = [];
  for (const candidate of candidates) {
    const location = parseLocation(candidate);
    const url = resolveHref(location.base, 'repodata/repomd.xml', spec.id);
    try {
      const bytes = await client.read(url, 16 << 20);
      const digest = sha256(bytes);
      if (acceptable && acceptable.size > 0 && !acceptable.has(digest)) {
        failures.push(`${location.display}: repomd.xml (sha256 ${digest}) does not match the metalink`);
        log.warn(`mirror ${location.display} is out of date (repomd.xml does not match the metalink), trying the next one`);
        continue;
      }
      const repomd = parseRepomd(bytes, redactUrl(url.href));
      return { index, spec, location, repomdSha256: digest, repomd, revision: repomd.revision };
    } catch (e) {
      if (candidates.length === 1) throw annotateRepomdError(e, redactUrl(url.href));
      failures.push(`${location.display}: ${(e as Error).message}`);
      log.warn(`cannot use mirror ${location.display}: ${(e as Error).message}`);
    }
  }
  throw new OvirtRepoError(ErrorCodes.FETCH, `no mirror of ${spec.id} could be used`, {
    target: spec.id,
    hint: 'every mirror failed or was out of date; retry later',
    data: { failures: failures.map((f) => printable(f)) },
  });
}

function annotateRepomdError(e: unknown, url: string): unknown {
  if (!isOvirtRepoError(e)) return e;
  if (e.code === ErrorCodes.FETCH && (e.data?.status === 404 || e.data?.code === 'ENOENT')) {
    return new OvirtRepoError(ErrorCodes.FETCH, `${url} not found: the source is not a YUM repo (no repodata/repomd.xml)`, {
      target: url,
      hint: 'point --from at the directory that contains repodata/ (for a build, the output of `ovirt-repo minirepo create`)',
      cause: e,
      data: e.data,
    });
  }
  return e;
}
