// Benchmark helper process: N synthetic exporters (one port each, `series`
// series per target: counters, gauges and classic histograms, values that
// move every scrape) and one remote-write sink per scraper that counts the
// samples it receives (GET /count). Prints one JSON line with the ports.
//
// The sinks decode only as far as counting needs (snappy, then the protobuf
// field tags), so the helper's own CPU stays small beside what it measures.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import protobuf from 'protobufjs';

const snappy = createRequire(import.meta.url)('snappyjs') as { uncompress(b: Uint8Array): Uint8Array };

const [nTargets, nSeries, nSinks] = [Number(process.argv[2] ?? 200), Number(process.argv[3] ?? 1000), Number(process.argv[4] ?? 3)];

/** One histogram family: 10 buckets + +Inf + _sum + _count = 13 series. */
const HISTOGRAM_SERIES = 13;
const BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

/**
 * About half counters, a fifth gauges, the rest histograms (by series), with
 * the label shapes of a real service's metrics.
 */
function body(target: number, tick: number): string {
  const out: string[] = [];
  const counters = Math.floor(nSeries * 0.5);
  const gauges = Math.floor(nSeries * 0.2);
  const histograms = Math.floor((nSeries - counters - gauges) / HISTOGRAM_SERIES);
  const perFamily = 100;
  for (let i = 0; i < counters; i++) {
    if (i % perFamily === 0) out.push(`# TYPE bench_requests_${i / perFamily}_total counter`);
    out.push(`bench_requests_${Math.floor(i / perFamily)}_total{target="${target}",code="${200 + (i % 5)}",path="/api/v1/item/${i}"} ${tick * (i + 1)}`);
  }
  for (let i = 0; i < gauges; i++) {
    if (i % perFamily === 0) out.push(`# TYPE bench_inflight_${i / perFamily} gauge`);
    out.push(`bench_inflight_${Math.floor(i / perFamily)}{target="${target}",worker="${i}"} ${(tick * 7 + i) % 1000}`);
  }
  for (let h = 0; h < histograms; h++) {
    out.push(`# TYPE bench_latency_${h}_seconds histogram`);
    let cum = 0;
    for (const le of BUCKETS) {
      cum += tick + h;
      out.push(`bench_latency_${h}_seconds_bucket{target="${target}",handler="/h${h}",le="${le}"} ${cum}`);
    }
    out.push(`bench_latency_${h}_seconds_bucket{target="${target}",handler="/h${h}",le="+Inf"} ${cum + tick}`);
    out.push(`bench_latency_${h}_seconds_sum{target="${target}",handler="/h${h}"} ${(cum * 0.042).toFixed(3)}`);
    out.push(`bench_latency_${h}_seconds_count{target="${target}",handler="/h${h}"} ${cum + tick}`);
  }
  out.push('');
  return out.join('\n');
}

/** Samples in a prometheus.WriteRequest: field 2 of every TimeSeries (field 1). */
function countSamples(buf: Uint8Array): number {
  const r = protobuf.Reader.create(buf);
  let n = 0;
  while (r.pos < r.len) {
    const tag = r.uint32();
    if (tag >>> 3 !== 1 || (tag & 7) !== 2) {
      r.skipType(tag & 7);
      continue;
    }
    const end = r.uint32() + r.pos;
    while (r.pos < end) {
      const t = r.uint32();
      if (t >>> 3 === 2 && (t & 7) === 2) n++;
      r.skipType(t & 7);
    }
  }
  return n;
}

async function listen(h: http.RequestListener): Promise<number> {
  const s = http.createServer({ keepAlive: true }, h);
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  return (s.address() as AddressInfo).port;
}

const ports: number[] = [];
for (let t = 0; t < nTargets; t++) {
  let tick = 0;
  ports.push(
    await listen((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' });
      res.end(body(t, ++tick));
    }),
  );
}
const sinks: number[] = [];
for (let i = 0; i < nSinks; i++) {
  let samples = 0;
  let requests = 0;
  let errors = 0;
  sinks.push(
    await listen((req, res) => {
      if (req.method === 'GET') {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ samples, requests, errors }));
        return;
      }
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        try {
          samples += countSamples(snappy.uncompress(Buffer.concat(chunks)));
          requests++;
          res.statusCode = 204;
        } catch {
          errors++;
          res.statusCode = 400;
        }
        res.end();
      });
    }),
  );
}
process.stdout.write(JSON.stringify({ ports, sinks }) + '\n');
