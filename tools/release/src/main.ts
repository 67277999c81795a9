#!/usr/bin/env node
// npm run release: writes dist/release/ from the built workspace (the script runs npm run build first).
import { release } from './release.js';

try {
  const r = await release();
  for (const f of r.files) process.stdout.write(`${f}\n`);
  process.stdout.write(`release: ${r.files.length} artifacts in ${r.out} (${((Date.now() - r.started) / 1000).toFixed(1)} s)\n`);
} catch (err) {
  process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
}
