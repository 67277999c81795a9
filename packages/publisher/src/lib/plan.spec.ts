import { emptyHistory, type Generation, type PublishHistory } from './history.js';
import { planPrune, planPublication, type PackageInfo } from './plan.js';
import { commitGeneration, reconcileHistory } from './reconcile.js';

const DAY = 86_400_000;
const t0 = new Date('2024-03-01T00:00:00.000Z');
const at = (days: number) => new Date(t0.getTime() + days * DAY);

let n = 0;
function pkg(name: string, version: string, release = '1', arch = 'x86_64'): PackageInfo {
  const key = `sha256:${(++n).toString(16).padStart(64, '0')}`;
  return { key, href: `packages/00/${key.slice(7)}/${name}-${version}-${release}.${arch}.rpm`, name, arch, epoch: '0', version, release, size: 100 };
}

/** Simulate publish runs: plan, then commit the generation as publish does. */
function publish(history: PublishHistory, source: PackageInfo[], now: Date, keep: { keepDays?: number; keepVersions?: number } = {}) {
  const live = history.generations.at(-1);
  const liveKeys = new Set(live ? liveListing.get(live) ?? [] : []);
  const plan = planPublication({ now, history, liveKeys, source, keepDays: keep.keepDays ?? 14, keepVersions: keep.keepVersions });
  if (!plan.changed) return { plan, history };
  const gen: Generation = {
    publishedAt: now.toISOString(),
    revision: String(now.getTime() / 1000),
    repomd: { sha256: (++n).toString(16).padStart(64, 'a'), size: 1 },
    metadata: [`repodata/${n}-primary.xml.gz`],
    packages: plan.listed.length,
    source: 'src',
  };
  liveListing.set(gen, plan.listed);
  return { plan, history: commitGeneration(history, gen, plan.packages) };
}
const liveListing = new Map<Generation, string[]>();

describe('planPublication', () => {
  const v1 = pkg('vdsm', '4.50.1');
  const v2 = pkg('vdsm', '4.50.2');
  const v3 = pkg('vdsm', '4.50.3');
  const other = pkg('ovirt-engine', '4.5.0', '1', 'noarch');

  it('lists every source package on the first publish', () => {
    const { plan, history } = publish(emptyHistory(), [v1, other], at(0));
    expect(plan.changed).toBe(true);
    expect(plan.listed.sort()).toEqual([v1.key, other.key].sort());
    expect(plan.added.sort()).toEqual(plan.listed.sort());
    expect(history.packages[v1.key]).toMatchObject({ firstPublished: at(0).toISOString(), lastPublished: at(0).toISOString() });
    expect(history.packages[v1.key]!.leftSource).toBeUndefined();
  });

  it('changes nothing when the same source is published again', () => {
    const first = publish(emptyHistory(), [v1, other], at(0));
    const again = publish(first.history, [other, v1], at(1));
    expect(again.plan.changed).toBe(false);
    expect(again.history).toBe(first.history);
  });

  it('keeps a replaced version listed for keep-days after it left the source, then drops it', () => {
    let h = publish(emptyHistory(), [v1, other], at(0)).history;
    const second = publish(h, [v2, other], at(3));
    h = second.history;
    expect(second.plan.fromHistory).toEqual([v1.key]);
    expect(second.plan.added).toEqual([v2.key]);
    expect(h.packages[v1.key]).toMatchObject({ leftSource: at(3).toISOString(), lastPublished: at(3).toISOString(), firstPublished: at(0).toISOString() });
    // Still inside the window just before 14 days after it left (day 17): same listing, nothing to write.
    expect(publish(h, [v2, other], at(16.9)).plan.changed).toBe(false);
    const later = publish(h, [v2, other], at(17));
    expect(later.plan.changed).toBe(true);
    expect(later.plan.removed).toEqual([v1.key]);
    expect(later.plan.excluded).toEqual([{ key: v1.key, reason: 'expired' }]);
  });

  it('bounds versions per name.arch, newest first, never dropping source packages', () => {
    let h = publish(emptyHistory(), [v1], at(0)).history;
    h = publish(h, [v2], at(1)).history;
    const third = publish(h, [v3], at(2), { keepVersions: 2 });
    expect(third.plan.fromSource).toEqual([v3.key]);
    expect(third.plan.fromHistory).toEqual([v2.key]);
    expect(third.plan.excluded).toEqual([{ key: v1.key, reason: 'keep-versions' }]);
    const one = publish(h, [v3, v2], at(2), { keepVersions: 1 });
    expect(one.plan.listed.sort()).toEqual([v2.key, v3.key].sort());
  });

  it('never lists two builds of one NEVRA: the source wins over history', () => {
    const h = publish(emptyHistory(), [v1], at(0)).history;
    const rebuilt = { ...pkg('vdsm', '4.50.1') };
    const plan = publish(h, [rebuilt], at(1)).plan;
    expect(plan.listed).toEqual([rebuilt.key]);
    expect(plan.excluded).toEqual([{ key: v1.key, reason: 'same-nevra-in-source' }]);
  });

  it('republishes when only the opaque metadata (comps, updateinfo) changed', () => {
    const first = publish(emptyHistory(), [v1], at(0));
    const live = first.history.generations.at(-1)!;
    const plan = planPublication({ now: at(1), history: first.history, liveKeys: new Set(liveListing.get(live)), source: [v1], keepDays: 14, extrasChanged: true });
    expect(plan.changed).toBe(true);
  });

  it('does not list history packages whose file is gone', () => {
    const h = publish(publish(emptyHistory(), [v1], at(0)).history, [v2], at(1)).history;
    const live = h.generations.at(-1)!;
    const plan = planPublication({ now: at(2), history: h, liveKeys: new Set(liveListing.get(live)), source: [v3], keepDays: 14, present: (href) => href !== v2.href });
    expect(plan.excluded).toContainEqual({ key: v2.key, reason: 'file-missing' });
  });
});

