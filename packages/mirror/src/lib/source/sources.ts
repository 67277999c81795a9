import { createHash } from 'node:crypto';
import { stat } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { ErrorCodes, isOvirtRepoError, MAX_REPOMD_SIZE, type NetworkSettings, OvirtRepoError, parseRepomd, redactUrl, type Logger, type ReadClient, type Repomd, type ReadRequestOptions } from '@ovirt-repo/core';
import { parseLocation, resolveHref, type RepoLocation } from './location.js';
import { mirrorsNamedBy, parseMetalink, parseMirrorlist } from './mirror-list.js';
import { tryMirrors } from './try-mirrors.js';
import { hostBaseArch, readRepoSection, type VerifySettings } from './repo-config.js';
import type { RepomdCheck } from './repomd-signature.js';
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
  /** The config section's proxy and TLS options (see readRepoSection); empty without a section. */
  network: NetworkSettings;
  /** The config section's gpgcheck, repo_gpgcheck and gpgkey; empty without a section. */
  verify: VerifySettings;
}

export async function resolveSourceSpecs(from: readonly string[], config: SourceConfig | undefined, repo: string, arch: readonly string[] | undefined): Promise<ResolvedSpecs> {
  const specs: SourceSpec[] = [];
  let include: string[] = [];
  let exclude: string[] = [];
  let network: NetworkSettings = {};
  let verify: VerifySettings = {};
  if (config) {
    const vars = { basearch: arch?.find((a) => a !== 'noarch' && a !== 'src') ?? hostBaseArch(), arch: hostBaseArch(), ...config.vars };
    const section = await readRepoSection(config.file, config.section ?? repo, vars);
    if (section.metalink) specs.push({ id: redactUrl(section.metalink), kind: 'metalink', urls: [section.metalink] });
    else if (section.mirrorlist) specs.push({ id: redactUrl(section.mirrorlist), kind: 'mirrorlist', urls: [section.mirrorlist] });
    else specs.push({ id: section.baseurl.map(redactUrl).join(' '), kind: 'baseurl', urls: section.baseurl });
    include = section.include;
    exclude = section.exclude;
    network = section.network;
    verify = section.verify;
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
  return { specs, include, exclude, network, verify };
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

/** Default of `mirrorBudgetMs`: the whole time for finding a usable mirror of a list. */
const DEFAULT_MIRROR_BUDGET_MS = 120_000;

export interface FetchSourcesOptions {
  /** The whole time for finding a usable mirror of a mirrorlist, metalink or several baseurls. */
  mirrorBudgetMs?: number;
  /** --repo-gpgcheck: each repomd.xml is checked as soon as it is read, before anything it lists. */
  checkRepomd?: RepomdCheck;
}

/**
 * Read every source's repomd.xml: one small request per source (a metalink names its checksum, so an
 * unchanged metalink source needs only the metalink). Mirrors from a list are tried as tryMirrors says.
 */
export async function fetchSourceRepomds(
  specs: readonly SourceSpec[],
  client: ReadClient,
  recorded: ReadonlyMap<string, string>,
  log: Logger,
  options: FetchSourcesOptions = {},
): Promise<SourceRepomd[]> {
  const out: SourceRepomd[] = [];
  for (const [index, spec] of specs.entries()) out.push(await fetchOne(index, spec, client, recorded.get(spec.id), log, options));
  return out;
}

/** Mirror failures kept in an error's data (a list may hold thousands). */
const MAX_LISTED_FAILURES = 20;

async function fetchOne(index: number, spec: SourceSpec, client: ReadClient, recordedSha: string | undefined, log: Logger, options: FetchSourcesOptions): Promise<SourceRepomd> {
  let candidates: string[] = spec.urls;
  let acceptable: Set<string> | undefined;
  if (spec.kind !== 'baseurl') {
    const listUrl = new URL(spec.urls[0] ?? '');
    const text = (await client.read(listUrl, MAX_REPOMD_SIZE)).toString('utf8');
    if (spec.kind === 'mirrorlist') {
      const { usable, skipped } = mirrorsNamedBy(listUrl, parseMirrorlist(text));
      if (skipped.length > 0) {
        const many = skipped.length === 1 ? 'entry that is not an http(s) URL' : 'entries that are not http(s) URLs';
        log.warn(`mirrorlist ${spec.id}: skipped ${skipped.length} ${many} (a remote list may not name local files): ${skipped.slice(0, 3).map(printable).join(', ')}${skipped.length > 3 ? ', ...' : ''}`);
      }
      candidates = usable;
      if (candidates.length === 0) {
        throw new OvirtRepoError(ErrorCodes.FETCH, `mirrorlist ${spec.id} lists no usable mirror`, {
          target: spec.id,
          hint: 'check the mirrorlist URL; a mirror list names http(s) URLs of repos (file:// only in a list that is itself a local file)',
        });
      }
    } else {
      const ml = parseMetalink(text, spec.id);
      if (ml.skipped.length > 0) log.warn(`metalink ${spec.id}: skipped ${ml.skipped.length} URL(s) that are not http(s): ${ml.skipped.slice(0, 3).map(printable).join(', ')}`);
      candidates = ml.baseUrls;
      acceptable = new Set([ml.hashes.sha256, ...ml.alternates.map((a) => a.sha256)].filter((h): h is string => Boolean(h)));
      // With --repo-gpgcheck the repomd.xml is read and its signature checked, vouched for or not.
      if (recordedSha && ml.hashes.sha256 === recordedSha && !options.checkRepomd) {
        // The metalink vouches for the repomd.xml we already have: no mirror request needed.
        return { index, spec, location: parseLocation(candidates[0] ?? spec.urls[0] ?? ''), repomdSha256: recordedSha };
      }
    }
  }
  const fromMirror = async (candidate: string, request: ReadRequestOptions): Promise<SourceRepomd> => {
    const location = parseLocation(candidate);
    const url = resolveHref(location.base, 'repodata/repomd.xml', spec.id);
    const bytes = await client.read(url, MAX_REPOMD_SIZE, request);
    const digest = sha256(bytes);
    if (acceptable && acceptable.size > 0 && !acceptable.has(digest)) {
      throw new OvirtRepoError(ErrorCodes.CHECKSUM_MISMATCH, `${location.display}: repomd.xml (sha256 ${digest}) does not match the metalink: the mirror is out of date`, { target: location.display });
    }
    await options.checkRepomd?.(bytes, url);
    const repomd = parseRepomd(bytes, redactUrl(url.href));
    return { index, spec, location, repomdSha256: digest, repomd, revision: repomd.revision };
  };
  const only = candidates.length === 1 ? candidates[0] : undefined;
  if (only !== undefined) {
    return fromMirror(only, {}).catch(async (e: unknown) => {
      const base = parseLocation(only).base;
      throw (await missingDirectory(e, base)) ?? annotateRepomdError(e, redactUrl(resolveHref(base, 'repodata/repomd.xml', spec.id).href));
    });
  }
  // Several mirrors: each gets one try (the next mirror is the better retry), all of them a bounded time.
  const budgetMs = options.mirrorBudgetMs ?? DEFAULT_MIRROR_BUDGET_MS;
  const outcome = await tryMirrors(candidates, (c, signal) => fromMirror(c, { signal, retries: 0 }), budgetMs);
  const failures = outcome.failures.map((f) => printable(`${redactUrl(f.mirror)}: ${f.message}`));
  if (outcome.ok) {
    if (failures.length > 0) {
      const n = failures.length;
      log.warn(`${n} mirror${n === 1 ? '' : 's'} of ${spec.id} failed, using ${outcome.value.location.display}: ${failures.slice(0, 3).join('; ')}${n > 3 ? '; ...' : ''}`);
    }
    return outcome.value;
  }
  const tried = `${outcome.tried} of ${candidates.length} tried${outcome.outOfTime ? ` in the ${budgetMs / 1000} s budget` : ''}`;
  throw new OvirtRepoError(ErrorCodes.FETCH, `no mirror of ${spec.id} could be used (${tried})${failures[0] ? `: ${failures[0]}` : ''}`, {
    target: spec.id,
    hint: outcome.outOfTime
      ? 'no mirror answered in time; retry later, or allow more time with --mirror-budget (sync.mirrorBudget in ovirt-repo.yaml)'
      : 'every mirror failed or was out of date; retry later',
    data: { failures: failures.slice(0, MAX_LISTED_FAILURES), tried: outcome.tried, listed: candidates.length },
  });
}

/** A local source that is not there at all is a wrong path, not a directory that is not a repo. */
async function missingDirectory(e: unknown, base: URL): Promise<OvirtRepoError | undefined> {
  if (base.protocol !== 'file:' || !isOvirtRepoError(e) || e.data?.code !== 'ENOENT') return undefined;
  const dir = fileURLToPath(base);
  const exists = await stat(dir).then(() => true, (err: NodeJS.ErrnoException) => err.code !== 'ENOENT');
  if (exists) return undefined;
  return new OvirtRepoError(ErrorCodes.NOT_FOUND, `source directory ${dir} does not exist`, {
    target: dir,
    hint: 'check the path given to --from (relative paths are taken from the current directory), or the source of the repo in ovirt-repo.yaml',
    cause: e,
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
