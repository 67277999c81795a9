import { ErrorCodes, OvirtRepoError } from '../errors/index.js';
import type { Logger } from '../log/logger.js';
import { parseTargetLocation, redactLocation, type TargetLocation } from './location.js';
import type { SyncTarget } from './sync-target.js';

export interface TargetOpenOptions {
  logger?: Logger;
  /**
   * Target-specific settings as key=value strings (`publish --target-option rsh="ssh -i key"`). Each target
   * documents the keys it reads and rejects unknown ones.
   */
  settings?: Readonly<Record<string, string>>;
  /** Environment for child processes and credentials; defaults to process.env. */
  env?: NodeJS.ProcessEnv;
}

/** Opens a target for a location of its scheme. May validate the location and throw OvirtRepoError. */
export type TargetFactory = (location: TargetLocation, options: TargetOpenOptions) => SyncTarget | Promise<SyncTarget>;

export interface TargetSchemeInfo {
  /** Registry key (lower-case URL scheme, `file` for paths, `ssh` for `host:path`). */
  scheme: string;
  /** One line: what the target writes to. */
  description: string;
  /** Example destinations, shown in help and errors. */
  examples: string[];
  /** The package that registered it (for `publish targets` and conflict messages). */
  provider: string;
}

export interface RegisterTargetOptions {
  description: string;
  examples?: string[];
  provider?: string;
  /**
   * What to do when the scheme is already registered: 'error' (default) throws, 'replace' takes it over (a
   * plugin overriding a built-in), 'keep' leaves the existing one (how built-ins register, so a plugin that
   * loaded first wins).
   */
  onConflict?: 'error' | 'replace' | 'keep';
}

const SCHEME_NAME = /^[a-z][a-z0-9+.-]*$/;

/**
 * Target kinds by scheme. Plugins fill it (usually from an oclif `init` hook, see docs/plugins.md); callers
 * open destinations with open(), which picks the factory by scheme — there is no other dispatch.
 */
export class TargetRegistry {
  readonly #entries = new Map<string, { info: TargetSchemeInfo; factory: TargetFactory }>();

  register(scheme: string, factory: TargetFactory, options: RegisterTargetOptions): void {
    const key = scheme.toLowerCase().replace(/:$/, '');
    if (!SCHEME_NAME.test(key)) {
      throw new OvirtRepoError(ErrorCodes.USAGE, `Cannot register target scheme "${scheme}": not a URL scheme name`, {
        hint: 'Use letters, digits, "+", "-" and "." starting with a letter, without "://".',
      });
    }
    const existing = this.#entries.get(key);
    if (existing) {
      const mode = options.onConflict ?? 'error';
      if (mode === 'keep') return;
      if (mode === 'error') {
        throw new OvirtRepoError(ErrorCodes.USAGE, `Target scheme "${key}:" is already registered by ${existing.info.provider}`, {
          hint: 'Register with onConflict: "replace" to override it deliberately, or pick another scheme name.',
        });
      }
    }
    const info: TargetSchemeInfo = {
      scheme: key,
      description: options.description,
      examples: [...(options.examples ?? [])],
      provider: options.provider ?? 'unknown',
    };
    this.#entries.set(key, { info, factory });
  }

  /** Forget a scheme (tests, plugins that unload). */
  unregister(scheme: string): boolean {
    return this.#entries.delete(scheme.toLowerCase());
  }

  has(scheme: string): boolean {
    return this.#entries.has(scheme.toLowerCase());
  }

  /** Registered schemes, sorted by name. */
  schemes(): TargetSchemeInfo[] {
    return [...this.#entries.values()].map((e) => ({ ...e.info, examples: [...e.info.examples] })).sort((a, b) => a.scheme.localeCompare(b.scheme));
  }

  /** How `raw` is classified (scheme, form, parts) without opening anything. */
  parse(raw: string): TargetLocation {
    return parseTargetLocation(raw, (s) => this.has(s));
  }

  /**
   * Open the destination `raw` with the factory registered for its scheme. Unknown scheme: E_UNKNOWN_SCHEME
   * naming it and listing the known ones.
   */
  async open(raw: string, options: TargetOpenOptions = {}): Promise<SyncTarget> {
    if (raw.trim() === '') {
      throw new OvirtRepoError(ErrorCodes.USAGE, 'Empty destination', { hint: 'Give a path or a URL such as rsync://host/module/dir.' });
    }
    const location = this.parse(raw);
    const entry = this.#entries.get(location.scheme);
    if (!entry) {
      const known = this.schemes();
      const list = known.length ? known.map((s) => `${s.scheme}: (${s.examples[0] ?? s.description})`).join(', ') : 'none';
      throw new OvirtRepoError(ErrorCodes.UNKNOWN_SCHEME, `Unknown target scheme "${location.scheme}:" in ${redactLocation(raw)}`, {
        target: redactLocation(raw),
        hint: `Known schemes: ${list}. Other schemes come from plugins (see docs/plugins.md).`,
        data: { scheme: location.scheme, known: known.map((s) => s.scheme) },
      });
    }
    return entry.factory(location, options);
  }
}

// One registry per process, shared even if two copies of @ovirt-repo/core end up installed (a plugin that
// bundled its own): it lives on globalThis under a registered symbol, not in this module's scope.
const REGISTRY_KEY = Symbol.for('@ovirt-repo/core:target-registry');

/** The process-wide registry that commands use and plugins fill. */
export function targetRegistry(): TargetRegistry {
  const g = globalThis as unknown as Record<symbol, TargetRegistry | undefined>;
  return (g[REGISTRY_KEY] ??= new TargetRegistry());
}

/** Register a target kind in the process-wide registry. */
export function registerTarget(scheme: string, factory: TargetFactory, options: RegisterTargetOptions): void {
  targetRegistry().register(scheme, factory, options);
}

/** Open a destination through the process-wide registry. */
export function openTarget(raw: string, options?: TargetOpenOptions): Promise<SyncTarget> {
  return targetRegistry().open(raw, options);
}
