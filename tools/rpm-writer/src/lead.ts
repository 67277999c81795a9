const LEAD_SIZE = 96;
const LEAD_MAGIC = [0xed, 0xab, 0xee, 0xdb];
const NAME_SIZE = 66;
/** RPMSIGTYPE_HEADERSIG: the signature is a header, the only kind rpm has read since 3.0. */
const SIGNATURE_TYPE = 5;
const OS_LINUX = 1;

/**
 * rpm's arch_canon numbers. rpm itself writes the build host's number and ignores the field when reading
 * (the header's ARCH tag is what counts), so unknown arches simply get 1 like an x86 host would write.
 */
const ARCH_NUM: Record<string, number> = { aarch64: 19, ppc64le: 16, ppc64: 16, s390x: 15 };

/** The obsolete 96-byte lead; rpm only checks its magic, version and signature type. */
export function buildLead(nevr: string, arch: string, source: boolean): Buffer {
  const lead = Buffer.alloc(LEAD_SIZE);
  Buffer.from(LEAD_MAGIC).copy(lead, 0);
  lead.writeUInt8(3, 4);
  lead.writeUInt8(0, 5);
  lead.writeUInt16BE(source ? 1 : 0, 6);
  lead.writeUInt16BE(ARCH_NUM[arch] ?? 1, 8);
  // NUL-terminated and truncated like rpm's rstrlcpy; a multi-byte character may be cut, which rpm tolerates.
  Buffer.from(nevr, 'utf8').copy(lead, 10, 0, NAME_SIZE - 1);
  lead.writeUInt16BE(OS_LINUX, 76);
  lead.writeUInt16BE(SIGNATURE_TYPE, 78);
  return lead;
}
