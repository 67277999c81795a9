import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { describeWithTools, makeTempDir } from '@ovirt-repo/test-support';
import { openStore, pinSnapshot, runGc, startStoreServer, syncRepo, writeIndex, type StoreServer } from '../src/index.js';
import { makeRepo, pkg } from './helpers/fixtures.js';
import { startNginx, type Nginx } from './helpers/nginx.js';

const EXP = 'experimental-4.5-el9';
const BASE = 'centos-stream-9-baseos';
const NASTY_REASON = 'OST <b>run</b> 42 & "GA" <script>window.__pwned = 1</script>';
const DAY = 86_400_000;

/**
 * The status page as a person sees it: headless Chromium (JavaScript off, as the page must not need it)
 * loads it from `ovirt-repo serve` and from nginx below a prefix, reads the tables, and follows links into
 * snapshots. Set STATUS_PAGE_SCREENSHOT=/tmp/x.png to keep a screenshot of the store page.
 */
describeWithTools(['createrepo_c', 'chromium', 'nginx'], 'status page in a browser', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  let store: string;
  let server: StoreServer;
  let browser: Browser;
  let context: BrowserContext;
  const exp: string[] = [];
  const base: string[] = [];

  beforeAll(async () => {
    ({ dir, cleanup } = await makeTempDir());
    store = join(dir, 'store');
    const t0 = Date.UTC(2026, 10, 20, 8, 0, 0);
    // An experimental flow: three builds deployed one after the other.
    const builds = [
      [pkg('vdsm', '4.50.1', '1.el9', 'x86_64'), pkg('vdsm-hook-checkips', '4.50.1')],
      [pkg('vdsm', '4.50.2', '1.el9', 'x86_64')],
      [pkg('ovirt-engine', '4.5.3')],
    ];
    for (const [i, specs] of builds.entries()) {
      const src = await makeRepo(join(dir, `build${i}`), specs);
      const r = await syncRepo({ store, repo: EXP, from: [src], mode: 'additive', now: t0 + i * DAY });
      exp.push(r.snapshot!);
    }
    // An upstream mirror: bash upgraded, coreutils dropped.
    const up = [
      [pkg('bash', '5.1'), pkg('glibc', '2.34', '1', 'x86_64'), pkg('coreutils', '8.32')],
      [pkg('bash', '5.2'), pkg('glibc', '2.34', '1', 'x86_64')],
    ];
    for (const [i, specs] of up.entries()) {
      const src = await makeRepo(join(dir, `up${i}`), specs);
      const r = await syncRepo({ store, repo: BASE, from: [src], now: t0 + i * DAY + 3_600_000 });
      base.push(r.snapshot!);
    }
    const layout = await openStore(store);
    await pinSnapshot(layout, EXP, exp[0]!, { reason: NASTY_REASON });
    // A snapshot from before summaries were recorded: no summary.json, so none in the summary cache either.
    await rm(join(store, 'yum', BASE, base[0]!, 'summary.json'));
    await rm(join(store, 'cache', BASE, 'summaries.json'));
    await writeIndex(layout, { baseUrl: 'http://mirrors.example.org/repos' });

    server = await startStoreServer({ root: store, host: '127.0.0.1', port: 0 });
    // Playwright gives the browser a fresh temporary profile of its own.
    browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    context = await browser.newContext({ javaScriptEnabled: false, viewport: { width: 1400, height: 1000 } });
  });

  afterAll(async () => {
    await context?.close();
    await browser?.close();
    await server?.close();
    await cleanup();
  });

  /** The visible text of each cell of the row of `table` whose data attribute names `key`. */
  async function row(page: Page, selector: string): Promise<string[]> {
    const cells = page.locator(selector).locator('th, td');
    return (await cells.allInnerTexts()).map((t) => t.trim());
  }

  it('shows every repo with its latest snapshot, counts, changes and pins', async () => {
    const page = await context.newPage();
    const res = await page.goto(`${server.url}/`);
    expect(res?.status()).toBe(200);
    expect(res?.headers()['content-type']).toContain('text/html');
    expect(await page.title()).toBe('Repository snapshots');
    expect(await page.locator('header').innerText()).toContain('2 repos, 5 snapshots, 1 pinned');

    // Overview: repo, latest id, time, packages, size, changes, snapshots, metadata.
    const e = await row(page, `table.repos tr[data-repo="${EXP}"]`);
    expect(e[0]).toBe(EXP);
    expect(e[1]).toBe(exp[2]);
    expect(e[2]).toBe('2026-11-22 08:00:00');
    expect(e[3]).toBe('3');
    expect(e[5]).toBe('+1');
    expect(e[6]).toBe('3 (1 pinned)');
    const b = await row(page, `table.repos tr[data-repo="${BASE}"]`);
    expect([b[1], b[3], b[5]]).toEqual([base[1], '2', '−1 ↑1']);

    // History of the experimental repo, newest first; the pinned first snapshot shows its reason verbatim.
    const ids = await page.locator(`table.history[data-repo="${EXP}"] tbody tr`).evaluateAll((rows) => rows.map((r) => r.getAttribute('data-snapshot')));
    expect(ids).toEqual([...exp].reverse());
    const first = await row(page, `table.history[data-repo="${EXP}"] tr[data-snapshot="${exp[0]}"]`);
    // Snapshot, time, packages, size, added, removed, upgraded, other, status, metadata.
    expect([first[2], first[4], first[5], first[6]]).toEqual(['2', '+2', '0', '0']);
    expect(first[8]).toBe(`pinned: ${NASTY_REASON} first`);
    const second = await row(page, `table.history[data-repo="${EXP}"] tr[data-snapshot="${exp[1]}"]`);
    expect([second[2], second[4], second[5], second[6]]).toEqual(['2', '0', '0', '↑1']);
    const latest = await row(page, `table.history[data-repo="${EXP}"] tr[data-snapshot="${exp[2]}"]`);
    expect([latest[2], latest[4], latest[8]]).toEqual(['3', '+1', 'latest']);

    // The upstream repo: removed and upgraded; the snapshot without summary.json shows its count, changes unknown.
    const upLatest = await row(page, `table.history[data-repo="${BASE}"] tr[data-snapshot="${base[1]}"]`);
    expect([upLatest[2], upLatest[4], upLatest[5], upLatest[6]]).toEqual(['2', '0', '−1', '↑1']);
    const legacy = await row(page, `table.history[data-repo="${BASE}"] tr[data-snapshot="${base[0]}"]`);
    expect([legacy[2], legacy[4], legacy[5], legacy[6]]).toEqual(['3', '—', '—', '—']);

    // Nothing from a pin reason became markup, and the page needs no script.
    expect(await page.locator('script').count()).toBe(0);
    expect(await page.locator('td.status b').count()).toBe(0);

    const shot = process.env.STATUS_PAGE_SCREENSHOT;
    if (shot) await page.screenshot({ path: shot, fullPage: true });
    await page.close();
  });

  it('links lead into snapshots: the listing and repomd.xml are reached', async () => {
    const page = await context.newPage();
    await page.goto(`${server.url}/index.html`);
    await page.locator(`table.repos tr[data-repo="${EXP}"] a`, { hasText: exp[2]! }).click();
    await page.waitForURL(`${server.url}/yum/${EXP}/${exp[2]}/`);
    expect(await page.locator('body').innerText()).toContain('repodata/');

    await page.goBack();
    const [response] = await Promise.all([
      page.waitForResponse((r) => r.url().endsWith('/repodata/repomd.xml')),
      page.locator(`table.history[data-repo="${BASE}"] tr[data-snapshot="${base[1]}"] a`, { hasText: 'repomd.xml' }).click(),
    ]);
    expect(response.status()).toBe(200);
    expect(response.url()).toBe(`${server.url}/yum/${BASE}/${base[1]}/repodata/repomd.xml`);
    expect(await response.text()).toContain('<data type="primary">');
    const onDisk = await readFile(join(store, 'yum', BASE, base[1]!, 'repodata', 'repomd.xml'), 'utf8');
    expect(await response.text()).toBe(onDisk);

    await page.goto(`${server.url}/`);
    const index = await Promise.all([page.waitForResponse((r) => r.url().endsWith('/yum/all_latest.json')), page.locator('nav.files a', { hasText: 'all_latest.json' }).click()]);
    expect(index[0].status()).toBe(200);
    expect(JSON.parse(await index[0].text()).latest_ci_repos[EXP]).toBe(`http://mirrors.example.org/repos/yum/${EXP}/${exp[2]}`);
    await page.close();
  });

  it("a repo's page lists its whole history with the changed packages, and links back", async () => {
    const page = await context.newPage();
    await page.goto(`${server.url}/`);
    await page.locator(`section[id="repo-${EXP}"] p.links a`, { hasText: 'full history' }).click();
    await page.waitForURL(`${server.url}/yum/${EXP}/index.html`);
    expect(await page.locator('h1').innerText()).toBe(EXP);
    const rowSel = `table.history tr[data-snapshot="${exp[1]}"]`;
    // <details> opens without JavaScript.
    await page.locator(`${rowSel} details summary`).click();
    const details = await page.locator(`${rowSel} details`).innerText();
    expect(details).toContain('vdsm.x86_64 4.50.1-1.el9 -> 4.50.2-1.el9');
    expect(details).toContain(join(dir, 'build1'));
    const shot = process.env.STATUS_PAGE_SCREENSHOT;
    if (shot) await page.screenshot({ path: shot.replace(/\.png$/, '-repo.png'), fullPage: true });
    // Relative links from yum/<repo>/: into a snapshot, and back to the store page.
    await page.locator(`${rowSel} a`, { hasText: exp[1]! }).click();
    await page.waitForURL(`${server.url}/yum/${EXP}/${exp[1]}/`);
    await page.goBack();
    await page.locator('header a', { hasText: 'all repos' }).click();
    await page.waitForURL(`${server.url}/index.html`);
    expect(await page.title()).toBe('Repository snapshots');
    await page.close();
  });

  it('works the same from nginx below a prefix', async () => {
    let nginx: Nginx | undefined;
    try {
      nginx = await startNginx(store, join(dir, 'nginx'), { prefix: '/repos/' });
      const page = await context.newPage();
      const res = await page.goto(`${nginx.url}/repos/`);
      expect(res?.status()).toBe(200);
      expect(res?.headers()['content-type']).toContain('text/html');
      expect((await row(page, `table.repos tr[data-repo="${EXP}"]`))[1]).toBe(exp[2]);
      const [response] = await Promise.all([
        page.waitForResponse((r) => r.url().endsWith('/repodata/repomd.xml')),
        page.locator(`table.repos tr[data-repo="${EXP}"] a`, { hasText: 'repomd.xml' }).click(),
      ]);
      expect(response.url()).toBe(`${nginx.url}/repos/yum/${EXP}/${exp[2]}/repodata/repomd.xml`);
      expect(response.status()).toBe(200);
      await page.goto(`${nginx.url}/repos/yum/${EXP}/`);
      expect(await page.locator('h1').innerText()).toBe(EXP);
      await page.locator(`table.history tr[data-snapshot="${exp[0]}"] a`, { hasText: exp[0]! }).click();
      await page.waitForURL(`${nginx.url}/repos/yum/${EXP}/${exp[0]}/`);
      expect(await page.locator('body').innerText()).toContain('repodata/');
      await page.close();
    } finally {
      await nginx?.stop();
    }
  });
  it('pin and gc keep the page current', async () => {
    const page = await context.newPage();
    const layout = await openStore(store);
    await pinSnapshot(layout, BASE, base[0]!, { reason: 'CVE investigation' });
    await page.goto(`${server.url}/`);
    expect(await row(page, `table.repos tr[data-repo="${BASE}"]`)).toContain('2 (1 pinned)');
    expect(await page.locator(`table.history[data-repo="${BASE}"] tr[data-snapshot="${base[0]}"] .badge.pinned`).innerText()).toBe('pinned: CVE investigation');
    // gc removes the one snapshot that is neither latest nor pinned; the page stops linking to it.
    const gc = await runGc(layout, { retention: { keep: 0 } });
    expect(gc.removedSnapshots).toEqual([{ repo: EXP, id: exp[1] }]);
    await page.reload();
    const ids = await page.locator(`table.history[data-repo="${EXP}"] tbody tr`).evaluateAll((rows) => rows.map((r) => r.getAttribute('data-snapshot')));
    expect(ids).toEqual([exp[2], exp[0]]);
    expect(await page.locator(`a[href*="${exp[1]}"]`).count()).toBe(0);
    await page.close();
  });
});
