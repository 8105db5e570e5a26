// The debug UI in headless Chromium against three in-process collectors
// forming one cluster, all scraping the same targets with clustering on.
// Every page must load without console errors and show what the API says:
// component names and health (and an unhealthy reason), graph edges as in
// the config, the three peers, one owner per target; a health change must
// reach the open page without a reload. Screenshots: test-artifacts/ui/.
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import pino from 'pino';
import { startAlloy, type RunningAlloy } from '../../src/app.js';
import { clusterFactory } from '../../src/clustering/cli.js';
import { waitFor } from '../lib/wait.js';

// Browser globals used inside page callbacks (the project compiles without the DOM lib).
declare const document: { querySelectorAll(selector: string): { length: number }; querySelector(selector: string): unknown };
declare const window: { __sameDocument?: boolean };
declare function getComputedStyle(el: unknown): { fill: string };

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const ARTIFACTS = path.join(ROOT, 'test-artifacts/ui');
const CHROMIUM = '/usr/bin/chromium';
const NODES = ['node-a', 'node-b', 'node-c'];
const GOOD_TARGETS = 6;
const PREFIX = '/ui'; // node-a serves the UI under a path prefix; the others at "/"

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'alloy-ui-e2e-'));
const targetsFile = path.join(tmp, 'targets.json');
const extraFile = path.join(tmp, 'extra.json');

let exporter: http.Server;
let exporterPort = 0;
const alloys: RunningAlloy[] = [];
const httpUrls: string[] = [];
let browser: BrowserContext;
const consoleErrors: string[] = [];

const EXPECTED_IDS = ['local.file.targets', 'local.file.extra', 'discovery.relabel.kept', 'discovery.relabel.extra', 'prometheus.scrape.pods'];
// Edges of the config below as "referenced -> referencing".
const EXPECTED_EDGES = [
  'discovery.relabel.extra -> prometheus.scrape.pods',
  'discovery.relabel.kept -> prometheus.scrape.pods',
  'local.file.extra -> discovery.relabel.extra',
  'local.file.targets -> discovery.relabel.kept',
].sort();

function config(): string {
  return `local.file "targets" {
  filename = "${targetsFile}"
}

local.file "extra" {
  filename = "${extraFile}"
}

discovery.relabel "kept" {
  targets = encoding.from_json(local.file.targets.content)
  rule {
    target_label = "team"
    replacement  = "platform"
  }
}

discovery.relabel "extra" {
  targets = encoding.from_json(local.file.extra.content)
}

prometheus.scrape "pods" {
  targets         = concat(discovery.relabel.kept.output, discovery.relabel.extra.output)
  forward_to      = []
  scrape_interval = "1s"
  scrape_timeout  = "500ms"
  clustering {
    enabled = true
  }
}
`;
}

async function getJSON<T>(url: string): Promise<T> {
  const res = await fetch(url, { signal: AbortSignal.timeout(5000) });
  if (!res.ok) throw new Error(`${url}: HTTP ${res.status}`);
  return (await res.json()) as T;
}

async function startNode(name: string, join: string[]): Promise<RunningAlloy> {
  const cfg = path.join(tmp, `${name}.alloy`);
  fs.writeFileSync(cfg, config());
  return startAlloy({
    configFile: cfg,
    listenAddr: '127.0.0.1:0',
    storagePath: path.join(tmp, name),
    logLevel: 'error',
    logFormat: 'json',
    logger: pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' }),
    uiPathPrefix: name === NODES[0] ? PREFIX : '/',
    configWatchIntervalMs: 0,
    cluster: clusterFactory({
      'cluster.enabled': true,
      'cluster.node-name': name,
      'cluster.listen-addr': '127.0.0.1:0',
      'cluster.join-addresses': join.join(','),
      'cluster.rejoin-interval': '2s',
      'cluster.name': 'ui-e2e',
    }),
    // Gossip listens on port 0 here, so the HTTP addresses cannot be derived from it.
    uiPeerHttpAddresses: () => httpUrls,
  });
}

async function openPage(url: string): Promise<Page> {
  const page = await browser.newPage();
  page.on('console', (m) => {
    if (m.type() === 'error') consoleErrors.push(`${page.url()}: ${m.text()}`);
  });
  page.on('pageerror', (e) => consoleErrors.push(`${page.url()}: ${e.message}`));
  await page.goto(url, { waitUntil: 'load' });
  return page;
}

