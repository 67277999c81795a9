import { loadConfig, requireStore, type LoadedConfig, type Store } from '@ovirt-repo/core';
import { defaultBaseUrl, ownBaseUrl } from '../store/layout.js';
import { openStore } from '../store/store.js';

export interface StoreFlags {
  store?: string;
  baseUrl?: string;
  /** ovirt-repo.yaml (`--config` of the commands that take it); else OVIRT_REPO_CONFIG or ./ovirt-repo.yaml. */
  config?: string;
}

export interface StoreContext {
  store: Store;
  /** E_USAGE when neither configured nor the store's own (a store that is not a local directory). */
  readonly baseUrl: string;
  /** The base URL when one is known, for commands that only show URLs (snapshot list/show). */
  readonly knownBaseUrl: string | undefined;
  loaded: LoadedConfig;
}

/**
 * The effective store and base URL: flag > environment > ovirt-repo.yaml > default (the store's file://
 * URL), as docs/config.md describes. `create` makes a new store (writers); readers require an existing one.
 */
export async function storeContext(flags: StoreFlags, options: { create?: boolean } = {}): Promise<StoreContext> {
  const loaded = await loadConfig({ file: flags.config, overrides: { store: flags.store, baseUrl: flags.baseUrl } });
  const store = await openStore(requireStore(loaded.config), { create: options.create, ...(loaded.config.s3 ? { s3: loaded.config.s3 } : {}) });
  // Only commands that print or write URLs need it: a store with no default (s3://) fails only there.
  const configured = loaded.config.baseUrl;
  return {
    store,
    loaded,
    get baseUrl() {
      return (configured ?? defaultBaseUrl(store)).replace(/\/+$/, '');
    },
    get knownBaseUrl() {
      return (configured ?? ownBaseUrl(store))?.replace(/\/+$/, '');
    },
  };
}

/** Readers: an existing store. */
export async function openExistingStore(flags: StoreFlags): Promise<StoreContext> {
  return storeContext(flags);
}
