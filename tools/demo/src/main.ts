#!/usr/bin/env node
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildJobs, deployJobs, flowPaths, mirrorUpstream, publishJob, standInTest, systemTestJob, writeReposyncConfig } from './flow.js';
import { freePort, startServe } from './serve.js';

const say = (line = '') => process.stdout.write(`${line}\n`);

/**
 * `npm run demo`: the whole transactional flow on fixture packages made by the TypeScript RPM writer (no rpm
 * tools needed), in a temporary directory, through the real CLI, then the store served for a few seconds.
 * `--keep-serving` serves until Ctrl-C; `--keep` keeps the files.
 */
async function main(): Promise<void> {
  const keepServing = process.argv.includes('--keep-serving');
  const keep = keepServing || process.argv.includes('--keep');
  const p = flowPaths(await mkdtemp(join(tmpdir(), 'ovirt-repo-demo-')));
  try {
    say(`ovirt-repo demo in ${p.work}\n`);
    say('1. build-artifacts: two build jobs turn their RPMs into mini repos (ovirt-repo minirepo create)');
    const builds = await buildJobs(p.work);
    for (const [project, dir] of Object.entries(builds)) say(`   ${project}: ${dir}`);

    say('2. deploy-to-experimental: both builds deployed at once, to two flows (ovirt-repo mirror sync --mode additive)');
    const deployed = await deployJobs(p, builds);
    for (const r of deployed) say(`   ${r.repo}: snapshot ${r.snapshot}, +${r.added} packages`);

    say('3. mirror cron: an upstream repo mirrored into the store (ovirt-repo mirror sync)');
    const upstream = await mirrorUpstream(p);
    say(`   ${upstream.repo}: snapshot ${upstream.snapshot}, ${upstream.added} packages`);

    say('4. system tests: the reposync config is pointed at the snapshots and a lock recorded (ovirt-repo inject)');
    await writeReposyncConfig(p);
    const injected = await systemTestJob(p);
    say(`   injected: ${injected.files.flatMap((f) => f.injected.map((i) => i.section)).join(', ')}`);
    say(`   lock: ${p.lock}`);
    const read = await standInTest(p);
    say(`   the stand-in test read ${read.length} snapshots through the injected config`);

    say('5. publish latest.tested: exactly what was tested, with history (ovirt-repo publish --from-lock)');
    const published = await publishJob(p);
    say(`   ${p.published}: ${published.listed.total} packages listed, ${published.added.length} added, ${published.kept.length} kept from history`);

    const port = await freePort();
    const { child: server } = await startServe(p.store, port);
    const base = `http://127.0.0.1:${port}`;
    say(`\n6. the store, served by ovirt-repo serve at ${base}/`);
    say(`   status page:  ${base}/index.html`);
    say(`   mirror map:   ${base}/yum/all_latest.json`);
    say('   try it with dnf:');
    const exp = deployed[0];
    say(`   dnf --setopt=reposdir=/dev/null --repofrompath=exp,${base}/yum/${exp.repo}/${exp.snapshot}/ --repo=exp list available`);
    say(`   dnf --setopt=reposdir=/dev/null --repofrompath=tested,file://${p.published}/ --repo=tested list available`);
    say(`   (latest.txt names each repo's latest snapshot: ${base}/yum/${exp.repo}/latest.txt)`);
    if (keepServing) {
      say('\nServing until Ctrl-C.');
      await new Promise<void>((resolve) => process.once('SIGINT', () => resolve()));
    } else {
      await new Promise((r) => setTimeout(r, 3000));
    }
    server.kill();
    say(keep ? `\nKept ${p.work}` : '\nDone (pass --keep to keep the files, --keep-serving to keep serving).');
  } finally {
    if (!keep) await rm(p.work, { recursive: true, force: true });
  }
}

main().catch((e) => {
  process.stderr.write(`demo failed: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exitCode = 1;
});
