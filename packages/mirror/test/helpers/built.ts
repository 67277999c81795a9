import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** packages/mirror */
export const pluginRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const repoRoot = join(pluginRoot, '..', '..');
export const distIndex = join(pluginRoot, 'dist', 'bundle', 'index.js');

function newestMtime(dir: string, ending: string): number {
  let newest = 0;
  if (!existsSync(dir)) return 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) newest = Math.max(newest, newestMtime(p, ending));
    else if (e.name.endsWith(ending) && !e.name.includes('.spec.')) newest = Math.max(newest, statSync(p).mtimeMs);
  }
  return newest;
}

/**
 * Child-process tests (SIGKILL, parallel writers) run the compiled plugin, so compile and bundle it (what
 * `npm run build` does) when the sources are newer than dist/ (our own project only; core's dist comes from
 * the nx ^build dependency).
 */
export function ensurePluginBuilt(): void {
  const bundle = join(pluginRoot, 'dist', 'bundle');
  const fresh = existsSync(distIndex) && newestMtime(bundle, '.js') >= newestMtime(join(pluginRoot, 'src'), '.ts');
  if (!fresh) {
    execFileSync(process.execPath, [join(repoRoot, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join(pluginRoot, 'tsconfig.lib.json')], {
      stdio: 'inherit',
    });
    execFileSync(process.execPath, [join(repoRoot, 'tools', 'bundle', 'bundle.mjs')], { cwd: pluginRoot, stdio: 'ignore' });
  }
  const manifest = join(pluginRoot, 'oclif.manifest.json');
  if (!existsSync(manifest) || statSync(manifest).mtimeMs < newestMtime(join(bundle, 'commands'), '.js')) {
    execFileSync(process.execPath, [join(repoRoot, 'node_modules', 'oclif', 'bin', 'run.js'), 'manifest'], { cwd: pluginRoot, stdio: 'ignore' });
  }
  if (!existsSync(join(repoRoot, 'packages', 'core', 'dist', 'bundle', 'index.js'))) {
    throw new Error('packages/core/dist is missing: run `npx nx run @ovirt-repo/core:build` (nx test does it through ^build)');
  }
}
