import { readFileSync } from 'node:fs';

let cached: string | undefined;

/**
 * `ovirt-repo/<version>`, sent with every request so server logs tell CI traffic apart. The version comes
 * from core's package.json, two levels above this file both in src/uri and in dist/uri.
 */
export function defaultUserAgent(): string {
  if (cached === undefined) {
    let version = '0.0.0';
    try {
      version = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')).version ?? version;
    } catch {
      // A bundled or relocated build without package.json still works; only the version is unknown.
    }
    cached = `ovirt-repo/${version}`;
  }
  return cached;
}
