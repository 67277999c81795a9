import { checkOutput, type OutputFile } from './outputs.js';

export interface ConfigFile {
  /** The path as the user named it (after glob expansion), for messages. */
  path: string;
  /** The file to replace: links are followed so the link stays a link and its target is updated. */
  file: OutputFile;
  text: string;
  /** latin1 when the file is not valid UTF-8: one byte per character, so every byte survives the rewrite. */
  encoding: 'utf8' | 'latin1';
}

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** Read a config inject may replace: a regular file (or a symlink to one), nothing else. */
export async function readConfigFile(path: string): Promise<ConfigFile> {
  const file = await checkOutput(path, { mayBeNew: false });
  const bytes = file.original ?? Buffer.alloc(0);
  try {
    return { path, file, text: utf8.decode(bytes), encoding: 'utf8' };
  } catch {
    return { path, file, text: bytes.toString('latin1'), encoding: 'latin1' };
  }
}

export function encodeConfig(file: ConfigFile, text: string): Buffer {
  return Buffer.from(text, file.encoding);
}