async function shot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`), fullPage: true });
}

const uiUrl = (i: number) => `${httpUrls[i]}${i === 0 ? PREFIX : ''}/`;

beforeAll(async () => {
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  exporter = http.createServer((req, res) => {
    const m = /^\/t\/(\d+)$/.exec(req.url ?? '');
    if (!m) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': 'text/plain' }).end(`# TYPE synthetic_up gauge\nsynthetic_up{target="${m[1]}"} 1\nsynthetic_other 2\n`);
  });
  await new Promise<void>((r) => exporter.listen(0, '127.0.0.1', r));
  exporterPort = (exporter.address() as AddressInfo).port;
  fs.writeFileSync(
    targetsFile,
    JSON.stringify(Array.from({ length: GOOD_TARGETS }, (_, i) => ({ __address__: `127.0.0.1:${exporterPort}`, __metrics_path__: `/t/${i}`, idx: String(i) }))),
  );
  // Port 1 on loopback refuses connections: a target that is always down.
  fs.writeFileSync(extraFile, JSON.stringify([{ __address__: '127.0.0.1:1', kind: 'broken' }]));

  const first = await startNode(NODES[0], []);
  alloys.push(first);
  httpUrls.push(first.url);
  const seed = (first.cluster as unknown as { advertiseAddress: string }).advertiseAddress;
  for (const name of NODES.slice(1)) {
    const a = await startNode(name, [seed]);
    alloys.push(a);
    httpUrls.push(a.url);
  }
  await waitFor('three participants everywhere', () =>
    alloys.every((a) => a.cluster.peers().filter((p) => p.state === 'participant').length === 3) ? true : undefined, { timeoutMs: 20_000, intervalMs: 200 });

  browser = await chromium.launchPersistentContext(fs.mkdtempSync(path.join(tmp, 'chromium-')), {
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    viewport: { width: 1400, height: 900 },
  });
}, 60_000);

afterAll(async () => {
  await browser?.close().catch(() => undefined);
  await Promise.all(alloys.map((a) => a.shutdown().catch(() => undefined)));
  if (exporter) {
    exporter.closeAllConnections();
    await new Promise<void>((r) => exporter.close(() => r()));
  }
  fs.rmSync(tmp, { recursive: true, force: true });
}, 30_000);

afterEach(() => {
  // Every page of every test must load and update without console errors.
  expect(consoleErrors).toEqual([]);
});

