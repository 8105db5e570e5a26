// Traces pipeline benchmark: a real `alloy run` process with
//   otelcol.receiver.otlp "edge" (OTLP/HTTP) -> otelcol.processor.batch ->
//   otelcol.exporter.otlp (gRPC) -> otelcol.receiver.otlp "hop2" (gRPC, no consumers)
// Load: raw OTLP/HTTP protobuf requests (src/otel/proto.ts encoders) from this
// process, --concurrency requests in flight. Counted end to end by hop2's
// otelcol_receiver_accepted_spans_total; CPU is the collector's utime+stime from /proc.
// Reports spans per CPU-second (both hops run in the one process, so each span
// is received twice, batched and exported once per CPU-second figure).
//   node --import tsx bench/otel/run.ts [--spans 200000] [--per-request 500] [--concurrency 4]
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { type AlloyProcess, startAlloyProcess } from '../../e2e/lib/alloy-process.js';
import { freePorts } from '../../e2e/lib/ports.js';
import { encodeRequest } from '../../src/otel/proto.js';

const { values: a } = parseArgs({
  options: {
    spans: { type: 'string', default: '200000' },
    'per-request': { type: 'string', default: '500' },
    concurrency: { type: 'string', default: '4' },
  },
});
const SPANS = Number(a.spans);
const PER_REQUEST = Number(a['per-request']);
const CONCURRENCY = Number(a.concurrency);
for (const [k, v] of Object.entries({ spans: SPANS, 'per-request': PER_REQUEST, concurrency: CONCURRENCY })) {
  if (!Number.isInteger(v) || v <= 0) throw new Error(`--${k} must be a positive integer`);
}
const REQUESTS = Math.ceil(SPANS / PER_REQUEST);
const TOTAL = REQUESTS * PER_REQUEST;

function cpuSeconds(pid: number): number {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = f.slice(f.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100; // utime + stime, USER_HZ = 100
}

const [edgeHttp, hop2] = await freePorts(2);
const config = `
otelcol.receiver.otlp "edge" {
  http { endpoint = "127.0.0.1:${edgeHttp}" }
  output { traces = [otelcol.processor.batch.b.input] }
}
otelcol.processor.batch "b" {
  output { traces = [otelcol.exporter.otlp.hop.input] }
}
otelcol.exporter.otlp "hop" {
  client {
    endpoint = "127.0.0.1:${hop2}"
    tls { insecure = true }
  }
}
otelcol.receiver.otlp "hop2" {
  grpc { endpoint = "127.0.0.1:${hop2}" }
  output { }
}
`;

let child: AlloyProcess | undefined;
process.on('exit', () => child?.proc.kill('SIGKILL'));
for (const sig of ['SIGINT', 'SIGTERM'] as const) process.on(sig, () => process.exit(1));
child = await startAlloyProcess({ config, timeoutMs: 60_000 });
const pid = child.proc.pid!;

/** Spans hop2 accepted, from the collector's own /metrics. */
async function delivered(): Promise<number> {
  const text = await (await fetch(`${child!.url}/metrics`, { signal: AbortSignal.timeout(10_000) })).text();
  let n = 0;
  for (const l of text.split('\n')) if (l.startsWith('otelcol_receiver_accepted_spans_total{') && l.includes('hop2')) n += Number(l.split(' ').pop());
  return n;
}

// One request body, reused: the collector decodes every request anew, so reuse costs it nothing.
const hex = (n: number, len: number) => n.toString(16).padStart(len, '0');
const now = BigInt(Date.now()) * 1_000_000n;
const body = encodeRequest('traces', {
  resourceSpans: [{
    resource: { attributes: [{ key: 'service.name', value: { stringValue: 'bench' } }] },
    scopeSpans: [{
      scope: { name: 'bench', version: '1' },
      spans: Array.from({ length: PER_REQUEST }, (_, i) => ({
        traceId: Buffer.from(hex(i >> 4, 32), 'hex'),
        spanId: Buffer.from(hex(i + 1, 16), 'hex'),
        name: `GET /api/items/${i % 50}`,
        kind: 2,
        startTimeUnixNano: String(now),
        endTimeUnixNano: String(now + 1_000_000n),
        attributes: [
          { key: 'http.method', value: { stringValue: 'GET' } },
          { key: 'http.status_code', value: { intValue: '200' } },
        ],
      })),
    }],
  }],
} as never);

const cpu0 = cpuSeconds(pid);
const start = performance.now();
let next = 0;
const sender = async () => {
  while (next < REQUESTS) {
    next++;
    const r = await fetch(`http://127.0.0.1:${edgeHttp}/v1/traces`, {
      method: 'POST', headers: { 'content-type': 'application/x-protobuf' }, body, signal: AbortSignal.timeout(60_000),
    });
    if (!r.ok) throw new Error(`edge answered ${r.status}: ${await r.text()}`);
    await r.arrayBuffer();
  }
};
await Promise.all(Array.from({ length: CONCURRENCY }, sender));
const deadline = Date.now() + 300_000;
let got = 0;
while ((got = await delivered()) < TOTAL) {
  if (Date.now() > deadline) throw new Error(`only ${got}/${TOTAL} spans reached hop2 within 300 s`);
  await new Promise((r) => setTimeout(r, 200));
}
const wall = (performance.now() - start) / 1000;
const cpu = cpuSeconds(pid) - cpu0;
const rssKiB = Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? NaN);
console.log(JSON.stringify({
  spans: got, perRequest: PER_REQUEST, concurrency: CONCURRENCY,
  wallSeconds: +wall.toFixed(2), cpuSeconds: +cpu.toFixed(2),
  spansPerSecond: Math.round(got / wall), spansPerCpuSecond: Math.round(got / cpu), rssMiB: Math.round(rssKiB / 1024),
}));
await child.stop();
child = undefined;
