// The collector's safety ceilings on one scrape when body_size_limit or
// sample_limit is unset: the reading side (plain and gzip bodies, counted
// uncompressed), the parsing side (samples per scrape), the environment
// that sets them, and the whole path through a controller and a real scrape
// worker (last_error, up 0, the exceeded counters).
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import '../components/index.js';
import type { Controller } from '../runtime/controller.js';
import { BODY_SIZE_CEILING_ENV, DEFAULT_BODY_SIZE_CEILING, DEFAULT_SAMPLE_CEILING, SAMPLE_CEILING_ENV, scrapeCeilings } from './ceilings.js';
import { BodySizeCeilingError, BodySizeLimitError, type HttpClientConfig, ScrapeHttpClient } from './http.js';
import { buildScrapeJob } from './job.js';
import { LOOP_EXTRA_DEFAULTS, type LoopOptions, sampleCeilingError, TargetState } from './loop.js';
import { prometheusText } from './parse/index.js';
import { configureScrapeWorkers } from './pool.js';
import { wireConfig } from './wire.js';
import { scrapeController } from '../../e2e/lib/scrape-support.js';
import { waitFor } from '../../e2e/lib/wait.js';

configureScrapeWorkers(1);

const servers: http.Server[] = [];
async function serve(handler: http.RequestListener): Promise<string> {
  const s = http.createServer(handler);
  servers.push(s);
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  return `127.0.0.1:${(s.address() as AddressInfo).port}`;
}

const clients: ScrapeHttpClient[] = [];
function client(o: Partial<HttpClientConfig>): ScrapeHttpClient {
  const c = new ScrapeHttpClient({ accept: 'text/plain', enableCompression: true, bodySizeLimit: 0, followRedirects: true, userAgent: 'test', client: {}, ...o });
  clients.push(c);
  return c;
}

let controller: Controller | undefined;
afterEach(async () => {
  await controller?.stop();
  controller = undefined;
  for (const c of clients.splice(0)) c.close();
  for (const s of servers.splice(0)) {
    s.closeAllConnections();
    await new Promise<void>((r) => s.close(() => r()));
  }
  delete process.env[BODY_SIZE_CEILING_ENV];
  delete process.env[SAMPLE_CEILING_ENV];
});

/** `n` bytes of sample lines. */
function body(n: number): string {
  let s = '';
  for (let i = 0; s.length < n; i++) s += `m{i="${i}"} 1\n`;
  return s;
}

describe('the ceilings from the environment', () => {
  test('defaults: 32 MiB and 200,000 samples', () => {
    expect(scrapeCeilings({})).toEqual({ bodySizeBytes: 32 * 1024 * 1024, samples: 200_000 });
    expect(DEFAULT_BODY_SIZE_CEILING).toBe(32 * 1024 * 1024);
    expect(DEFAULT_SAMPLE_CEILING).toBe(200_000);
  });

  test('set in Prometheus size units or a count; 0 turns one off', () => {
    expect(scrapeCeilings({ [BODY_SIZE_CEILING_ENV]: '128MB', [SAMPLE_CEILING_ENV]: '1000000' })).toEqual({ bodySizeBytes: 128 * 1024 * 1024, samples: 1_000_000 });
    expect(scrapeCeilings({ [BODY_SIZE_CEILING_ENV]: '0', [SAMPLE_CEILING_ENV]: '0' })).toEqual({ bodySizeBytes: 0, samples: 0 });
  });

  test('a bad value is an error naming the variable', () => {
    expect(() => scrapeCeilings({ [BODY_SIZE_CEILING_ENV]: 'lots' })).toThrow(`environment variable ${BODY_SIZE_CEILING_ENV}: invalid size "lots"`);
    expect(() => scrapeCeilings({ [SAMPLE_CEILING_ENV]: '-5' })).toThrow(`environment variable ${SAMPLE_CEILING_ENV}: must be a non-negative integer, got "-5"`);
    expect(() => scrapeCeilings({ [SAMPLE_CEILING_ENV]: '1.5' })).toThrow(SAMPLE_CEILING_ENV);
  });

  test('they travel to the scrape workers in the pool settings', () => {
    process.env[BODY_SIZE_CEILING_ENV] = '1KB';
    process.env[SAMPLE_CEILING_ENV] = '7';
    const wire = wireConfig(buildScrapeJob({ name: 'j' }));
    expect(wire.http).toMatchObject({ bodySizeLimit: 0, bodySizeCeiling: 1024 });
    expect(wire).toMatchObject({ sampleLimit: 0, sampleCeiling: 7 });
  });
});

