import { lstat, readdir, stat } from 'node:fs/promises';
import { isAbsolute, join, resolve } from 'node:path';
import { ErrorCodes, OvirtRepoError, ioError } from '@ovirt-repo/core';

/** True when `pattern` has glob syntax (`*`, `?`, `[...]`). */
export function hasGlob(pattern: string): boolean {
  return /[*?[]/.test(pattern);
}

/**
 * A RegExp for one path segment of a shell glob: `*` (any run of characters), `?` (one character),
 * `[abc]`, `[a-z]`, `[!x]`/`[^x]` (classes), `\` escaping the next character. As in the shell, a leading
 * `.` must be matched literally, so `*` skips hidden files.
 */
export function segmentToRegExp(segment: string): RegExp {
  let re = '';
  for (let i = 0; i < segment.length; i++) {
    const c = segment.charAt(i);
    if (c === '\\' && i + 1 < segment.length) {
      re += escapeRe(segment.charAt(++i));
    } else if (c === '*') {
      re += '[^/]*';
    } else if (c === '?') {
      re += '[^/]';
    } else if (c === '[') {
      const close = classEnd(segment, i);
      if (close < 0) {
        re += '\\[';
        continue;
      }
      let body = segment.slice(i + 1, close);
      const negate = body.startsWith('!') || body.startsWith('^');
      if (negate) body = body.slice(1);
      re += `[${negate ? '^' : ''}${body.replace(/\\/g, '\\\\').replace(/^\]/, '\\]').replace(/\[/g, '\\[')}]`;
      i = close;
    } else {
      re += escapeRe(c);
    }
  }
  const hiddenGuard = segment.startsWith('.') ? '' : '(?!\\.)';
  return new RegExp(`^${hiddenGuard}${re}$`, 'u');
}

/** Index of the `]` closing the class opened at `open`, or -1 (then `[` is literal, as in the shell). */
function classEnd(segment: string, open: number): number {
  let i = open + 1;
  if (segment[i] === '!' || segment[i] === '^') i++;
  if (segment[i] === ']') i++; // a `]` first in the class is a member
  for (; i < segment.length; i++) if (segment[i] === ']') return i;
  return -1;
}

function escapeRe(c: string): string {
  return c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

/**
 * Expand `patterns` to the files they name, sorted and without duplicates, as the shell would (so
 * quoted patterns work, and a job's `'*.repo'` means the same with or without a shell). `**` matches any
 * number of directories. A pattern that exists literally as a file is taken as that file. A plain path
 * that does not exist, or a pattern that matches no file, is an error: skipping it silently would leave a
 * config un-injected.
 */
export async function expandFileArgs(patterns: string[], cwd = process.cwd()): Promise<string[]> {
  const found = new Set<string>();
  for (const pattern of patterns) {
    const literal = resolve(cwd, pattern);
    // A path named as such is taken even when it is not a regular file, so the error says what it is.
    if ((await isFile(literal)) || (!hasGlob(pattern) && (await exists(literal)))) {
      found.add(literal);
      continue;
    }
    if (!hasGlob(pattern)) {
      throw new OvirtRepoError(ErrorCodes.NOT_FOUND, `${pattern}: no such file`, {
        target: literal,
        hint: 'pass existing config files (paths are taken from the working directory), or a quoted glob such as "*.repo"',
      });
    }
    const matches = await expandGlob(pattern, cwd);
    if (matches.length === 0) {
      throw new OvirtRepoError(ErrorCodes.NOT_FOUND, `${pattern}: the pattern matches no file`, {
        target: resolve(cwd, pattern),
        hint: 'check the pattern and the working directory',
      });
    }
    matches.forEach((m) => found.add(m));
  }
  return [...found].sort();
}

/** Absolute paths of the regular files (or links to them) matching `pattern`, sorted. */
export async function expandGlob(pattern: string, cwd = process.cwd()): Promise<string[]> {
  const absolute = isAbsolute(pattern);
  const segments = pattern.split('/').filter((s, i) => s !== '' || (i === 0 && absolute));
  const start = absolute ? '/' : cwd;
  const results = new Set<string>();
  await walk(absolute ? segments.slice(1) : segments, start, results);
  return [...results].sort();
}

async function walk(segments: string[], dir: string, results: Set<string>): Promise<void> {
  if (segments.length === 0) {
    if (await isFile(dir)) results.add(dir);
    return;
  }
  const [segment, ...rest] = segments as [string, ...string[]];
  if (segment === '**') {
    await walk(rest, dir, results);
    for (const entry of await list(dir)) {
      // Symlinked directories are not followed by `**`, so a link loop cannot make this endless.
      if (entry.isDirectory() && !entry.name.startsWith('.')) await walk(segments, join(dir, entry.name), results);
    }
    return;
  }
  if (!hasGlob(segment)) {
    await walk(rest, join(dir, segment.replace(/\\(.)/g, '$1')), results);
    return;
  }
  const re = segmentToRegExp(segment);
  for (const entry of await list(dir)) {
    if (re.test(entry.name)) await walk(rest, join(dir, entry.name), results);
  }
}

async function list(dir: string) {
  try {
    return await readdir(dir, { withFileTypes: true });
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return [];
    throw ioError('list directory', dir, e);
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await lstat(path);
    return true;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return false;
    throw ioError('stat', path, e);
  }
}

async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return false;
    throw ioError('stat', path, e);
  }
}
