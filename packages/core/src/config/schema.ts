import { z } from 'zod';
import { DURATION_HELP, DURATION_PATTERN, durationProblem, parseDuration } from './duration.js';
import { SIZE_HELP, SIZE_PATTERN, parseSize, sizeProblem } from './size.js';
import { baseUrlProblem, sourceProblem } from './locations.js';
import { MAX_REPO_NAME_LENGTH, REPO_NAME_RULE } from './names.js';
import { describeValue } from './wording.js';
import { isNoProxyValue } from '../uri/network.js';

/**
 * The schema of ovirt-repo.yaml, as written by CI maintainers. It is the single source of truth for
 * validation (load.ts), the JSON Schema shipped for editors (json-schema.ts) and the reference in
 * docs/config.md.
 *
 * To add a setting: add the key to the right shape below with a `.meta({ description })`, carry it into the
 * effective configuration in resolve.ts, and document it in docs/config.md; then rebuild so the shipped
 * schema/ovirt-repo.schema.json follows (a test fails while it is stale). Objects are strict: an unknown key is
 * an error with a "did you mean" suggestion, so a typo never silently falls back to a default.
 *
 * Values are optional here; defaults are applied in resolve.ts, so a repo can tell "not set" (inherit from
 * `defaults`) from "set".
 */

/** Seconds, from `14d`, `12h`, `30m`, `2w`, `1d12h` or a whole number of seconds. */
export const durationSchema = z
  .union([
    z
      .string()
      .regex(DURATION_PATTERN, { error: (iss) => durationProblem(String(iss.input)), abort: true })
      .refine((s) => durationProblem(s) === undefined, { error: (iss) => durationProblem(String(iss.input)) }),
    z.number().int().min(0),
  ], { error: (iss) => `must be ${DURATION_HELP}, got ${describeValue(iss.input)}` })
  .transform((v) => parseDuration(v))
  .meta({ description: `A duration: ${DURATION_HELP}; a bare number is seconds.`, examples: ['14d', '12h', '2w'] });

/** Bytes, from `4GiB`, `512M` or a whole number of bytes. */
export const sizeSchema = z
  .union([
    z
      .string()
      .regex(SIZE_PATTERN, { error: (iss) => sizeProblem(String(iss.input)), abort: true })
      .refine((s) => sizeProblem(s) === undefined, { error: (iss) => sizeProblem(String(iss.input)) }),
    z.number().int().min(0),
  ], { error: (iss) => `must be ${SIZE_HELP}, got ${describeValue(iss.input)}` })
  .transform((v) => parseSize(v))
  .meta({ description: `A size: ${SIZE_HELP}.`, examples: ['4GiB', '512MiB'] });

export const REPO_MODES = ['mirror', 'additive'] as const;
export type RepoMode = (typeof REPO_MODES)[number];

const modeSchema = z.enum(REPO_MODES);

/** One string or a list of them (`arch: x86_64` or `arch: [x86_64, noarch]`). */
function oneOrMany<T extends z.ZodType>(item: T) {
  return z.union([item, z.array(item)]);
}

const archSchema = z.string().regex(/^[A-Za-z0-9_]+$/, {
  error: (iss) => `invalid architecture ${describeValue(iss.input)}: use names like x86_64, aarch64, ppc64le, s390x, noarch or src`,
});

const globSchema = z.string().min(1);

const sourceSchema = z
  .string()
  .min(1)
  .refine((s) => sourceProblem(s) === undefined, { error: (iss) => sourceProblem(String(iss.input)) });

export const retentionSchema = z
  .strictObject({
    maxAge: durationSchema.optional().meta({ description: `Snapshots older than this may be removed by gc: ${DURATION_HELP}, or seconds. Unset: no age limit.` }),
    keep: z.number().int().min(0).optional().meta({ description: 'gc always keeps this many newest snapshots, however old. Unset: no count limit.' }),
  })
  .meta({
    description:
      'What `ovirt-repo gc` keeps. A snapshot is removed only when it is older than maxAge and not among the keep newest; the latest snapshot and pinned snapshots are never removed.',
    examples: [{ maxAge: '14d', keep: 5 }],
  });

