import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

/**
 * A CommonJS dependency loaded on first use instead of at import time. yaml (20 ms) and saxes (20 ms) are
 * needed by only a few commands, yet a static import would make every command pay for them at start-up.
 * Only for packages whose Node entry point is CommonJS for both `import` and `require` (yaml, saxes), so
 * this returns the very module instance a static import would.
 */
export function lazyRequire<T>(id: string): () => T {
  let loaded: T | undefined;
  return () => (loaded ??= require(id) as T);
}