describe('planPrune', () => {
  const a = pkg('a', '1');
  const b = pkg('a', '2');
  const c = pkg('a', '3');

  it('keeps metadata named by generations superseded within the window, and the packages they list', () => {
    let h = publish(emptyHistory(), [a], at(0)).history;
    h = publish(h, [b], at(1), { keepDays: 0 }).history; // keep-days 0: a leaves the listing at once
    const [g1, g2] = h.generations;
    const files = [
      { path: 'repodata/repomd.xml', size: 1 },
      { path: g1!.metadata[0]!, size: 10 },
      { path: g2!.metadata[0]!, size: 20 },
      { path: a.href, size: 100 },
      { path: b.href, size: 100 },
      { path: 'README', size: 5 },
    ];
    // Within two days of g1 being superseded: a is still named by g1's metadata, so it stays.
    const early = planPrune({ now: at(2), keepMetadataDays: 2, history: h, files });
    expect(early.removals).toEqual([]);
    expect(early.history.generations).toHaveLength(2);
    // After that, g1's metadata and a (listed by nothing retained) go; README is not ours and stays.
    const late = planPrune({ now: at(3.5), keepMetadataDays: 2, history: h, files });
    expect(late.removals).toEqual([
      { path: g1!.metadata[0], kind: 'metadata', bytes: 10 },
      { path: a.href.split('/').slice(0, 3).join('/'), kind: 'package', bytes: 100, key: a.key },
    ].sort((x, y) => (x.path < y.path ? -1 : 1)));
    expect(late.history.generations).toEqual([g2]);
    expect(Object.keys(late.history.packages)).toEqual([b.key]);
  });

  it('removes leftovers of killed writers but nothing outside packages/, repodata/ and the history temp files', () => {
    const h = publish(emptyHistory(), [c], at(0)).history;
    const live = h.generations.at(-1)!;
    const files = [
      { path: 'repodata/repomd.xml', size: 1 },
      { path: live.metadata[0]!, size: 1 },
      { path: 'repodata/.repomd.xml.Ab12Cd', size: 7 },
      { path: 'repodata/ffff-primary.xml.gz', size: 3 },
      { path: c.href, size: 100 },
      { path: 'packages/ab/abababababababababababababababababababababababababababababababab/x-1-1.noarch.rpm', size: 50 },
      { path: '.ovirt-repo/publish-history.json', size: 9 },
      { path: '.ovirt-repo/.publish-history.json.tmp-1-deadbeef', size: 9 },
      { path: 'keys/RPM-GPG-KEY', size: 2 },
    ];
    const plan = planPrune({ now: at(0), keepMetadataDays: 2, history: h, files });
    expect(plan.removals.map((r) => [r.path, r.kind, r.bytes])).toEqual([
      ['.ovirt-repo/.publish-history.json.tmp-1-deadbeef', 'leftover', 9],
      ['packages/ab/abababababababababababababababababababababababababababababababab', 'leftover', 50],
      ['repodata/.repomd.xml.Ab12Cd', 'leftover', 7],
      ['repodata/ffff-primary.xml.gz', 'leftover', 3],
    ]);
  });
});

describe('reconcileHistory', () => {
  const p = pkg('z', '1');
  const live = { sha256: 'c'.repeat(64), size: 5, revision: '7', metadata: ['repodata/x-primary.xml.gz'], packages: [p] };

  it('commits a pending generation whose repomd.xml went live, drops one that did not', () => {
    const gen: Generation = { publishedAt: at(1).toISOString(), revision: '7', repomd: { sha256: live.sha256, size: 5 }, metadata: live.metadata, packages: 1, source: 's' };
    const pending: PublishHistory = { ...emptyHistory(), pending: { generation: gen, packages: { [p.key]: { ...p, firstPublished: gen.publishedAt, lastPublished: gen.publishedAt } } } };
    const committed = reconcileHistory(pending, live, at(2));
    expect(committed.history.generations).toEqual([gen]);
    expect(committed.history.pending).toBeUndefined();
    const dropped = reconcileHistory(pending, { ...live, sha256: 'd'.repeat(64) }, at(2));
    expect(dropped.history.generations[0]!.source).toBe('(found on the destination)');
    expect(dropped.notes[0]).toMatch(/dropped the unfinished generation/);
  });

  it('adopts a repository publish did not write', () => {
    const { history, notes } = reconcileHistory(emptyHistory(), live, at(0));
    expect(history.generations).toHaveLength(1);
    expect(history.packages[p.key]).toMatchObject({ leftSource: at(0).toISOString(), href: p.href });
    expect(notes).toEqual(['adopted the existing repository as the first generation']);
    expect(reconcileHistory(history, live, at(1)).history).toEqual(history);
  });
});
