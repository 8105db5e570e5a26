// Sharded discovery bench: 5,000 pods in the sandbox Kubernetes API, then for
// 1, 3 and 6 replicas (each its own process, its own bearer token so the API
// log tells their requests apart) discovery.kubernetes role "pod" with
// sharding on and, for comparison, off (Alloy's behaviour: every replica
// holds every target). Prints heap per replica after GC and list/watch
// requests per replica; for sharded rows, then one member leaving: the
// survivors' heap and targets after the takeover and the GETs / list pages it cost.
//   node --import tsx bench/discovery/run.ts [--pods 5000] [--replicas 1,3,6]
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startKubeEmulator } from '../../src/sandbox/kube/index.js';
import { pod } from '../../e2e/discovery/fixture.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const argv = process.argv.slice(2);
const opt = (name: string, def: string) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? argv[i + 1] : def;
};
const PODS = Number(opt('pods', '5000'));
const REPLICAS = opt('replicas', '1,3,6').split(',').map(Number);
const NAMESPACES = 50;

interface Report {
  phase: 'start' | 'takeover' | 'left';
  self: string;
  targets: number;
  heapUsed: number;
  takeoverMs?: number;
  shard: { ownedObjects: number; otherObjects: number; index?: { indexed: number; gets: number; listPages: number; filled: number } } | null;
}

const tokens: Record<string, string> = {};
for (const shard of [0, 1, 2]) for (const n of [1, ...REPLICAS]) for (let i = 0; i < n; i++) tokens[`tok-${shard}-${n}-${i}`] = `bench-${shard}-${n}-${i}`;
const emu = await startKubeEmulator({ host: '127.0.0.1', token: 'admin', tokens });
for (let n = 0; n < NAMESPACES; n++) emu.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: `bench-${n}` } });
for (let i = 0; i < PODS; i++) {
  const p = pod(`bench-${i % NAMESPACES}`, `pod-${i}`, i % 2 ? 'node-a' : 'node-b', `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`, {
    labels: { app: `app-${i % 100}`, 'app.kubernetes.io/name': `app-${i % 100}`, 'pod-template-hash': `h${i % 7}`, tier: 'backend' },
  });
  emu.apply(p);
}

/** shard: 0 off, 1 on, 2 on with a second whole-object holder of the same informer. */
function runReplica(token: string, self: string, members: string[], shard: 0 | 1 | 2): Promise<Report[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['--expose-gc', '--import', 'tsx', 'bench/discovery/replica.ts', emu.url, token, self, members.join(','), String(shard)],
      { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] },
    );
    let out = '';
    child.stdout.on('data', (b) => (out += b));
    const timer = setTimeout(() => child.kill('SIGKILL'), 180_000);
    child.on('exit', (code) => {
      clearTimeout(timer);
      const lines = out.trim().split('\n').filter((l) => l.startsWith('{'));
      if (code !== 0 || lines.length === 0) reject(new Error(`replica ${self} exited ${code}: ${out}`));
      else resolve(lines.map((l) => JSON.parse(l) as Report));
    });
  });
}

const mib = (b: number) => (b / 1024 / 1024).toFixed(1);
console.log(`pods=${PODS} namespaces=${NAMESPACES} targets per pod=3 (main port, port-less sidecar, init container)`);
console.log('| replicas | sharding | targets per replica (min-max) | discovery heap per replica MiB (mean, after GC) | list+watch requests per replica (mean) | index entries per replica (mean) |');
console.log('| --- | --- | --- | --- | --- | --- |');
const takeovers: string[] = [];
for (const n of REPLICAS) {
  for (const shard of [0, 1, 2] as const) {
    if (n === 1 && shard) continue; // one replica owns everything either way
    const members = Array.from({ length: n }, (_, i) => `replica-${i}`);
    const users = members.map((_, i) => `bench-${shard}-${n}-${i}`);
    // Replicas run concurrently, as a cluster's would.
    const all = await Promise.all(members.map((m, i) => runReplica(`tok-${shard}-${n}-${i}`, m, members, shard)));
    const mode = ['off', 'on', 'on + whole holder'][shard];
    const reports = all.map((rs) => rs.find((r) => r.phase === 'start')!);
    const total = reports.reduce((a, r) => a + r.targets, 0);
    // The informer's own list pages and watches (a takeover's fill lists are reported apart).
    const fillPages = all.map((rs) => rs.find((r) => r.phase === 'takeover')?.shard?.index?.listPages ?? 0);
    const reqs = users.map((u, i) => emu.requests.filter((r) => r.user === u && (r.verb === 'list' || r.verb === 'watch')).length - fillPages[i]);
    const heap = reports.reduce((a, r) => a + r.heapUsed, 0) / n;
    const ts = reports.map((r) => r.targets);
    const indexed = reports.reduce((a, r) => a + (r.shard?.index?.indexed ?? 0), 0) / n;
    console.log(
      `| ${n} | ${mode} | ${Math.min(...ts)}-${Math.max(...ts)} (sum ${total}) | ${mib(heap)} | ${(reqs.reduce((a, b) => a + b, 0) / n).toFixed(1)} | ${indexed.toFixed(0)} |`,
    );
    const after = all.map((rs) => rs.find((r) => r.phase === 'takeover')).filter((r): r is Report => r !== undefined);
    if (after.length > 0) {
      const survivors = users.slice(0, -1);
      const gets = survivors.map((u) => emu.requests.filter((r) => r.user === u && r.verb === 'get' && r.resource === 'pods').length);
      const watches = survivors.map((u) => emu.requests.filter((r) => r.user === u && r.verb === 'watch').length);
      const pages = after.map((r) => r.shard?.index?.listPages ?? 0);
      const ta = after.map((r) => r.targets);
      const mean = (xs: number[]) => (xs.reduce((a, b) => a + b, 0) / xs.length).toFixed(1);
      takeovers.push(
        `| ${n} -> ${n - 1} | ${mode} | ${Math.min(...ta)}-${Math.max(...ta)} (sum ${ta.reduce((a, b) => a + b, 0)}) | ${mib(after.reduce((a, r) => a + r.heapUsed, 0) / after.length)} | ${mean(watches)} | ${mean(gets)} (${Math.min(...gets)}-${Math.max(...gets)}) | ${mean(pages)} | ${Math.max(...after.map((r) => r.takeoverMs ?? 0))} |`,
      );
    }
  }
}
// The informer cache alone: a sharded replica on a ring it is not part of owns no target.
const [[alone]] = await Promise.all([runReplica('tok-1-1-0', 'outsider', ['replica-0'], 1)]);
const aloneReqs = emu.requests.filter((r) => r.user === 'bench-1-1-0' && (r.verb === 'list' || r.verb === 'watch')).length;
console.log(`| (watch only) | on, owns nothing | ${alone.targets} | ${mib(alone.heapUsed)} | ${aloneReqs} | ${alone.shard?.index?.indexed ?? 0} |`);
console.log('');
console.log('The last member leaves; the survivors take its share over:');
console.log('| replicas | sharding | targets per survivor after (min-max) | heap per survivor after, MiB | watches per survivor, whole run | takeover GETs per survivor (min-max) | takeover list pages per survivor | ring change to last publish, ms (max) |');
console.log('| --- | --- | --- | --- | --- | --- | --- | --- |');
for (const t of takeovers) console.log(t);
await emu.close();
