import type { FileType } from './model.js';
import type { XmlEventReader } from './xml-events.js';

export function checkRoot(reader: XmlEventReader, name: string, expected: string): void {
  if (name !== expected) {
    throw reader.invalid(`has root element <${name}>, expected <${expected}>`, 'check that the file is the metadata type its repomd.xml record says');
  }
}

/** The packages="N" attribute, undefined when absent. */
export function parseCount(reader: XmlEventReader, value: string | undefined): number | undefined {
  return value === undefined ? undefined : parseNumber(reader, value, 'packages count');
}

/** A non-negative integer attribute; absent or empty counts as 0 (createrepo_c's strtoll does the same). */
export function parseNumber(reader: XmlEventReader, value: string | undefined, what = 'number'): number {
  if (value === undefined || value === '') return 0;
  const n = Number(value);
  if (!/^\s*\d+\s*$/.test(value) || !Number.isSafeInteger(n)) {
    throw reader.invalid(`has an invalid ${what} "${value}"`);
  }
  return n;
}

/** createrepo_c writes only "dir" and "ghost"; anything else is a plain file. */
export function fileType(type: string | undefined): FileType {
  return type === 'dir' || type === 'ghost' ? type : 'file';
}
