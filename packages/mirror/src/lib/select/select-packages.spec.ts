import { applyEdits, diffSelection, editSelection, hasInGroup, inSelectionOrder, keepOf, listOf, selectIncoming, selectionOrder, selectPackages } from './select-packages.js';

/** A build: its checksum is made of its NEVRA and `tag`, so two tags are two different files of one NEVRA. */
const p = (name: string, version: string, release = '1', arch = 'noarch', tag = '') => ({ name, version, release, arch, epoch: '0', tag, digest: `${name}-${version}-${release}.${arch}${tag}` });
const names = (r: { selected: { name: string; version: string; tag: string }[] }) => r.selected.map((x) => `${x.name}-${x.version}${x.tag}`);

describe('selectPackages', () => {
  it('mirror mode holds exactly the filtered source packages', () => {
    const r = selectPackages({ mode: 'mirror', incoming: [p('a', '1'), p('a', '2'), p('b', '1', '1', 'i686')], previous: [p('old', '1')], options: { arch: ['x86_64'] }, modular: false });
    expect(names(r)).toEqual(['a-1', 'a-2']);
    expect(r.filteredOut).toBe(1);
  });

  it('newest-only keeps the newest EVR per name.arch (rpm order, not string order)', () => {
    const r = selectPackages({ mode: 'mirror', incoming: [p('a', '1.10'), p('a', '1.9'), p('a', '1.10', '1', 'x86_64')], previous: [], options: { newestOnly: true }, modular: false });
    expect(names(r)).toEqual(['a-1.10', 'a-1.10']);
    expect(r.pruned).toBe(1);
  });

  it('modular repos keep every version', () => {
    const r = selectPackages({ mode: 'mirror', incoming: [p('a', '1'), p('a', '2')], previous: [], options: { newestOnly: true }, modular: true });
    expect(names(r)).toEqual(['a-1', 'a-2']);
  });

  it('additive mode: previous plus new, newest EVR of each name.arch wins', () => {
    const r = selectPackages({ mode: 'additive', incoming: [p('a', '2'), p('c', '1')], previous: [p('a', '1'), p('b', '1'), p('c', '2')], options: {}, modular: false });
    expect(names(r)).toEqual(['a-2', 'b-1', 'c-2']);
  });

  it('additive mode with keep-versions keeps N per name.arch', () => {
    const r = selectPackages({ mode: 'additive', incoming: [p('a', '3')], previous: [p('a', '1'), p('a', '2')], options: { keepVersions: 2 }, modular: false });
    expect(names(r)).toEqual(['a-2', 'a-3']);
  });

  it('a NEVRA that comes in replaces the previous builds of it; every build that comes in is kept', () => {
    const previous = [p('a', '1', '1', 'noarch', '@old'), p('a', '1', '1', 'noarch', '@older'), p('b', '1')];
    const r = selectPackages({ mode: 'additive', incoming: [p('a', '1', '1', 'noarch', '@s2'), p('a', '1', '1', 'noarch', '@s1')], previous, options: {}, modular: false });
    expect(names(r)).toEqual(['a-1@s1', 'a-1@s2', 'b-1']);
  });

  it('mirror mode keeps every build of a NEVRA, in checksum order, and a file two sources list once', () => {
    const builds = [p('a', '1', '1', 'noarch', '@z'), p('a', '1', '1', 'noarch', '@m'), p('a', '1', '1', 'noarch', '@a'), p('a', '1', '1', 'noarch', '@m'), p('a', '0.9')];
    const r = selectPackages({ mode: 'mirror', incoming: builds, previous: [], options: {}, modular: false });
    expect(names(r)).toEqual(['a-0.9', 'a-1@a', 'a-1@m', 'a-1@z']);
    const reversed = selectPackages({ mode: 'mirror', incoming: [...builds].reverse(), previous: [], options: {}, modular: false });
    expect(reversed.selected).toEqual(r.selected);
    // newest-only and keep-versions count versions, not files: every build of the newest stays.
    expect(names(selectPackages({ mode: 'mirror', incoming: builds, previous: [], options: { newestOnly: true }, modular: false }))).toEqual(['a-1@a', 'a-1@m', 'a-1@z']);
  });

  it('versions rpm calls equal are one version: a rebuild of 1.0 named 1.00 replaces it', () => {
    const r = selectPackages({ mode: 'additive', incoming: [p('a', '1.00', '1', 'noarch', '@new')], previous: [p('a', '1.0', '1', 'noarch', '@old'), p('a', '0.9')], options: { keepVersions: 2 }, modular: false });
    expect(names(r)).toEqual(['a-0.9', 'a-1.00@new']);
  });

  it('filters apply to incoming packages only', () => {
    const r = selectPackages({ mode: 'additive', incoming: [p('x', '1')], previous: [p('y', '1')], options: { include: ['z*'] }, modular: false });
    expect(names(r)).toEqual(['y-1']);
  });

  describe('additive mode onto a previous selection (only the touched name.arch groups are selected again)', () => {
    // A small seeded generator, so a failure can be reproduced.
    const random = (seed: number) => () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const shuffled = <T>(xs: readonly T[], next: () => number) => {
      const out = [...xs];
      for (let i = out.length - 1; i > 0; i--) {
        const j = Math.floor(next() * (i + 1));
        [out[i], out[j]] = [out[j]!, out[i]!];
      }
      return out;
    };
    // Some NEVRAs come as two builds (tag and tag#2: two files).
    const some = (next: () => number, count: number, tag: string) =>
      Array.from({ length: count }, () =>
        p(
          `pkg${Math.floor(next() * 12)}`,
          ['1', '1.0', '1.00', '1.10', '1.9', '2'][Math.floor(next() * 6)]!,
          String(1 + Math.floor(next() * 2)),
          ['noarch', 'x86_64'][Math.floor(next() * 2)],
          next() < 0.2 ? `${tag}#2` : tag,
        ),
      );
    const sameDigest = (x: { digest: string }, y: { digest: string }) => x.digest === y.digest;

    it('gives exactly what selecting everything again gives, in any input order', () => {
      let compared = 0;
      for (let seed = 1; seed <= 400; seed++) {
        const next = random(seed);
        const keepVersions = seed % 3 === 0 ? undefined : 1 + (seed % 4);
        const options = { ...(keepVersions ? { keepVersions } : {}), ...(seed % 5 === 0 ? { newestOnly: true } : {}), ...(seed % 7 === 0 ? { exclude: ['pkg1'] } : {}) };
        const base = selectPackages({ mode: 'additive', incoming: some(next, 40, '@old'), previous: [], options, modular: false }).selected;
        const incoming = some(next, 1 + Math.floor(next() * 5), '@new');
        const mixed = shuffled(base, next);
        expect(inSelectionOrder(listOf(base))).toBe(true);
        if (inSelectionOrder(listOf(mixed))) continue;
        // Only the groups the new packages touch, as a deploy onto a snapshot made with the same options does it.
        const fresh = selectIncoming(incoming, options, false);
        const touched = editSelection(listOf(base), fresh.fresh, keepOf('additive', options, false), sameDigest);
        const everything = selectPackages({ mode: 'additive', incoming, previous: mixed, options, modular: false });
        expect(applyEdits(base, touched.edits)).toEqual(everything.selected);
        expect(fresh.pruned + touched.pruned).toBe(everything.pruned);
        expect(fresh.filteredOut).toBe(everything.filteredOut);
        compared++;
      }
      expect(compared).toBeGreaterThan(100);
    });

    it('knows packages out of order or a file twice', () => {
      expect(inSelectionOrder(listOf([p('b', '1'), p('a', '1')]))).toBe(false);
      expect(inSelectionOrder(listOf([p('a', '2'), p('a', '1')]))).toBe(false);
      expect(inSelectionOrder(listOf([p('a', '1', '1', 'noarch', '@b'), p('a', '1', '1', 'noarch', '@a')]))).toBe(false);
      expect(inSelectionOrder(listOf([p('a', '1', '1', 'noarch', '@a'), p('a', '1', '1', 'noarch', '@a')]))).toBe(false);
      expect(inSelectionOrder(listOf([p('a', '1'), p('a', '2'), p('a', '1', '1', 'x86_64'), p('b', '1')]))).toBe(true);
      // Builds of one EVR (or of EVRs rpm calls equal) in checksum order.
      const build = (version: string, digest: string) => ({ ...p('a', version), digest });
      expect(inSelectionOrder(listOf([build('1.0', 'aa'), build('1.00', 'bb'), build('1.000', 'cc')]))).toBe(true);
      expect(inSelectionOrder(listOf([build('1.0', 'bb'), build('1.00', 'aa')]))).toBe(false);
    });

    it('prunes every group to keep-versions when asked to, not only the groups that come in', () => {
      const previous = [p('a', '1'), p('a', '2'), p('b', '1'), p('b', '2')];
      const touched = editSelection(listOf(previous), [p('b', '3')], 1, sameDigest);
      expect(applyEdits(previous, touched.edits).map((x) => `${x.name}-${x.version}`)).toEqual(['a-1', 'a-2', 'b-3']);
      const every = editSelection(listOf(previous), [p('b', '3')], 1, sameDigest, { everyGroup: true });
      expect(applyEdits(previous, every.edits).map((x) => `${x.name}-${x.version}`)).toEqual(['a-2', 'b-3']);
      expect(every.pruned).toBe(3);
      // A group whose files stay is no edit.
      expect(editSelection(listOf(previous), [p('a', '1')], 2, sameDigest).edits).toEqual([]);
    });

    it('inserts new name.arch groups in order, replaces rebuilds and prunes within the touched groups', () => {
      const previous = [p('a', '1'), p('c', '1'), p('c', '2'), p('e', '1')];
      const r = selectPackages({
        mode: 'additive',
        incoming: [p('d', '1', '1', 'noarch', '@new'), p('b', '1', '1', 'noarch', '@new'), p('c', '3', '1', 'noarch', '@new'), p('e', '1', '1', 'noarch', '@rebuilt'), p('f', '1')],
        previous,
        options: { keepVersions: 2 },
        modular: false,
      });
      expect(names(r)).toEqual(['a-1', 'b-1@new', 'c-2', 'c-3@new', 'd-1@new', 'e-1@rebuilt', 'f-1']);
      expect(r.pruned).toBe(1);
    });
  });
});

