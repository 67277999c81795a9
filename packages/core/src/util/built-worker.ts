import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { packageRootOf } from './package-root.js';

/**
 * A worker thread's script as built into core's bundle (`dist/bundle/<file>`), found from core's package
 * root so it works from the bundle, from tsc's dist/ and from src/ alike; undefined when core is not built
 * (callers then do the work on the calling thread).
 */
export function builtWorkerFile(file: string): string | undefined {
  const root = packageRootOf(dirname(fileURLToPath(import.meta.url)));
  const path = root && join(root, 'dist', 'bundle', file);
  return path && existsSync(path) ? path : undefined;
}
