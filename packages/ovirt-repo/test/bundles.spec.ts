// The runtime users load is each package's esbuild bundle (tools/bundle/bundle.mjs), not tsc's files: this
// checks, on the built packages (npm test builds first), that every package's entry point and every oclif
// command is a bundle, and that no bundle carries another workspace package inside it. A plugin with its own
// copy of core would have its own sync-target registry and error classes, so `instanceof` checks and
// registered targets would silently stop working across packages.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const BUNDLED = ['core', 'minirepo', 'mirror', 'ost', 'publisher', 'cli'];

interface PackageJson {
  name: string;
  main: string;
  exports: { '.': { import: string; types: string } };
  oclif?: { commands?: string };
}

const pjson = (dir: string): PackageJson => JSON.parse(readFileSync(join(repoRoot, 'packages', dir, 'package.json'), 'utf8'));

function jsFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith('.js'))
    .map((e) => join(e.parentPath, e.name));
}

/** esbuild starts each module it inlines with a `// <path>` comment, relative to the package directory. */
function inlinedModules(file: string): string[] {
  return [...readFileSync(file, 'utf8').matchAll(/^\/\/ (\S+\.(?:js|mjs|cjs|json))$/gm)].map((m) => m[1] ?? '');
}

describe.each(BUNDLED)('the %s package runs from its bundle', (dir) => {
  const root = join(repoRoot, 'packages', dir);
  const pkg = pjson(dir);
  const bundleDir = join(root, 'dist', 'bundle');

  it('points main and exports at the bundle, and the bundle exists', () => {
    expect(pkg.main).toBe('./dist/bundle/index.js');
    expect(pkg.exports['.'].import).toBe('./dist/bundle/index.js');
    expect(existsSync(join(root, pkg.main))).toBe(true);
    // Types still come from tsc.
    expect(existsSync(join(root, pkg.exports['.'].types))).toBe(true);
  });

  it('inlines only its own compiled modules: other workspace packages and npm dependencies stay imports', () => {
    const files = jsFiles(bundleDir);
    expect(files.length).toBeGreaterThan(0);
    const foreign = files.flatMap((f) => inlinedModules(f).filter((m) => !m.startsWith('dist/')).map((m) => `${m} (in ${f})`));
    expect(foreign).toEqual([]);
    const ownModules = files.flatMap(inlinedModules);
    expect(ownModules.length).toBeGreaterThan(0);
  });

  if (dir !== 'core') {
    it('imports @ovirt-repo/core instead of carrying a copy', () => {
      const text = jsFiles(bundleDir).map((f) => readFileSync(f, 'utf8')).join('\n');
      expect(text).toMatch(/from "@ovirt-repo\/core"/);
    });

    it('has every command of its oclif manifest as a bundled entry', () => {
      expect(pkg.oclif?.commands).toBe('./dist/bundle/commands');
      const manifest = JSON.parse(readFileSync(join(root, 'oclif.manifest.json'), 'utf8')) as { commands: Record<string, unknown> };
      const ids = Object.keys(manifest.commands);
      expect(ids.length).toBeGreaterThan(0);
      for (const id of ids) expect(existsSync(join(root, 'dist', 'bundle', 'commands', ...id.split(':')) + '.js')).toBe(true);
    });
  }
});
