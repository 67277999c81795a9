import { cp, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { existsSync, readFileSync, realpathSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { execa } from 'execa';

/** A set of workspace packages shipped as one installable npm package. */
export interface Distribution {
  /** The npm package name, and the tarball's `<name>-<version>.tgz`. */
  name: string;
  description: string;
  /** Workspace packages (npm names) it holds; their npm dependencies come with them. */
  packages: string[];
}

interface PackageJson {
  name: string;
  version: string;
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  peerDependenciesMeta?: Record<string, { optional?: boolean }>;
}

const readPjson = (dir: string): PackageJson => JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as PackageJson;

/** Where Node would find `name` from `fromDir`: the nearest node_modules/name up the tree, real path. */
function resolvePackage(name: string, fromDir: string): string | undefined {
  for (let d = fromDir; ; d = dirname(d)) {
    const candidate = join(d, 'node_modules', name);
    if (existsSync(join(candidate, 'package.json'))) return realpathSync(candidate);
    if (dirname(d) === d) return undefined;
  }
}

/**
 * Every npm package the workspace packages need at run time, as it is installed in this workspace (the
 * versions the tests ran against): a map from its real directory to its directory in the staged package.
 *
 * The staged tree keeps the workspace's layout, so Node resolves each import to the same package as here:
 * `<root>/node_modules/x` stays `node_modules/x`, and a package nested in a workspace package's own
 * node_modules stays nested in that package's staged copy.
 */
function runtimeClosure(root: string, workspace: Map<string, string>): Map<string, string> {
  // A workspace package's real directory -> where it goes in the stage.
  const stagedRoots = new Map([...workspace].map(([name, dir]) => [dir, join('node_modules', name)]));
  const placeOf = (dir: string): string => {
    for (const [wsDir, staged] of stagedRoots) if (dir.startsWith(wsDir + sep)) return join(staged, relative(wsDir, dir));
    const rel = relative(root, dir);
    if (rel.startsWith('..')) throw new Error(`release: ${dir} is outside the workspace ${root}`);
    return rel;
  };
  const found = new Map<string, string>();
  const visit = (dir: string): void => {
    const pj = readPjson(dir);
    // Optional peers are left out: their users load them only when present (debug and supports-color), and
    // npm treats a package nothing depends on as not bundled and fetches it at install.
    const optionalPeers = new Set(Object.entries(pj.peerDependenciesMeta ?? {}).filter(([, m]) => m.optional).map(([n]) => n));
    const required = [...Object.keys(pj.dependencies ?? {}), ...Object.keys(pj.peerDependencies ?? {}).filter((n) => !optionalPeers.has(n))];
    const optional = Object.keys(pj.optionalDependencies ?? {});
    for (const name of [...required, ...optional]) {
      if (workspace.has(name)) continue;
      const dep = resolvePackage(name, dir);
      if (dep === undefined) {
        if (required.includes(name)) throw new Error(`release: ${pj.name} needs ${name}, which is not installed (run npm ci)`);
        continue;
      }
      if (found.has(dep)) continue;
      found.set(dep, placeOf(dep));
      visit(dep);
    }
  };
  for (const dir of workspace.values()) visit(dir);
  return found;
}

/**
 * TypeScript sources and declarations serve a compiler, never the installed CLI: left out, they take a
 * third of the bundled zod and most of the files rpmlint finds duplicated (each .d.ts beside its .d.cts).
 */
const runtimeFile = (path: string): boolean => !/\.[cm]?tsx?$/.test(path);

/**
 * Each workspace package of `names` exactly as it would be published (`npm pack` applies its `files` list),
 * unpacked into `dest/<name>`.
 */
export async function packWorkspace(root: string, names: string[], dest: string): Promise<void> {
  const dirs = names.map((name) => {
    const dir = resolvePackage(name, root);
    if (dir === undefined) throw new Error(`release: workspace package ${name} is not linked in ${root}/node_modules (run npm ci)`);
    return dir;
  });
  const tarballs = join(dest, '.tarballs');
  await mkdir(tarballs, { recursive: true });
  const packed = await execa('npm', ['pack', '--json', '--pack-destination', tarballs, ...dirs], { cwd: root });
  for (const p of JSON.parse(packed.stdout) as Array<{ name: string; filename: string }>) {
    const to = join(dest, p.name);
    await mkdir(to, { recursive: true });
    await execa('tar', ['-xzf', join(tarballs, p.filename), '-C', to, '--strip-components=1', '--no-same-owner']);
  }
  await rm(tarballs, { recursive: true });
}

/**
 * Writes `dist` as an installable package directory at `stage`: a package.json whose dependencies are all
 * bundled, the `ovirt-repo` bin, and node_modules holding each workspace package as packed in `packed`
 * (see packWorkspace) plus every npm package they need. A tarball of the result installs offline.
 */
export async function stageDistribution(root: string, dist: Distribution, version: string, packed: string, stage: string): Promise<void> {
  await rm(stage, { recursive: true, force: true });
  await mkdir(join(stage, 'bin'), { recursive: true });
  const workspace = new Map<string, string>();
  for (const name of dist.packages) {
    const dir = resolvePackage(name, root);
    if (dir === undefined) throw new Error(`release: workspace package ${name} is not linked in ${root}/node_modules (run npm ci)`);
    workspace.set(name, dir);
  }

  for (const name of dist.packages) await cp(join(packed, name), join(stage, 'node_modules', name), { recursive: true, filter: runtimeFile });

  for (const [from, to] of runtimeClosure(root, workspace)) {
    // A package's nested node_modules are entries of the closure of their own: only what is needed.
    await cp(from, join(stage, to), { recursive: true, filter: (src) => runtimeFile(src) && !relative(from, src).split(sep).includes('node_modules') });
  }

  const cli = readPjson(join(stage, 'node_modules', '@ovirt-repo', 'cli')) as PackageJson & { engines?: unknown; license?: string };
  const pjson = {
    name: dist.name,
    version,
    description: dist.description,
    license: cli.license,
    type: 'module',
    engines: cli.engines,
    bin: { 'ovirt-repo': './bin/run.js' },
    files: ['bin'],
    dependencies: Object.fromEntries(dist.packages.map((p) => [p, version])),
    bundleDependencies: dist.packages,
  };
  await writeFile(join(stage, 'package.json'), `${JSON.stringify(pjson, null, 2)}\n`);
  // The CLI finds the feature plugins installed beside it (packages/cli/src/discover-plugins.ts).
  await writeFile(join(stage, 'bin', 'run.js'), "#!/usr/bin/env node\nimport '@ovirt-repo/cli/bin/run.js';\n", { mode: 0o755 });
  const readme = await readFile(join(root, 'README.md'), 'utf8');
  await writeFile(join(stage, 'README.md'), readme);
}
