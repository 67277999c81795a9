import { readFileSync } from 'node:fs';
import { builtWorkerFile } from './built-worker.js';

/*
 * A worker thread starts while its caller waits for it: its built script is one file of its own (no chunks
 * shared with core's API). See tools/bundle/bundle.mjs.
 */
const importsOf = (file: string): string[] => {
  const path = builtWorkerFile(file);
  if (!path) throw new Error(`${file} is not built (npm test builds before it tests)`);
  return [...readFileSync(path, 'utf8').matchAll(/^import\b[^;]*?from\s+"([^"]+)"/gms)].map((m) => m[1] as string);
};

describe('built worker scripts', () => {
  it.each(['rpm/render-rpms.worker.js'])('%s is one file', (file) => {
    const imports = importsOf(file);
    expect(imports.length).toBeGreaterThan(0);
    expect(imports.filter((i) => i.startsWith('.'))).toEqual([]);
  });
});
