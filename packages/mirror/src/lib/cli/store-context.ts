import { loadConfig, requireStore, type LoadedConfig, type Store } from '@ovirt-repo/core';
import { defaultBaseUrl } from '../store/layout.js';
import { openStore } from '../store/store.js';

export interface StoreFlags {
  store?: string;
  baseUrl?: string;
  /** ovirt-repo.yaml (`--config` of the commands that take it); else OVIRT_REPO_CONFIG or ./ovirt-repo.yaml. */
  config?: string;
}

export interface StoreContext {
  store: Store;
  baseUrl: string;
  loaded: LoadedConfig;
}

/**
 * The effective store and base URL: flag > environment > ovirt-repo.yaml > default (the store's file://
 * URL), as docs/config.md describes. `create` makes a new store (writers); readers require an existing one.
 */
export async function storeContext(flags: StoreFlags, options: { create?: boolean } = {}): Promise<StoreContext> {
  const loaded = await loadConfig({ file: flags.config, overrides: { store: flags.store, baseUrl: flags.baseUrl } });
  const store = await openStore(requireStore(loaded.config), { create: options.create, ...(loaded.config.s3 ? { s3: loaded.config.s3 } : {}) });
  const baseUrl = (loaded.config.baseUrl ?? defaultBaseUrl(store)).replace(/\/+$/, '');
  return { store, baseUrl, loaded };
}

/** Readers: an existing store. */
export async function openExistingStore(flags: StoreFlags): Promise<StoreContext> {
  return storeContext(flags);
}