describe('hasInGroup', () => {
  const previous = [p('a', '1'), p('b', '1'), p('b', '2'), p('b', '2', '1', 'x86_64'), p('c', '1')].sort(selectionOrder);
  const same = (x: { digest: string }, y: { digest: string }) => x.digest === y.digest;

  it('finds a file only in the name.arch group of the package, as the selections keep it', () => {
    expect([p('b', '2'), p('b', '1'), p('a', '1'), p('c', '1'), p('b', '2', '1', 'x86_64')].map((f) => hasInGroup(listOf(previous), f, same))).toEqual([true, true, true, true, true]);
    // The same file under another name or arch is not "had": the selections take it from its source.
    const renamed = { ...p('b', '2'), name: 'bb' };
    const moved = { ...p('b', '2'), arch: 'x86_64' };
    expect([renamed, moved, p('b', '3'), p('d', '1'), p('0', '1')].map((f) => hasInGroup(listOf(previous), f, same))).toEqual([false, false, false, false, false]);
    expect(hasInGroup(listOf([]), p('a', '1'), same)).toBe(false);
  });

  it('agrees with diffSelection on which packages it keeps from the previous list', () => {
    const target = [p('a', '1'), p('b', '2'), p('b', '3'), { ...p('b', '2'), arch: 'x86_64' }, p('d', '1')].sort(selectionOrder);
    const kept = new Set(diffSelection(listOf(previous), target, same).flatMap((e) => e.after.filter((f) => e.before.some((q) => same(q, f)))));
    const unedited = target.filter((f) => !diffSelection(listOf(previous), target, same).some((e) => e.after.includes(f)));
    for (const f of target) expect([f.digest, hasInGroup(listOf(previous), f, same)]).toEqual([f.digest, kept.has(f) || unedited.includes(f)]);
  });
});