describe('the body-size ceiling', () => {
  const CEILING = 4096;

  test('a plain body past the ceiling fails with the reason; one under it passes', async () => {
    const big = await serve((_req, res) => res.writeHead(200, { 'Content-Type': 'text/plain' }).end(body(CEILING * 4)));
    const small = await serve((_req, res) => res.writeHead(200, { 'Content-Type': 'text/plain' }).end(body(CEILING / 2)));
    const c = client({ bodySizeCeiling: CEILING });
    const err = await c.scrape(`http://${big}/metrics`, 5000).then(() => undefined, (e: Error) => e);
    expect(err).toBeInstanceOf(BodySizeCeilingError);
    expect(err).toBeInstanceOf(BodySizeLimitError); // counted as prometheus_target_scrapes_exceeded_body_size_limit_total
    expect(err!.message).toBe(`body size ceiling exceeded: the uncompressed body reached ${CEILING} bytes; body_size_limit is not set, so the collector's ceiling applies (ALLOY_SCRAPE_BODY_SIZE_CEILING)`);
    const ok = await c.scrape(`http://${small}/metrics`, 5000);
    expect(ok.body()).toBe(body(CEILING / 2));
  });

  test('a gzip body is counted inflated: a small compressed body that inflates past the ceiling fails', async () => {
    // 4 MB of newlines compress to a few KB, under the ceiling as sent.
    const bomb = gzipSync(Buffer.alloc(4 * 1024 * 1024, '\n'));
    expect(bomb.length).toBeLessThan(CEILING * 4);
    let sent = 0;
    const host = await serve((_req, res) => {
      sent++;
      res.writeHead(200, { 'Content-Type': 'text/plain', 'Content-Encoding': 'gzip' }).end(bomb);
    });
    const under = gzipSync(Buffer.from(body(CEILING / 2)));
    const hostOk = await serve((_req, res) => res.writeHead(200, { 'Content-Type': 'text/plain', 'Content-Encoding': 'gzip' }).end(under));
    const c = client({ bodySizeCeiling: CEILING * 16 });
    await expect(c.scrape(`http://${host}/metrics`, 5000)).rejects.toThrow(`body size ceiling exceeded: the uncompressed body reached ${CEILING * 16} bytes`);
    expect(sent).toBe(1);
    expect((await c.scrape(`http://${hostOk}/metrics`, 5000)).body()).toBe(body(CEILING / 2));
  });

  test('body_size_limit, when set, replaces the ceiling (above or below it), with its own message', async () => {
    const host = await serve((_req, res) => res.writeHead(200, { 'Content-Type': 'text/plain' }).end(body(CEILING * 2)));
    // A limit above the ceiling lets a body past the ceiling through.
    expect((await client({ bodySizeLimit: CEILING * 4, bodySizeCeiling: CEILING }).scrape(`http://${host}/metrics`, 5000)).bytes).toBe(body(CEILING * 2).length);
    // A limit below it fails with body_size_limit's message.
    await expect(client({ bodySizeLimit: CEILING, bodySizeCeiling: CEILING * 8 }).scrape(`http://${host}/metrics`, 5000)).rejects.toThrow(`body size limit exceeded (limit ${CEILING} bytes)`);
    // No ceiling and no limit: anything goes (Alloy's "no limit").
    expect((await client({ bodySizeCeiling: 0 }).scrape(`http://${host}/metrics`, 5000)).bytes).toBe(body(CEILING * 2).length);
  });
});

