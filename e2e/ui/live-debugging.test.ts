// Live debugging and the remote configuration page, in headless Chromium and
// over the API, against one in-process collector: a scrape feeds
// prometheus.relabel (whose stream shows each series before and after the
// rules), and a remotecfg block runs a pipeline served by the sandbox fleet
// server. Nothing is published while nobody watches; components without
// support, and a config without the livedebugging block, say so.
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import pino from 'pino';
import { startAlloy, type RunningAlloy } from '../../src/app.js';
import { FleetServer } from '../../src/sandbox/fleet/fleet-server.js';
import { waitFor } from '../lib/wait.js';

declare const document: { querySelector(selector: string): { textContent: string | null } | null };

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const ARTIFACTS = path.join(ROOT, 'test-artifacts/ui');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'alloy-live-e2e-'));
const configFile = path.join(tmp, 'config.alloy');

let exporter: http.Server;
let target = '';
let fleet: FleetServer;
let alloy: RunningAlloy;
let browser: BrowserContext;
const consoleErrors: string[] = [];

const config = (live: boolean) => `
${live ? 'livedebugging {\n  enabled = true\n}\n' : ''}
remotecfg {
  url            = "${fleet.url}"
  id             = "ui-collector"
  poll_frequency = "10s"
}
prometheus.scrape "app" {
  targets         = [{"__address__" = "${target}"}]
  scrape_interval = "1s"
  scrape_timeout  = "500ms"
  forward_to      = [prometheus.relabel.tag.receiver]
}
prometheus.relabel "tag" {
  forward_to = []
  rule {
    target_label = "team"
    replacement  = "platform"
  }
}
`;

async function openPage(url: string): Promise<Page> {
  const page = await browser.newPage();
  page.on('console', (m) => {
    if (m.type() === 'error') consoleErrors.push(`${page.url()}: ${m.text()}`);
  });
  page.on('pageerror', (e) => consoleErrors.push(`${page.url()}: ${e.message}`));
  await page.goto(url, { waitUntil: 'load' });
  return page;
}

/** Reads the stream for a while; returns the items. */
async function readStream(url: string, ms: number): Promise<{ status: number; items: string[]; body?: any }> {
  const ctl = new AbortController();
  const res = await fetch(url, { signal: ctl.signal });
  if (!res.ok) return { status: res.status, items: [], body: await res.json() };
  let text = '';
  const timer = setTimeout(() => ctl.abort(), ms);
  try {
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) text += Buffer.from(chunk).toString('utf8');
  } catch {
    // aborted: done reading
  }
  clearTimeout(timer);
  return { status: res.status, items: text.split('|;|').slice(0, -1) };
}

beforeAll(async () => {
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  exporter = http.createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/plain' }).end('# TYPE app_requests counter\napp_requests_total{path="/a"} 7\napp_requests_total{path="/b"} 3\n'));
  await new Promise<void>((r) => exporter.listen(0, '127.0.0.1', r));
  target = `127.0.0.1:${(exporter.address() as AddressInfo).port}`;
  fleet = await new FleetServer().start();
  fleet.setPipeline('relabel', 'prometheus.relabel "fleet" {\n  forward_to = []\n}\n');
  fs.writeFileSync(configFile, config(true));
  alloy = await startAlloy({
    configFile,
    listenAddr: '127.0.0.1:0',
    storagePath: path.join(tmp, 'data'),
    logLevel: 'error',
    logFormat: 'json',
    logger: pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' }),
    uiPathPrefix: '/',
    configWatchIntervalMs: 0,
  });
  browser = await chromium.launchPersistentContext(fs.mkdtempSync(path.join(tmp, 'chromium-')), {
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    viewport: { width: 1400, height: 900 },
  });
}, 60_000);

afterAll(async () => {
  await browser?.close().catch(() => undefined);
  await alloy?.shutdown().catch(() => undefined);
  await fleet?.stop();
  if (exporter) {
    exporter.closeAllConnections();
    await new Promise<void>((r) => exporter.close(() => r()));
  }
  fs.rmSync(tmp, { recursive: true, force: true });
}, 30_000);

afterEach(() => expect(consoleErrors).toEqual([]));