describe('debug UI', () => {
  let components: Page;

  test('the prefix without its slash redirects to the UI', async () => {
    const res = await fetch(`${httpUrls[0]}${PREFIX}`, { redirect: 'manual' });
    expect(res.status).toBe(301);
    expect(res.headers.get('location')).toBe(`${PREFIX}/`);
  });

  test('components page lists every component with its health, and filters', async () => {
    components = await openPage(`${httpUrls[0]}${PREFIX}`);
    expect(new URL(components.url()).pathname).toBe(`${PREFIX}/`);
    await components.waitForSelector('tr[data-id="prometheus.scrape.pods"]');
    const rows = await components.$$eval('tr[data-id]', (trs) => trs.map((tr) => [tr.getAttribute('data-id'), tr.getAttribute('data-health')]));
    expect(rows.map((r) => r[0]).sort()).toEqual([...EXPECTED_IDS].sort());
    const api = await getJSON<{ id: string; health: { state: string } }[]>(`${httpUrls[0]}/api/v0/web/components`);
    for (const [id, health] of rows) expect(health).toBe(api.find((c) => c.id === id)!.health.state);
    expect(rows.every((r) => r[1] === 'healthy')).toBe(true);
    await expect(components.textContent('#summary')).resolves.toContain('5 components');

    await components.fill('#filter', 'relabel');
    await components.waitForFunction(() => document.querySelectorAll('tr[data-id]').length === 2);
    const shown = await components.$$eval('tr[data-id]', (trs) => trs.map((tr) => tr.getAttribute('data-id')).sort());
    expect(shown).toEqual(['discovery.relabel.extra', 'discovery.relabel.kept']);
    await components.fill('#filter', '');
    await components.waitForFunction((n) => document.querySelectorAll('tr[data-id]').length === n, EXPECTED_IDS.length);
    await shot(components, 'components');
  });

  test('a health change reaches the open page without a reload', async () => {
    await components.evaluate(() => (window.__sameDocument = true));
    fs.rmSync(extraFile); // local.file "extra" now fails to read (every node shares the file)
    const row = await components.waitForSelector('tr[data-id="local.file.extra"][data-health="unhealthy"]', { timeout: 15_000 });
    const message = await row.$eval('td[data-col="message"]', (td) => td.textContent ?? '');
    expect(message).toContain(`failed to read ${extraFile}`);
    expect(message).toContain('ENOENT');
    expect(await components.evaluate(() => window.__sameDocument)).toBe(true);
    await expect(components.textContent('#summary')).resolves.toContain('1 unhealthy');
    await shot(components, 'components-unhealthy');
  });

  test('component detail shows health with its reason, arguments and debug info', async () => {
    const page = components;
    await page.click('tr[data-id="local.file.extra"] a.component-link');
    await page.waitForSelector('#health[data-health="unhealthy"]');
    expect(page.url()).toContain('#/component/local.file.extra');
    await expect(page.textContent('#health-message')).resolves.toContain('ENOENT');
    await expect(page.textContent('#health')).resolves.toMatch(/since \d+[smhd] ago/);
    // Arguments as a key/value table, debug info rendered too.
    await expect(page.textContent('tr[data-key="filename"]')).resolves.toContain(extraFile);
    await expect(page.textContent('#debug tr[data-key="lastError"]')).resolves.toContain('ENOENT');
    await shot(page, 'component-local-file');
  });

  test('scrape detail on the owner of the failing target shows it down with its error and owner', async () => {
    type T = { targets: { url: string; owners: string[] }[] };
    const all = await waitFor('the failing target owned once', async () => {
      const t = await getJSON<T>(`${httpUrls[0]}/api/v0/web/targets`);
      const broken = t.targets.find((x) => x.url.startsWith('http://127.0.0.1:1/'));
      return broken && broken.owners.length === 1 ? broken : undefined;
    }, { timeoutMs: 20_000, intervalMs: 200 });
    const ownerIdx = NODES.indexOf(all.owners[0]);
    expect(ownerIdx).toBeGreaterThanOrEqual(0);
    const page = await openPage(`${uiUrl(ownerIdx)}#/component/prometheus.scrape.pods`);
    const row = await page.waitForSelector(`tr[data-url="${all.url}"][data-health="down"]`, { timeout: 15_000 });
    await expect(row.$eval('td[data-col="last_error"]', (td) => td.textContent ?? '')).resolves.toMatch(/\S/);
    await expect(row.$eval('td[data-col="owner"]', (td) => td.textContent)).resolves.toBe(NODES[ownerIdx]);
    await page.waitForFunction(() => document.querySelector('td[data-col="last_scrape"] time') !== null);
    await shot(page, 'component-scrape');
    await page.close();
  });

  test('graph draws the config edges and colours nodes by health', async () => {
    const page = components;
    await page.click('nav a[data-nav="graph"]');
    await page.waitForFunction((n) => document.querySelectorAll('svg#graph g.node').length === n, EXPECTED_IDS.length);
    const edges = await page.$$eval('svg#graph path.edge', (ps) => ps.map((p) => `${p.getAttribute('data-from')} -> ${p.getAttribute('data-to')}`).sort());
    expect(edges).toEqual(EXPECTED_EDGES);
    const nodes = await page.$$eval('svg#graph g.node', (gs) => Object.fromEntries(gs.map((g) => [g.getAttribute('data-id'), [g.getAttribute('data-health'), g.getAttribute('data-layer')]])));
    expect(nodes['local.file.extra']).toEqual(['unhealthy', '0']);
    expect(nodes['local.file.targets']).toEqual(['healthy', '0']);
    expect(nodes['discovery.relabel.kept'][1]).toBe('1');
    expect(nodes['prometheus.scrape.pods'][1]).toBe('2');
    // The unhealthy box is drawn in the unhealthy colour.
    const fill = await page.$eval('svg#graph g.node[data-id="local.file.extra"] rect', (r) => getComputedStyle(r).fill);
    const okFill = await page.$eval('svg#graph g.node[data-id="local.file.targets"] rect', (r) => getComputedStyle(r).fill);
    expect(fill).not.toBe(okFill);
    await shot(page, 'graph');
  });

  test('clustering page lists the three peers, this node marked, with ring shares', async () => {
    const page = components;
    await page.click('nav a[data-nav="cluster"]');
    await page.waitForFunction(() => document.querySelectorAll('tr[data-peer]').length === 3);
    const peers = await page.$$eval('tr[data-peer]', (trs) =>
      trs.map((tr) => ({ name: tr.getAttribute('data-peer'), self: tr.getAttribute('data-self'), share: tr.querySelector('td[data-col="share"]')?.textContent ?? '' })),
    );
    expect(peers.map((p) => p.name)).toEqual(NODES);
    expect(peers.filter((p) => p.self === 'true').map((p) => p.name)).toEqual([NODES[0]]);
    const shares = peers.map((p) => Number(/([\d.]+)%/.exec(p.share)?.[1]));
    expect(shares.every((s) => s > 0)).toBe(true);
    expect(Math.abs(shares.reduce((a, b) => a + b, 0) - 100)).toBeLessThan(0.5);
    await expect(page.textContent('#self-name')).resolves.toBe(NODES[0]);
    await shot(page, 'cluster');
  });

  test('targets page shows every target once with exactly one owner, matching each node', async () => {
    const page = components;
    await page.click('nav a[data-nav="targets"]');
    const total = GOOD_TARGETS + 1;
    const rows = await waitFor(
      'one owner per target on the targets page',
      async () => {
        const r = await page.$$eval('tr[data-url]', (trs) => trs.map((tr) => ({ url: tr.getAttribute('data-url')!, owners: tr.getAttribute('data-owners')!, count: tr.getAttribute('data-owner-count') })));
        return r.length === total && r.every((x) => x.count === '1') ? r : undefined;
      },
      { timeoutMs: 20_000, intervalMs: 500 },
    );
    expect(new Set(rows.map((r) => r.url)).size).toBe(total);
    // Each owner really runs that target, and nobody else does.
    for (const [i, name] of NODES.entries()) {
      const local = await getJSON<{ node: string; targets: { url: string }[] }>(`${httpUrls[i]}/api/v0/web/targets?local=1`);
      expect(local.node).toBe(name);
      const mine = rows.filter((r) => r.owners === name).map((r) => r.url).sort();
      expect(local.targets.map((t) => t.url).sort()).toEqual(mine);
    }
    await expect(page.textContent('#summary')).resolves.toContain('0 ownership conflicts');
    const nodes = await page.$$eval('tr[data-node]', (trs) => trs.map((tr) => [tr.getAttribute('data-node'), tr.getAttribute('data-ok')]));
    expect(nodes).toEqual(NODES.map((n) => [n, 'true']));
    const broken = await page.$eval('tr[data-url^="http://127.0.0.1:1/"]', (tr) => tr.textContent ?? '');
    expect(broken).toContain('down');
    await shot(page, 'targets');
  });

  test('an unknown component and an unknown page show a clear message', async () => {
    const page = await openPage(`${uiUrl(1)}#/nowhere`);
    await expect(page.textContent('.error')).resolves.toContain('No page "nowhere"');
    // A missing component is a 404 from the API, which Chromium logs as a failed load: expected here.
    const before = consoleErrors.length;
    await page.goto(`${uiUrl(1)}#/component/local.file.nope`);
    await page.reload();
    await page.waitForSelector('.error');
    await expect(page.textContent('.error')).resolves.toContain('component "local.file.nope" does not exist');
    consoleErrors.splice(before).forEach((e) => expect(e).toMatch(/404/));
    await page.close();
  });

  test('generic rendering: log streams and rule namespaces become readable tables', async () => {
    const page = await openPage(uiUrl(2));
    await page.waitForSelector('tr[data-id]');
    // Debug info shaped like loki.source.kubernetes and a rules sync, rendered by the UI's own module.
    const cells = await page.evaluate(async () => {
      const importer = new Function('u', 'return import(u)') as (u: string) => Promise<{ renderValue(v: unknown, k?: string): { outerHTML: string; querySelectorAll(s: string): { textContent: string | null }[] } }>;
      const m = await importer('./render.js');
      const el = m.renderValue({
        streams: [
          { stream: 'shop/web-1/app', state: 'tailing', position: '2024-01-01T00:00:00.000000001Z', lag_seconds: 1.5, last_read: new Date().toISOString(), opens: 2 },
          { stream: 'shop/web-2/app', state: 'backoff', lag_seconds: 0.25, last_error: 'pod not found' },
        ],
        namespaces: [{ namespace: 'alloy/shop', groups: 3 }],
      });
      return Array.from(el.querySelectorAll('td[data-col]')).map((td) => td.textContent);
    });
    expect(cells).toEqual(expect.arrayContaining(['shop/web-1/app', 'tailing', '1.5s', '250ms', 'pod not found', 'alloy/shop', '3']));
    await page.close();
  });
});
