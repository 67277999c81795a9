import { mkdir, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { buildRpm, rpmFileName } from './build-rpm.js';
import type { RpmSpec } from './spec.js';

export interface WriteRpmOptions {
  /** File name inside outDir; defaults to rpmFileName(spec). */
  fileName?: string;
}

/**
 * Writes the package into outDir (created if missing) and returns its path. The file appears complete or
 * not at all (written aside, then renamed), so a test scanning the directory never sees half a package.
 */
export async function writeRpm(spec: RpmSpec, outDir: string, options: WriteRpmOptions = {}): Promise<string> {
  const data = buildRpm(spec);
  const fileName = options.fileName ?? rpmFileName(spec);
  if (fileName.includes('/') || fileName === '' || fileName.startsWith('.')) {
    throw new Error(`writeRpm: fileName ${JSON.stringify(fileName)} must be a plain file name`);
  }
  await mkdir(outDir, { recursive: true });
  const path = join(outDir, fileName);
  const temp = join(outDir, `.${fileName}.${process.pid}.tmp`);
  await writeFile(temp, data);
  await rename(temp, path);
  return path;
}