test('the stream of prometheus.relabel shows every scraped series before and after the rules', async () => {
  const { status, items } = await readStream(`${alloy.url}/api/v0/web/debug/prometheus.relabel.tag`, 3500);
  expect(status).toBe(200);
  const a = items.find((i) => i.includes('path="/a"'));
  expect(a).toMatch(/^\{__name__="app_requests_total", instance="127\.0\.0\.1:\d+", job="prometheus\.scrape\.app", path="\/a"\} => \{__name__="app_requests_total", instance="127\.0\.0\.1:\d+", job="prometheus\.scrape\.app", path="\/a", team="platform"\} 7 \d+$/);
  expect(items.some((i) => i.includes('path="/b"') && i.endsWith(` 3 ${i.split(' ').pop()}`))).toBe(true);
});

test('sampleProb thins the stream; a bad value, an unsupported component and an unknown one are refused', async () => {
  const none = await readStream(`${alloy.url}/api/v0/web/debug/prometheus.relabel.tag?sampleProb=0`, 2500);
  expect(none).toEqual({ status: 200, items: [] });
  const bad = await readStream(`${alloy.url}/api/v0/web/debug/prometheus.relabel.tag?sampleProb=2`, 1000);
  expect(bad.status).toBe(400);
  expect(bad.body.error).toMatch(/Invalid sample probability/);
  const scrape = await readStream(`${alloy.url}/api/v0/web/debug/prometheus.scrape.app`, 1000);
  expect(scrape).toMatchObject({ status: 400, body: { error: 'the component "prometheus.scrape" does not support live debugging' } });
  const unknown = await readStream(`${alloy.url}/api/v0/web/debug/prometheus.relabel.nope`, 1000);
  expect(unknown.status).toBe(404);
});

test('the UI page streams the lines, honours the window and pauses', async () => {
  const page = await openPage(`${alloy.url}/#/component/prometheus.relabel.tag`);
  await page.click('#live-debugging-link');
  await page.waitForFunction(() => (document.querySelector('#live-lines')?.textContent ?? '').includes('team="platform"'), undefined, { timeout: 20_000 });
  await page.selectOption('#live-window', '100');
  await page.click('#live-pause');
  const frozen = await page.textContent('#live-count');
  await new Promise((r) => setTimeout(r, 2500));
  expect(await page.textContent('#live-count')).toBe(frozen);
  const lines = ((await page.textContent('#live-lines')) ?? '').split('\n');
  expect(lines.length).toBeLessThanOrEqual(100);
  expect(lines.every((l) => / => \{/.test(l))).toBe(true);
  await page.screenshot({ path: path.join(ARTIFACTS, 'live-debugging.png'), fullPage: true });
  await page.close();
});

test('the remote configuration page shows the status and the remote components; they stream too', async () => {
  await waitFor('remote config applied', async () => ((await (await fetch(`${alloy.url}/api/v0/web/remotecfg`)).json()) as { status: string }).status === 'APPLIED', { timeoutMs: 20_000 });
  const page = await openPage(`${alloy.url}/#/remotecfg`);
  await page.waitForSelector('#remotecfg-state[data-status="APPLIED"]', { timeout: 15_000 });
  await page.waitForSelector('tr[data-id="remotecfg/prometheus.relabel.fleet"]', { timeout: 15_000 });
  expect(await page.textContent('#remotecfg-state')).toContain('ui-collector');
  await page.screenshot({ path: path.join(ARTIFACTS, 'remotecfg.png'), fullPage: true });
  await page.close();
  const s = await readStream(`${alloy.url}/api/v0/web/debug/remotecfg/prometheus.relabel.fleet`, 1000);
  expect(s.status).toBe(200); // supported and resolvable under its namespaced id (nothing flows into it)
});

test('without the livedebugging block the stream is refused with how to enable it', async () => {
  fs.writeFileSync(configFile, config(false));
  await alloy.reload();
  const r = await readStream(`${alloy.url}/api/v0/web/debug/prometheus.relabel.tag`, 1000);
  expect(r.status).toBe(400);
  expect(r.body.error).toMatch(/live debugging service is disabled.*livedebugging \{ enabled = true \}/);
});
