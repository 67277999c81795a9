import { readFile, realpath, stat } from 'node:fs/promises';
import { ioError } from '@ovirt-repo/core';

export interface ConfigFile {
  /** The path as the user named it (after glob expansion), for messages. */
  path: string;
  /** Where to write: links are followed so the link stays a link and its target is updated. */
  realPath: string;
  text: string;
  /** latin1 when the file is not valid UTF-8: one byte per character, so every byte survives the rewrite. */
  encoding: 'utf8' | 'latin1';
  mode: number;
}

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

export async function readConfigFile(path: string): Promise<ConfigFile> {
  try {
    const realPath = await realpath(path);
    const [bytes, st] = await Promise.all([readFile(realPath), stat(realPath)]);
    let text: string;
    let encoding: ConfigFile['encoding'] = 'utf8';
    try {
      text = utf8.decode(bytes);
    } catch {
      text = bytes.toString('latin1');
      encoding = 'latin1';
    }
    return { path, realPath, text, encoding, mode: st.mode & 0o7777 };
  } catch (e) {
    throw ioError('read config', path, e);
  }
}

export function encodeConfig(file: ConfigFile, text: string): Buffer {
  return Buffer.from(text, file.encoding);
}
