#!/usr/bin/env node
// Bundles a package's compiled runtime (tsc's dist/) into dist/bundle/ with esbuild, so a command loads a
// few files instead of a hundred: Node 20 has no module compile cache, and resolving, reading and
// compiling each ES module file cost the CLI about as much as Node's own start-up. Run from a package
// directory after tsc: `node ../../tools/bundle/bundle.mjs`.
//
// Entry points: dist/index.js (the package's library API), every oclif command under dist/commands/, every
// oclif hook under dist/hooks/ and every worker thread script (dist/**/*.worker.js).
// Code shared by the API and the commands (and everything behind a dynamic import) goes to chunks beside
// them, so a package keeps one instance of its module state. A worker script is one file of its own: a
// thread has module state of its own anyway. Every npm dependency, other workspace packages
// included, stays external: @ovirt-repo/core is loaded once, from its own bundle, by every plugin.
//
// The bundle sits at the same depth below the package root as the compiled files (dist/bundle/x.js vs
// dist/dir/x.js), so `new URL('../../package.json', import.meta.url)` finds the same file in both.
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { join, relative } from 'node:path';
import { build } from 'esbuild';

const pkgDir = process.cwd();
const dist = join(pkgDir, 'dist');
const out = join(dist, 'bundle');

/** Compiled runtime files below dir (no declarations, maps or specs). */
function runtimeFiles(dir) {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith('.js') && !/\.spec(\..+)?\.js$/.test(e.name))
    .map((e) => join(e.parentPath, e.name));
}

// Worker threads' scripts (`*.worker.js`) are entries too, each in one file of its own (see below).
const workers = runtimeFiles(dist).filter((f) => f.endsWith('.worker.js') && !f.startsWith(out));
const entryPoints = [join(dist, 'index.js'), ...runtimeFiles(join(dist, 'commands')), ...runtimeFiles(join(dist, 'hooks'))].filter((f) => existsSync(f));
if (entryPoints.length + workers.length === 0) {
  console.error(`bundle: no dist/index.js or dist/commands/ in ${pkgDir}; run tsc first`);
  process.exit(1);
}

rmSync(out, { recursive: true, force: true });
const common = {
  outbase: dist,
  outdir: out,
  bundle: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  packages: 'external',
  // The input is tsc's JavaScript: tsconfig.base.json's paths (workspace packages -> their src/) must not
  // pull another package's sources into this bundle.
  tsconfigRaw: {},
  // Error messages and oclif's help use class and function names; keep them as written.
  keepNames: true,
  sourcemap: true,
  // Chunks stay at the bundle's top level: the same depth as index.js (see above).
  chunkNames: 'chunk-[hash]',
  logLevel: 'warning',
  metafile: true,
};
const results = [
  entryPoints.length > 0 ? await build({ ...common, entryPoints, splitting: true }) : undefined,
  // A worker thread has module state of its own anyway, and starts on the critical path of what waits for
  // it: one file holding only what it imports, without the chunks it would share with the package's API.
  ...(await Promise.all(workers.map((w) => build({ ...common, entryPoints: [w], splitting: false })))),
];
const files = results.flatMap((r) => (r ? Object.keys(r.metafile.outputs) : [])).filter((f) => f.endsWith('.js'));
console.log(`bundle: ${relative(pkgDir, out)}: ${entryPoints.length + workers.length} entries, ${files.length} files`);
