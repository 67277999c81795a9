import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

/**
 * The nearest directory at or above `dir` with a package.json: a package's root, the same whether its
 * code runs from src/, from tsc's dist/ or from dist/bundle/ (which sit at different depths).
 * Undefined when there is none up to the filesystem root.
 */
export function packageRootOf(dir: string): string | undefined {
  for (let d = dir; ; d = dirname(d)) {
    if (existsSync(join(d, 'package.json'))) return d;
    if (dirname(d) === d) return undefined;
  }
}
