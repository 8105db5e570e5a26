// The README's first command ends in `alloy demo`: it must run the whole
// pipeline on a machine with no cluster. Run it for a while and read its report.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { TSX_LOADER } from '../lib/alloy-process.js';
import { startProcess } from '../lib/spawn.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

test('alloy demo: 3 replicas split the targets, samples, logs and rules reach the receivers', async () => {
  const demo = startProcess(process.execPath, ['--import', TSX_LOADER, path.join(ROOT, 'src/main.ts'), 'demo', '--duration=25', '--status-interval=6', '--server.http.listen-addr=127.0.0.1:0'], {
    name: 'alloy demo',
    cwd: ROOT,
  });
  // The demo ends by itself after --duration; one that hangs is killed.
  const timer = setTimeout(() => void demo.kill(), 80_000);
  const code = await demo.exited;
  clearTimeout(timer);
  const out = demo.output();
  expect({ code, tail: code === 0 ? '' : demo.tail() }).toEqual({ code: 0, tail: '' });
  expect(out).toMatch(/UI: +http:\/\/127\.0\.0\.1:\d+\//);
  const last = out.split('\n').filter((l) => l.includes('series received')).pop() ?? '';
  const num = (re: RegExp) => Number(re.exec(last)?.[1] ?? 0);
  expect(num(/series received: (\d+)/)).toBeGreaterThan(50);
  expect(num(/samples: (\d+)/)).toBeGreaterThan(100);
  expect(num(/log lines received: (\d+)/)).toBeGreaterThan(20);
  expect(last).toMatch(/ruler namespaces: alloy\/shop\/shop-slos\//);
  expect(out).toMatch(/ServiceMonitor shop\/inventory: \d+ series \(job="inventory", instance="127\.0\.0\.17:8080"\)/);
  // The fleet server's pipeline runs on every replica, its one target scraped by its owner.
  expect(out).toMatch(/fleet pipeline: [1-9]\d* series \(job="fleet\/fraud"\), applied on 3 of 3 collectors/);
  // Every annotated target is owned by exactly one replica.
  const block = out.slice(out.lastIndexOf('series received'));
  const owned = [...block.matchAll(/alloy-\d owns \d+ \[([^\]]*)\]/g)].slice(0, 3).flatMap((m) => m[1].split(' ').filter(Boolean));
  expect(owned.sort()).toEqual(['127.0.0.11:8080', '127.0.0.12:8080', '127.0.0.13:9090', '127.0.0.14:8080', '127.0.0.15:8080']);
}, 100_000);