describe('the sample ceiling', () => {
  const target = ['instance', 'h:1', 'job', 'j'];
  const base: LoopOptions = {
    honorLabels: false, honorTimestamps: true, trackTimestampsStaleness: false, sampleLimit: 0,
    labelLimit: 0, labelNameLengthLimit: 0, labelValueLengthLimit: 0, metricRelabel: [], ...LOOP_EXTRA_DEFAULTS,
  };
  const lines = (n: number) => Array.from({ length: n }, (_, i) => `m{i="${i}"} ${i}\n`).join('');

  test('with sample_limit unset, a body past the ceiling fails the scrape at the ceiling, with the reason', () => {
    const s = new TargetState(target, { ...base, sampleCeiling: 100 });
    const b = s.apply(lines(1000), prometheusText, 1000, 0);
    expect(b.stats.error).toBe(sampleCeilingError(100));
    expect(b.stats.error).toBe("sample ceiling exceeded: more than 100 samples in one scrape; sample_limit is not set, so the collector's ceiling applies (ALLOY_SCRAPE_SAMPLE_CEILING)");
    // Parsing stopped at the ceiling: not one sample more was read.
    expect(b.stats.total).toBe(100);
    expect(b.refs.length).toBe(0);
    // A body at the ceiling passes.
    const ok = s.apply(lines(100), prometheusText, 2000, 0);
    expect(ok.stats.error).toBeUndefined();
    expect(ok.refs.length).toBe(100);
  });

  test('sample_limit, when set, replaces the ceiling', () => {
    const s = new TargetState(target, { ...base, sampleLimit: 500, sampleCeiling: 100 });
    expect(s.apply(lines(400), prometheusText, 1000, 0).stats.error).toBeUndefined();
    expect(s.apply(lines(600), prometheusText, 2000, 0).stats.error).toBe('sample limit exceeded');
  });

  test('samples past sample_limit are counted but not cached: a target far over its limit keeps only the series under it', () => {
    const s = new TargetState(target, { ...base, sampleLimit: 10 });
    const b = s.apply(lines(5000), prometheusText, 1000, 0);
    expect(b.stats).toMatchObject({ error: 'sample limit exceeded', total: 5000, added: 5000 });
    // The raw-text cache holds the 10 texts under the limit, not the 4,990 past it.
    expect((s as unknown as { met: Map<string, unknown> }).met.size).toBe(10);
    expect(s.seriesCount).toBe(10);
    // The same again: still failing, still counted in full, still nothing cached past the limit.
    const again = s.apply(lines(5000), prometheusText, 2000, 0);
    expect(again.stats).toMatchObject({ error: 'sample limit exceeded', total: 5000, added: 5000 });
    expect((s as unknown as { met: Map<string, unknown> }).met.size).toBe(10);
  });

  test('past sample_limit, another text of a series already in the scrape is a duplicate, not one more sample', () => {
    const s = new TargetState(target, { ...base, sampleLimit: 2 });
    // `a{} 7` is series a again (another value: counted); `b{} 2` repeats b exactly (dropped silently); c is past the limit.
    const b = s.apply('a 1\nb 2\nc 3\na{} 7\nb{} 2\n', prometheusText, 1000, 0);
    expect(b.stats).toMatchObject({ error: 'sample limit exceeded', total: 5, added: 3, duplicates: 1 });
  });
});

describe('through a controller and a scrape worker', () => {
  test('a bad ceiling in the environment fails the component with the variable named, not the process', async () => {
    process.env[SAMPLE_CEILING_ENV] = 'many';
    const host = await serve((_req, res) => res.writeHead(200, { 'Content-Type': 'text/plain' }).end('m 1\n'));
    const failure = await scrapeController(`
prometheus.scrape "badenv" {
  targets    = [{"__address__" = "${host}"}]
  forward_to = [prometheus.relabel.sink.receiver]
}
`).then(
      (c) => {
        controller = c;
        const health = c.view('prometheus.scrape.badenv')?.health;
        return `${health?.state}: ${health?.message}`;
      },
      (e: Error) => e.message,
    );
    expect(failure).toBe(`unhealthy: invalid arguments: environment variable ${SAMPLE_CEILING_ENV}: must be a non-negative integer, got "many"`);
  });

  test('over the body ceiling: up 0, the reason in last_error, counted as a body_size_limit hit; a small target of the same component stays up', async () => {
    process.env[BODY_SIZE_CEILING_ENV] = '2KB';
    const big = await serve((_req, res) => res.writeHead(200, { 'Content-Type': 'text/plain' }).end(body(8192)));
    const small = await serve((_req, res) => res.writeHead(200, { 'Content-Type': 'text/plain' }).end('m 1\n'));
    controller = await scrapeController(
      `
prometheus.scrape "ceil" {
  targets         = [{"__address__" = "${big}"}, {"__address__" = "${small}"}]
  forward_to      = [prometheus.relabel.sink.receiver]
  scrape_interval = "200ms"
  scrape_timeout  = "150ms"
}
`,
    );
    interface T { url: string; health: string; last_error?: string }
    const targets = () => (controller!.view('prometheus.scrape.ceil')!.debugInfo as { targets: T[] }).targets;
    const bigT = await waitFor('the big target down', () => targets().find((t) => t.url.includes(big) && t.health === 'down'), { intervalMs: 50 });
    expect(bigT.last_error).toMatch(/^body size ceiling exceeded: the uncompressed body reached 2048 bytes; body_size_limit is not set/);
    await waitFor('the small target up', () => targets().find((t) => t.url.includes(small) && t.health === 'up'), { intervalMs: 50 });
    const counted = await waitFor('the exceeded counter', async () => {
      let v = 0;
      for (const r of controller!.componentRegistries()) {
        const m = (await r.getMetricsAsJSON()).find((x) => x.name === 'prometheus_target_scrapes_exceeded_body_size_limit_total');
        v += m?.values.reduce((a, x) => a + x.value, 0) ?? 0;
      }
      return v > 0 && v;
    });
    expect(counted).toBeGreaterThan(0);
  });
});
