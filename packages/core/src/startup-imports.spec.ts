import { readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/*
 * Every command imports @ovirt-repo/core, so whatever core imports statically every command pays for at
 * start-up, `--help` included. Heavy or rarely needed dependencies (zod, yaml, saxes, the xz and
 * zstd codecs) must be loaded where they are used (dynamic import or lazyRequire). This walks core's
 * static import graph from src/index.ts and fails when one of them is reached.
 */

const srcDir = dirname(fileURLToPath(import.meta.url));

/** Packages a static import may reach: Node's own modules, oclif (BaseCommand) and fzstd (8 ms). */
const ALLOWED = (spec: string) => spec.startsWith('node:') || spec === '@oclif/core' || spec === 'fzstd';

function staticImports(entry: string): { files: Set<string>; packages: Map<string, string> } {
  const files = new Set<string>();
  const packages = new Map<string, string>();
  const visit = (file: string) => {
    if (files.has(file)) return;
    files.add(file);
    const text = readFileSync(file, 'utf8');
    // `import x from`, `import { a, type B } from`, `export * from`; not `import type` / `export type`.
    for (const m of text.matchAll(/^(?:import|export)\s+(?!type\b)[^;]*?\bfrom\s+'([^']+)'/gms)) {
      const spec = m[1] ?? '';
      if (spec.startsWith('.')) visit(resolve(dirname(file), spec.replace(/\.js$/, '.ts')));
      else if (!packages.has(spec)) packages.set(spec, relative(srcDir, file));
    }
    for (const m of text.matchAll(/^import\s+'([^']+)'/gm)) packages.set(m[1] ?? '', relative(srcDir, file));
  };
  visit(entry);
  return { files, packages };
}

describe('what importing @ovirt-repo/core loads', () => {
  const graph = staticImports(join(srcDir, 'index.ts'));

  it('walks the whole barrel (the walk itself works)', () => {
    expect(graph.files.size).toBeGreaterThan(50);
    expect([...graph.files].some((f) => f.endsWith(join('rpm', 'read-package.ts')))).toBe(true);
    expect(graph.packages.has('@oclif/core')).toBe(true);
  });

  it('reaches no heavy dependency statically', () => {
    const offending = [...graph.packages].filter(([spec]) => !ALLOWED(spec)).map(([spec, from]) => `${spec} (imported by ${from})`);
    expect(offending).toEqual([]);
  });

  it('sees a forbidden import when there is one', () => {
    const probe = staticImports(join(srcDir, 'run-lock', 'schema.ts'));
    expect(probe.packages.get('zod')).toBe(join('run-lock', 'schema.ts'));
  });
});
