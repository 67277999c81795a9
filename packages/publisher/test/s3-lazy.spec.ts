import { readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/*
 * Publishing to a directory (or over rsync) must not load the s3 target: the registry loads it with a
 * dynamic import when an s3:// destination is opened. This walks the plugin's static import graph from
 * every entry point (the library API and each command) and fails when it reaches the s3 target's folder.
 */

const srcDir = join(dirname(fileURLToPath(import.meta.url)), '..', 'src');
const S3_DIR = join(srcDir, 'lib', 'targets', 's3');

function staticImports(entry: string): Set<string> {
  const files = new Set<string>();
  const visit = (file: string) => {
    if (files.has(file)) return;
    files.add(file);
    // `import x from`, `import { a, type B } from`, `export * from`; not `import type` / `export type`.
    for (const m of readFileSync(file, 'utf8').matchAll(/^(?:import|export)\s+(?!type\b)[^;]*?\bfrom\s+'(\.[^']+)'/gms)) {
      visit(resolve(dirname(file), (m[1] ?? '').replace(/\.js$/, '.ts')));
    }
  };
  visit(entry);
  return files;
}

describe('what publishing loads', () => {
  const entries = ['index.ts', join('commands', 'publish.ts'), join('commands', 'publish', 'targets.ts')].map((e) => join(srcDir, e));

  it('reaches no s3 target code statically from any entry point', () => {
    const reached = entries.flatMap((e) => [...staticImports(e)]).filter((f) => f.startsWith(S3_DIR));
    expect(reached.map((f) => relative(srcDir, f))).toEqual([]);
  });

  it('walks the whole graph (the file target and the registry are reached), and sees the s3 code from its own entry', () => {
    const fromPublish = staticImports(entries[1] ?? '');
    expect([...fromPublish].map((f) => relative(srcDir, f))).toEqual(expect.arrayContaining([join('lib', 'targets', 'builtin.ts'), join('lib', 'targets', 'file-target.ts')]));
    expect([...staticImports(join(S3_DIR, 's3-target.ts'))].map((f) => relative(srcDir, f))).toContain(join('lib', 'targets', 's3', 'cache-policy.ts'));
  });

  it('registers the s3 scheme with a dynamic import', () => {
    expect(readFileSync(join(srcDir, 'lib', 'targets', 'builtin.ts'), 'utf8')).toContain("await import('./s3/s3-target.js')");
  });
});
