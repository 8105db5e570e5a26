// Sharded discovery bench: 5,000 pods in the sandbox Kubernetes API, then for
// 1, 3 and 6 replicas (each its own process, its own bearer token so the API
// log tells their requests apart) discovery.kubernetes role "pod" with
// sharding on and, for comparison, off (Alloy's behaviour: every replica
// holds every target). Prints heap per replica after GC and list/watch
// requests per replica.
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
  self: string;
  targets: number;
  heapUsed: number;
  shard: { ownedObjects: number; otherObjects: number } | null;
}

const tokens: Record<string, string> = {};
for (const shard of [0, 1]) for (const n of [1, ...REPLICAS]) for (let i = 0; i < n; i++) tokens[`tok-${shard}-${n}-${i}`] = `bench-${shard}-${n}-${i}`;
const emu = await startKubeEmulator({ host: '127.0.0.1', token: 'admin', tokens });
for (let n = 0; n < NAMESPACES; n++) emu.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: `bench-${n}` } });
for (let i = 0; i < PODS; i++) {
  const p = pod(`bench-${i % NAMESPACES}`, `pod-${i}`, i % 2 ? 'node-a' : 'node-b', `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`, {
    labels: { app: `app-${i % 100}`, 'app.kubernetes.io/name': `app-${i % 100}`, 'pod-template-hash': `h${i % 7}`, tier: 'backend' },
  });
  emu.apply(p);
}

function runReplica(token: string, self: string, members: string[], shard: boolean): Promise<Report> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['--expose-gc', '--import', 'tsx', 'bench/discovery/replica.ts', emu.url, token, self, members.join(','), shard ? '1' : '0'],
      { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] },
    );
    let out = '';
    child.stdout.on('data', (b) => (out += b));
    const timer = setTimeout(() => child.kill('SIGKILL'), 180_000);
    child.on('exit', (code) => {
      clearTimeout(timer);
      const line = out.trim().split('\n').pop() ?? '';
      if (code !== 0 || !line.startsWith('{')) reject(new Error(`replica ${self} exited ${code}: ${out}`));
      else resolve(JSON.parse(line) as Report);
    });
  });
}

const mib = (b: number) => (b / 1024 / 1024).toFixed(1);
console.log(`pods=${PODS} namespaces=${NAMESPACES} targets per pod=3 (main port, port-less sidecar, init container)`);
console.log('| replicas | sharding | targets per replica (min-max) | discovery heap per replica MiB (mean, after GC) | list+watch requests per replica (mean) |');
console.log('| --- | --- | --- | --- | --- |');
for (const n of REPLICAS) {
  for (const shard of [false, true]) {
    if (n === 1 && shard) continue; // one replica owns everything either way
    const members = Array.from({ length: n }, (_, i) => `replica-${i}`);
    const users = members.map((_, i) => `bench-${shard ? 1 : 0}-${n}-${i}`);
    // Replicas run concurrently, as a cluster's would.
    const reports = await Promise.all(members.map((m, i) => runReplica(`tok-${shard ? 1 : 0}-${n}-${i}`, m, members, shard)));
    const total = reports.reduce((a, r) => a + r.targets, 0);
    const reqs = users.map((u) => emu.requests.filter((r) => r.user === u && (r.verb === 'list' || r.verb === 'watch')).length);
    const heap = reports.reduce((a, r) => a + r.heapUsed, 0) / n;
    const ts = reports.map((r) => r.targets);
    console.log(
      `| ${n} | ${shard ? 'on' : 'off'} | ${Math.min(...ts)}-${Math.max(...ts)} (sum ${total}) | ${mib(heap)} | ${(reqs.reduce((a, b) => a + b, 0) / n).toFixed(1)} |`,
    );
  }
}
// The informer cache alone: a sharded replica on a ring it is not part of owns no target.
const [alone] = await Promise.all([runReplica('tok-1-1-0', 'outsider', ['replica-0'], true)]);
const aloneReqs = emu.requests.filter((r) => r.user === 'bench-1-1-0' && (r.verb === 'list' || r.verb === 'watch')).length;
console.log(`| (watch only) | on, owns nothing | ${alone.targets} | ${mib(alone.heapUsed)} | ${aloneReqs} |`);
await emu.close();
