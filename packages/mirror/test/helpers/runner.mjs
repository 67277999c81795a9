// Runs one library call of the compiled plugin in a child process, for crash and concurrency tests:
//   node runner.mjs sync '<json SyncOptions>'     node runner.mjs gc '<json>'
// Prints the JSON result on stdout; on failure prints {"error": {...}} and exits 1.
const dist = new URL('../../dist/bundle/index.js', import.meta.url);
const lib = await import(dist.href);
const [op, json] = process.argv.slice(2);
const opts = JSON.parse(json ?? '{}');
try {
  let result;
  if (op === 'sync') result = await lib.syncRepo(opts);
  else if (op === 'gc') result = await lib.runGc(await lib.openStore(opts.store), opts);
  else throw new Error(`unknown op ${op}`);
  process.stdout.write(`${JSON.stringify(result)}\n`);
} catch (e) {
  process.stdout.write(`${JSON.stringify({ error: { code: e.code, message: e.message } })}\n`);
  process.exitCode = 1;
}