/** Settings a repo may set itself or inherit from `defaults`. */
function repoSettingsShape(level: 'defaults' | 'repo') {
  const inherit = level === 'repo' ? ' Inherits defaults.' : '';
  return {
    mode: modeSchema.optional().meta({
      description: `mirror: each snapshot holds exactly the source's packages (after filters). additive: the previous latest plus the sources, the newest EVR of each name.arch winning.${inherit}${level === 'defaults' ? ' Default: mirror.' : ''}`,
      ...(level === 'defaults' ? { default: 'mirror' } : {}),
    }),
    arch: oneOrMany(archSchema).optional().meta({ description: `Architectures to keep (e.g. [x86_64, noarch]). Unset: all.${inherit}`, examples: [['x86_64', 'noarch']] }),
    include: oneOrMany(globSchema).optional().meta({ description: `Only packages matching one of these globs (yum includepkgs semantics). Unset: all.${inherit}`, examples: [['ovirt-*']] }),
    exclude: oneOrMany(globSchema).optional().meta({ description: `Drop packages matching any of these globs (yum exclude semantics).${inherit}`, examples: [['*-debuginfo']] }),
    newestOnly: z.boolean().optional().meta({ description: `Keep only the newest version of each name.arch from the sources.${inherit}${level === 'defaults' ? ' Default: false.' : ''}` }),
    keepVersions: z.number().int().min(1).optional().meta({ description: `Additive mode: versions kept per name.arch.${inherit} Default: 1.` }),
    retention: retentionSchema.optional(),
  };
}

export const repoDefaultsSchema = z
  .strictObject(repoSettingsShape('defaults'))
  .meta({ description: 'Settings applied to every repo that does not set them itself (also to repos that exist in the store but not in this file).' });

const reposyncConfigSchema = z
  .union([
    z.string().min(1),
    z.strictObject({
      file: z.string().min(1).meta({ description: 'The yum/reposync config file (relative to this file).' }),
      section: z.string().min(1).optional().meta({ description: 'Its section to use. Default: the repo name.' }),
    }),
  ])
  .meta({
    description:
      "Take baseurl/mirrorlist/metalink, includepkgs and exclude from a section of a yum/reposync config (like oVirt's mirrors-reposync.conf). A string is the file, with the section named like the repo.",
    examples: [{ file: 'mirrors-reposync.conf', section: 'centos-stream-9-baseos' }],
  });

export const repoSchema = z
  .strictObject({
    source: sourceSchema.optional().meta({ description: 'The YUM repo to sync from: an http(s):// or file:// URL, or a path (relative to this file).' }),
    sources: z.array(sourceSchema).optional().meta({ description: 'Several sources, merged.' }),
    config: reposyncConfigSchema.optional(),
    ...repoSettingsShape('repo'),
    signKey: z.string().min(1).optional().meta({ description: "`mirror sync`: sign each snapshot's repodata/repomd.xml with this gpg key (id, fingerprint or e-mail; the keyring of GNUPGHOME). Exclusive with signCommand." }),
    signCommand: z
      .string()
      .min(1)
      .optional()
      .meta({ description: "`mirror sync`: sign each snapshot's repodata/repomd.xml with this external signer: repomd.xml on stdin, an ASCII-armoured detached signature on stdout. Words split on spaces, no shell. Needs signPublicKey." }),
    signPublicKey: z.string().min(1).optional().meta({ description: "The signer's ASCII-armoured public key file (relative to this file); every signature is verified against it before the snapshot is committed, and it is stored in the snapshot as RPM-GPG-KEY." }),
    // Verifying what mirror sync takes in (docs/trust.md).
    gpgcheck: z.boolean().optional().meta({ description: "mirror sync checks every package's OpenPGP signature against gpgKeys before it enters the pool, refusing unsigned ones (yum's gpgcheck=1). Default: false, or the config section's gpgcheck." }),
    repoGpgcheck: z
      .boolean()
      .optional()
      .meta({ description: "mirror sync checks each source's repodata/repomd.xml.asc against gpgKeys before reading what it lists (yum's repo_gpgcheck=1). Default: false, or the config section's repo_gpgcheck." }),
    gpgKeys: z
      .array(z.string().min(1))
      .optional()
      .meta({ description: 'The public keys (files relative to this file, or http(s) URLs) that may sign the packages and repomd.xml (yum\'s gpgkey).', examples: [['https://www.centos.org/keys/RPM-GPG-KEY-CentOS-Official']] }),
  })
  .meta({
    description:
      'A repo of the store. Give exactly one of source, sources or config; additive repos may have none (deploy jobs pass --from).',
  });

