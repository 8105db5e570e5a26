// Benchmark helper process: N synthetic exporters (one port each, `series`
// series per target, counters that move every request) and a remote-write
// sink that accepts everything (204). Prints one JSON line with the ports.
import http from 'node:http';
import type { AddressInfo } from 'node:net';

const [nTargets, nSeries] = [Number(process.argv[2] ?? 200), Number(process.argv[3] ?? 1000)];

function body(target: number, tick: number): string {
  const lines: string[] = ['# HELP bench_requests_total Synthetic counter.', '# TYPE bench_requests_total counter'];
  const perFamily = 100;
  for (let i = 0; i < nSeries; i++) {
    const fam = Math.floor(i / perFamily);
    lines.push(`bench_metric_${fam}_total{target="${target}",shard="${i % 7}",series="${i}",path="/api/v1/item/${i}"} ${tick * (i + 1)}`);
  }
  lines.push('');
  return lines.join('\n');
}

async function listen(h: http.RequestListener): Promise<number> {
  const s = http.createServer({ keepAlive: true }, h);
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  return (s.address() as AddressInfo).port;
}

const ports: number[] = [];
for (let t = 0; t < nTargets; t++) {
  let tick = 0;
  ports.push(await listen((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' });
    res.end(body(t, ++tick));
  }));
}
const sinks: number[] = [];
for (let i = 0; i < 2; i++) {
  sinks.push(await listen((req, res) => {
    req.resume();
    req.on('end', () => {
      res.statusCode = 204;
      res.end();
    });
  }));
}
process.stdout.write(JSON.stringify({ ports, sinks }) + '\n');
