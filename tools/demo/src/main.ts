#!/usr/bin/env node
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ovirtRepo } from './cli.js';
import { makeBuild } from './fixtures.js';

interface CreateResult {
  directory: string;
  packages: number;
  bytes: number;
  repomd: { checksum: string };
}
interface VerifyResult {
  packages: number;
  metadataFiles: number;
}

const say = (line = '') => process.stdout.write(`${line}\n`);

/**
 * `npm run demo`: the ovirt-repo flow on fixture packages made by the TypeScript RPM writer (no rpm tools
 * needed), in a temporary directory, through the real CLI. Each step prints what it did.
 */
async function main(): Promise<void> {
  const keep = process.argv.includes('--keep');
  const work = await mkdtemp(join(tmpdir(), 'ovirt-repo-demo-'));
  try {
    say(`ovirt-repo demo in ${work}\n`);
    say('1. build-artifacts: two build jobs turn their RPMs into mini repos');
    for (const build of ['ovirt-engine', 'vdsm']) {
      const dir = await makeBuild(work, build);
      const created = await ovirtRepo<CreateResult>(['minirepo', 'create', dir]);
      const verified = await ovirtRepo<VerifyResult>(['minirepo', 'verify', dir]);
      say(`   ovirt-repo minirepo create ${dir}`);
      say(`     -> ${created.packages} packages, ${created.bytes} bytes, repomd sha256 ${created.repomd.checksum.slice(0, 12)}...`);
      say(`   ovirt-repo minirepo verify ${dir}`);
      say(`     -> OK: ${verified.packages} packages and ${verified.metadataFiles} metadata files verified`);
    }
    say();
    say('Try it with dnf:');
    say(`   dnf --repofrompath=demo,file://${join(work, 'ovirt-engine', 'exported-artifacts')} --repo=demo list available`);
    say(keep ? `\nKept ${work}` : '\nDone (pass --keep to keep the files).');
  } finally {
    if (!keep) await rm(work, { recursive: true, force: true });
  }
}

main().catch((e) => {
  process.stderr.write(`demo failed: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exitCode = 1;
});
