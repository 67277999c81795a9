// Runs one library call of the compiled plugin in a child process, for crash and concurrency tests:
//   node runner.mjs sync '<json SyncOptions>'     node runner.mjs gc '<json>'
//   node runner.mjs repo-delete '{"store": LOCATION, "repo": REPO, ...DeleteRepoOptions}'
//   node runner.mjs repo-rename '{"store": LOCATION, "repo": OLD, "to": NEW, ...RepoLockOptions}'
//   node runner.mjs promote '{"store": LOCATION, "repo": REPO, "id": ID, "to": REPO2, ...PromoteOptions}'
//   node runner.mjs store-writes '{"store": DIR, "started": FILE}': replace a pointer and create objects of
//   a local store until killed (touches FILE once it runs)
//   node runner.mjs hold-lock '{"store": LOCATION, "name": NAME, "staleAfterMs": MS}': take writer lock NAME of
//   the store (an s3:// one: keys from the AWS environment), print {"locked": true}, and hold it (heartbeats
//   running) until killed
// Prints the JSON result on stdout; on failure prints {"error": {...}} and exits 1.
const dist = new URL('../../dist/bundle/index.js', import.meta.url);
const lib = await import(dist.href);
const [op, json] = process.argv.slice(2);
const opts = JSON.parse(json ?? '{}');
try {
  let result;
  if (op === 'sync') result = await lib.syncRepo(opts);
  else if (op === 'repo-delete') result = await lib.deleteRepo(await lib.openStore(opts.store), opts.repo, opts);
  else if (op === 'promote') result = await lib.promoteSnapshot(await lib.openStore(opts.store), opts.repo, opts.id, opts.to, opts);
  else if (op === 'repo-rename') result = await lib.renameRepo(await lib.openStore(opts.store), opts.repo, opts.to, opts);
  else if (op === 'gc') result = await lib.runGc(await lib.openStore(opts.store), opts);
  else if (op === 'store-writes') result = await storeWrites(await lib.openLocalStore(opts.store), opts.started);
  else if (op === 'hold-lock') {
    const store = await lib.openStoreBackend(opts.store);
    await store.lock(opts.name, { purpose: 'a writer killed while holding the lock', timeoutMs: 0, staleAfterMs: opts.staleAfterMs });
    process.stdout.write(`${JSON.stringify({ locked: true })}\n`);
    await new Promise(() => setInterval(() => undefined, 1000));
  }
  else throw new Error(`unknown op ${op}`);
  process.stdout.write(`${JSON.stringify(result)}\n`);
} catch (e) {
  process.stdout.write(`${JSON.stringify({ error: { code: e.code, message: e.message } })}\n`);
  process.exitCode = 1;
}

/** Pointer replaces and object creates, each content recognisably whole (one repeated digit, a fixed size). */
async function storeWrites(store, started) {
  const { writeFile } = await import('node:fs/promises');
  const whole = (n) => `${String(n % 10).repeat(65536)}\n`;
  for (let n = 1; ; n++) {
    const current = await store.read('yum/el9/latest.txt');
    await store.replace('yum/el9/latest.txt', whole(n), current?.version ?? null);
    await store.create(`pool/${String(n % 100).padStart(2, '0')}/obj-${n}`, whole(n));
    if (n === 1) await writeFile(started, '');
  }
}