export const publishSchema = z
  .strictObject({
    from: z.string().min(1).meta({ description: 'The configured repo whose latest snapshot is published.' }),
    to: z.string().min(1).meta({
      description: 'Destination: any sync-target URL (rsync://host/module/path, host:path, ssh://, file://, a plugin scheme) or a path (relative to this file).',
    }),
    keepDays: z.number().int().min(0).optional().meta({ description: 'Packages published within this many days stay listed and downloadable. Default: 14.', default: 14 }),
    keepVersions: z.number().int().min(1).optional().meta({ description: 'At most this many versions per name.arch. Unset: no limit.' }),
    keepMetadataDays: z.number().int().min(0).optional().meta({ description: 'Metadata files of earlier repomd.xml generations stay this many days. Default: 2.', default: 2 }),
    allowOlder: z
      .boolean()
      .optional()
      .meta({ description: 'Publish a source older than what the destination publishes (a roll-back) instead of refusing it. Default: false.', default: false }),
    signKey: z.string().min(1).optional().meta({ description: 'Sign repodata/repomd.xml with this gpg key (id, fingerprint or e-mail; the keyring of GNUPGHOME). Exclusive with signCommand.' }),
    signCommand: z
      .string()
      .min(1)
      .optional()
      .meta({ description: 'Sign repodata/repomd.xml with this external signer: repomd.xml on stdin, an ASCII-armoured detached signature on stdout. Words split on spaces, no shell. Needs signPublicKey.' }),
    signPublicKey: z.string().min(1).optional().meta({ description: "The signer's ASCII-armoured public key file (relative to this file); every signature is verified against it before publishing." }),
    publicKeyPath: z.string().min(1).optional().meta({ description: 'Publish the public key at this path of the destination, e.g. RPM-GPG-KEY-ovirt-tested.' }),
  })
  .meta({ description: 'A publish destination (`ovirt-repo publish`).' });

export const syncSchema = z
  .strictObject({
    parallel: z.number().int().min(1).max(64).optional().meta({ description: '`mirror sync --all`: repos synced at once. Default: 4.', default: 4 }),
    workers: z.number().int().min(1).max(256).optional().meta({ description: 'Package downloads in flight per sync. Default: 8.', default: 8 }),
    timeout: durationSchema.optional().meta({ description: 'A request that brings no byte for this long fails, and so does a repomd.xml or mirror list not complete by then; also the window minRate is measured over. Default: 60s.', default: '60s' }),
    retries: z.number().int().min(0).max(20).optional().meta({ description: 'Retries of a transient network failure: at most retries + 1 requests per file. Default: 3.', default: 3 }),
    minRate: z
      .number()
      .int()
      .min(0)
      .optional()
      .meta({ description: "A download that brings fewer bytes per second than this over a whole timeout fails, as a transient failure (dnf's minrate). 0: no minimum. Default: 1000.", default: 1000 }),
    mirrorBudget: durationSchema.optional().meta({ description: 'The whole time for finding a usable mirror of a mirrorlist, metalink or several baseurls. Default: 2m.', default: '2m' }),
    maxMetadataSize: sizeSchema.optional().meta({
      description:
        "The most a source's metadata file may be, downloaded or decompressed, where its repomd.xml declares no size (or a larger one); what repomd.xml declares binds first. Default: 4GiB.",
      default: '4GiB',
    }),
  })
  .meta({ description: 'How syncs run: concurrency, network and size limits.' });

