import { carriedMetadataName } from './carried-name.js';

const SHA = 'ab'.repeat(32);

describe('carriedMetadataName', () => {
  it("keeps a tame source name after the content's checksum, as createrepo_c names carried files", () => {
    expect(carriedMetadataName('group_gz', SHA, 'repodata/comps-Everything.x86_64.xml.gz')).toBe(`${SHA}-comps-Everything.x86_64.xml.gz`);
    // The source's own leading checksum is replaced, not stacked: carrying a file again keeps its name.
    const once = carriedMetadataName('updateinfo', SHA, `repodata/${'0'.repeat(64)}-updateinfo.xml.zst`);
    expect(once).toBe(`${SHA}-updateinfo.xml.zst`);
    expect(carriedMetadataName('updateinfo', SHA, `repodata/${once}`)).toBe(once);
  });

  it('names a dot-name, a long or an odd name after the record type, keeping its format and compression endings', () => {
    expect(carriedMetadataName('group', SHA, 'repodata/.comps.xml')).toBe(`${SHA}-group.xml`);
    expect(carriedMetadataName('modules', SHA, `repodata/${'m'.repeat(240)}.yaml.gz`)).toBe(`${SHA}-modules.yaml.gz`);
    expect(carriedMetadataName('updateinfo', SHA, 'repodata/update info.xml')).toBe(`${SHA}-updateinfo.xml`);
    expect(carriedMetadataName('productid', SHA, 'repodata/.productid')).toBe(`${SHA}-productid.productid`);
    expect(carriedMetadataName('weird type/..', SHA, 'repodata/.x')).toBe(`${SHA}-metadata.x`);
    expect(carriedMetadataName('group', SHA, 'repodata/.hidden')).not.toMatch(/^\./);
  });

  it('stays short enough for a temp suffix with the longest checksum', () => {
    const sha512 = 'f'.repeat(128);
    expect(carriedMetadataName('x'.repeat(300), sha512, `repodata/${'n'.repeat(250)}.xml.gz`).length).toBeLessThanOrEqual(128 + 1 + 64);
    expect(carriedMetadataName('group', sha512, `repodata/${'n'.repeat(64)}`)).toBe(`${sha512}-${'n'.repeat(64)}`);
  });
});
