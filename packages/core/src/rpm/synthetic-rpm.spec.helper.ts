/**
 * Test support (not shipped: `*.spec.*` is excluded from the package): writes RPM files from explicit tag
 * lists, for headers rpmbuild can no longer produce (rpm 3 file lists, old-style weak deps, Latin-1 text)
 * and for precisely corrupted files. The layout follows rpm's lib/header.c so rpm and createrepo_c accept
 * the result and can serve as the oracle.
 */
import { createHash } from 'node:crypto';
import { RpmSigTag, RpmTag, RpmTagType } from './tags.js';

export type EntryValue = string | (string | Buffer)[] | number | number[] | bigint[] | Buffer;

export interface SyntheticEntry {
  tag: number;
  type: number;
  value: EntryValue;
}

const ALIGN: Record<number, number> = { [RpmTagType.INT16]: 2, [RpmTagType.INT32]: 4, [RpmTagType.INT64]: 8 };

export const str = (tag: number, value: string | Buffer): SyntheticEntry => ({ tag, type: RpmTagType.STRING, value });
export const i18n = (tag: number, ...value: (string | Buffer)[]): SyntheticEntry => ({ tag, type: RpmTagType.I18NSTRING, value });
export const strs = (tag: number, value: (string | Buffer)[]): SyntheticEntry => ({ tag, type: RpmTagType.STRING_ARRAY, value });
export const int32 = (tag: number, ...value: number[]): SyntheticEntry => ({ tag, type: RpmTagType.INT32, value });
export const int16 = (tag: number, ...value: number[]): SyntheticEntry => ({ tag, type: RpmTagType.INT16, value });
export const int64 = (tag: number, ...value: bigint[]): SyntheticEntry => ({ tag, type: RpmTagType.INT64, value });

function encodeValue(e: SyntheticEntry): { bytes: Buffer; count: number } {
  const v = e.value;
  switch (e.type) {
    case RpmTagType.STRING:
    case RpmTagType.STRING_ARRAY:
    case RpmTagType.I18NSTRING: {
      const list = Array.isArray(v) ? (v as (string | Buffer)[]) : [v as string | Buffer];
      const parts = list.flatMap((s) => [Buffer.isBuffer(s) ? s : Buffer.from(s, 'utf8'), Buffer.alloc(1)]);
      return { bytes: Buffer.concat(parts), count: list.length };
    }
    case RpmTagType.INT16:
    case RpmTagType.INT32:
    case RpmTagType.INT64:
    case RpmTagType.CHAR:
    case RpmTagType.INT8: {
      const list = (Array.isArray(v) ? v : [v]) as (number | bigint)[];
      const size = e.type === RpmTagType.INT16 ? 2 : e.type === RpmTagType.INT32 ? 4 : e.type === RpmTagType.INT64 ? 8 : 1;
      const bytes = Buffer.alloc(size * list.length);
      list.forEach((n, i) => {
        if (size === 8) bytes.writeBigUInt64BE(BigInt(n), i * 8);
        else if (size === 4) bytes.writeUInt32BE(Number(n), i * 4);
        else if (size === 2) bytes.writeUInt16BE(Number(n), i * 2);
        else bytes.writeUInt8(Number(n), i);
      });
      return { bytes, count: list.length };
    }
    default: {
      const bytes = Buffer.isBuffer(v) ? v : Buffer.from(String(v));
      return { bytes, count: bytes.length };
    }
  }
}