/** Why `value` cannot be network.proxy, or undefined when it can (credentials stay out of this file, which `config show` prints). */
function proxyProblem(value: string): string | undefined {
  if (value.toLowerCase() === 'env' || isNoProxyValue(value)) return undefined;
  let url: URL;
  try {
    url = new URL(value.includes('://') ? value : `http://${value}`);
  } catch {
    return 'must be env, none, or a proxy URL such as http://proxy.example.org:3128';
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return `must be an http:// or https:// proxy URL, not ${url.protocol}//`;
  if (url.username || url.password) return 'must not hold credentials (this file is printed by config show): put them in https_proxy/http_proxy or a yum config section (proxy_username, proxy_password)';
  return undefined;
}

const pemFileSchema = z.string().min(1);

export const networkSchema = z
  .strictObject({
    proxy: z
      .string()
      .refine((s) => proxyProblem(s) === undefined, { error: (iss) => proxyProblem(String(iss.input)) })
      .optional()
      .meta({
        description:
          "The proxy for upstream fetches of mirror sync: env (http_proxy/https_proxy/no_proxy), none, or a URL (no_proxy hosts excepted). Overridden by a yum config section's proxy= and by --proxy/--no-proxy. Default: env.",
        default: 'env',
        examples: ['http://proxy.example.org:3128', 'none'],
      }),
    caCert: pemFileSchema.optional().meta({ description: "PEM file of the CA(s) upstream servers' certificates must chain to, instead of the system's (yum's sslcacert). Relative to this file." }),
    clientCert: pemFileSchema.optional().meta({ description: 'PEM file of the client certificate for servers that require one (yum\'s sslclientcert). Relative to this file.' }),
    clientKey: pemFileSchema.optional().meta({ description: "PEM file of the client certificate's key (yum's sslclientkey); default: the clientCert file. Relative to this file." }),
  })
  .meta({ description: 'How upstream servers are reached by mirror sync: proxy and TLS certificates. See docs/trust.md.' });

export const injectSchema = z
  .strictObject({
    require: z
      .array(z.string().min(1))
      .optional()
      .meta({
        description: 'Sections `ovirt-repo inject` must inject (or insert) into some config, else it fails and changes no file, as --require does (the flag adds to these).',
        examples: [['ovirt-master-el9-experimental']],
      }),
  })
  .meta({ description: 'How `ovirt-repo inject` checks its work. See docs/inject.md.' });

export const s3Schema = z
  .strictObject({
    endpoint: z
      .string()
      .regex(/^https?:\/\/[^/@?#\s]+\/?$/, { error: 'must be http(s)://HOST[:PORT], without keys, path or query' })
      .optional()
      .meta({ description: 'The S3 endpoint (Ceph RGW, MinIO...; requests use path-style addressing). Overrides AWS_ENDPOINT_URL_S3 and AWS_ENDPOINT_URL. Default: AWS.', examples: ['http://rgw.example.org:7480'] }),
    region: z
      .string()
      .regex(/^[a-z0-9-]{1,64}$/, { error: 'must be a region name such as us-east-1' })
      .optional()
      .meta({ description: 'The region requests are signed for. Overrides AWS_REGION. Default: us-east-1.', examples: ['us-east-1'] }),
    profile: z
      .string()
      .regex(/^[A-Za-z0-9._-]{1,64}$/, { error: 'must be a profile name of ~/.aws/credentials' })
      .optional()
      .meta({ description: 'The profile of the shared credentials and config files whose keys are used. Overrides AWS_PROFILE and the AWS_ACCESS_KEY_ID pair. Keys never go in this file.', examples: ['ci'] }),
  })
  .meta({ description: 'Where and as whom an s3:// store is reached; unset keys come from the standard AWS environment.' });

/** JSON Schema form of the repo name rule (the loader also checks it, with a readable message). */
const nameKeys = {
  propertyNames: { pattern: '^(?!all_latest(\\.|$))(?!.*\\.\\.)[A-Za-z0-9][A-Za-z0-9._+-]*$', maxLength: MAX_REPO_NAME_LENGTH },
};

export const configFileSchema = z
  .strictObject({
    $schema: z.string().optional().meta({ description: 'The JSON Schema of this file, for editors (ignored by ovirt-repo).' }),
    store: z.string().min(1).optional().meta({
      description: 'The store: a directory (relative to this file), or s3://BUCKET/PREFIX. Overridden by --store and OVIRT_REPO_STORE.',
      examples: ['/srv/ovirt-repo', 's3://ci-repos/store'],
    }),
    baseUrl: z
      .string()
      .refine((s) => baseUrlProblem(s) === undefined, { error: (iss) => baseUrlProblem(String(iss.input)) })
      .optional()
      .meta({
        description: "The URL the store is served at; index files use it. Overridden by --base-url and OVIRT_REPO_BASE_URL. Default: the store's file:// URL.",
        format: 'uri',
        examples: ['https://resources.example.org/repos'],
      }),
    defaults: repoDefaultsSchema.nullable().optional(),
    repos: z
      .record(z.string(), repoSchema.nullable())
      .nullable()
      .optional()
      .meta({ description: `The repos of the store, by name. Names ${REPO_NAME_RULE}.`, ...nameKeys }),
    publish: z
      .record(z.string(), publishSchema)
      .nullable()
      .optional()
      .meta({ description: `Publish destinations, by name. Names ${REPO_NAME_RULE}.`, ...nameKeys }),
    sync: syncSchema.nullable().optional(),
    network: networkSchema.nullable().optional(),
    s3: s3Schema.nullable().optional(),
    inject: injectSchema.nullable().optional(),
  })
  .meta({
    title: 'ovirt-repo configuration (ovirt-repo.yaml)',
    description: 'Transactional YUM/DNF repositories for CI. Reference: docs/config.md.',
  });

/** ovirt-repo.yaml as written (before defaults and path resolution). */
export type ConfigFileInput = z.input<typeof configFileSchema>;
/** ovirt-repo.yaml after validation: durations in seconds, nothing filled in yet. */
export type ConfigFile = z.output<typeof configFileSchema>;