/** One header (intro + index + data); entries sorted by tag, with an immutable-style region when asked. */
export function encodeHeader(entries: SyntheticEntry[], region?: number): Buffer {
  const sorted = [...entries].sort((a, b) => a.tag - b.tag);
  const il = sorted.length + (region ? 1 : 0);
  const index: Buffer[] = [];
  const data: Buffer[] = [];
  let dl = 0;
  const entry = (tag: number, type: number, offset: number, count: number): Buffer => {
    const b = Buffer.alloc(16);
    b.writeUInt32BE(tag, 0);
    b.writeUInt32BE(type, 4);
    b.writeInt32BE(offset, 8);
    b.writeUInt32BE(count, 12);
    return b;
  };
  for (const e of sorted) {
    const { bytes, count } = encodeValue(e);
    const align = ALIGN[e.type] ?? 1;
    const pad = (align - (dl % align)) % align;
    if (pad) data.push(Buffer.alloc(pad));
    dl += pad;
    index.push(entry(e.tag, e.type, dl, count));
    data.push(bytes);
    dl += bytes.length;
  }
  if (region) {
    index.unshift(entry(region, RpmTagType.BIN, dl, 16));
    data.push(entry(region, RpmTagType.BIN, -il * 16, 16));
    dl += 16;
  }
  const intro = Buffer.from([0x8e, 0xad, 0xe8, 0x01, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
  intro.writeUInt32BE(il, 8);
  intro.writeUInt32BE(dl, 12);
  return Buffer.concat([intro, ...index, ...data]);
}

export interface SyntheticRpm {
  main: SyntheticEntry[];
  /** Extra signature tags; size and header digests are always added. */
  signature?: SyntheticEntry[];
  /** False writes an rpm 3 style main header without the immutable region. */
  immutableRegion?: boolean;
  payload?: Buffer;
  leadType?: 0 | 1;
}

/** A complete .rpm file: lead, signature header (padded to 8), main header, payload bytes. */
export function buildRpm(spec: SyntheticRpm): Buffer {
  const main = encodeHeader(spec.main, spec.immutableRegion === false ? undefined : RpmTag.HEADERIMMUTABLE);
  const payload = spec.payload ?? Buffer.from('not a real payload');
  const sig = encodeHeader(
    [
      int32(RpmSigTag.SIZE, main.length + payload.length),
      str(RpmSigTag.SHA1, createHash('sha1').update(main).digest('hex')),
      str(RpmSigTag.SHA256, createHash('sha256').update(main).digest('hex')),
      ...(spec.signature ?? []),
    ],
    RpmSigTag.HEADERSIGNATURES,
  );
  const lead = Buffer.alloc(96);
  lead.writeUInt32BE(0xedabeedb, 0);
  lead[4] = 3;
  lead.writeUInt16BE(spec.leadType ?? 0, 6);
  lead.writeUInt16BE(1, 8);
  lead.write('synthetic', 10, 'latin1');
  lead.writeUInt16BE(1, 76);
  lead.writeUInt16BE(5, 78);
  const pad = Buffer.alloc((8 - (sig.length % 8)) % 8);
  return Buffer.concat([lead, sig, pad, main, payload]);
}

/** The usual tags of a small binary package; later entries (defaults, then `extra`) replace earlier ones. */
export function basicMain(extra: SyntheticEntry[] = [], omit: number[] = []): SyntheticEntry[] {
  const defaults: SyntheticEntry[] = [
    str(RpmTag.NAME, 'synth'),
    str(RpmTag.VERSION, '1.0'),
    str(RpmTag.RELEASE, '1'),
    i18n(RpmTag.SUMMARY, 'synthetic package'),
    i18n(RpmTag.DESCRIPTION, 'made by the test'),
    int32(RpmTag.BUILDTIME, 1700000000),
    str(RpmTag.BUILDHOST, 'builder.example.org'),
    int32(RpmTag.SIZE, 1234),
    str(RpmTag.LICENSE, 'MIT'),
    i18n(RpmTag.GROUP, 'Unspecified'),
    str(RpmTag.OS, 'linux'),
    str(RpmTag.ARCH, 'x86_64'),
    str(RpmTag.SOURCERPM, 'synth-1.0-1.src.rpm'),
  ];
  const byTag = new Map<number, SyntheticEntry>();
  for (const e of [...defaults, ...extra]) byTag.set(e.tag, e);
  for (const tag of omit) byTag.delete(tag);
  return [...byTag.values()];
}
