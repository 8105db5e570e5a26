// Collector processes killed, restarted and scaled, with a steady log
// producer: no line may be lost; duplicates are counted (Loki ignores exact
// duplicates, so they are reported separately from losses).
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jest } from '@jest/globals';
import { startKubeEmulator, type KubeEmulator } from '../emulator/index.js';
import { startLokiReceiver, type LokiReceiver } from '../receivers/loki-receiver.js';
import { numbered, runningPod, streamLines, targetsFor } from './harness.js';

jest.setTimeout(90_000);

const ROOT = join(import.meta.dirname, '..', '..');

interface Proc {
  child: ChildProcess;
  exited: Promise<void>;
}

function startCollector(cfgFile: string): Promise<Proc> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'e2e/logs/collector.ts'), cfgFile], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('collector did not start within 30 s')), 30_000);
    let out = '';
    child.stdout!.on('data', (c: Buffer) => {
      out += c.toString();
      if (out.includes('READY')) {
        clearTimeout(timer);
        resolve({ child, exited });
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`collector exited early with ${code}`));
    });
  });
}

/** Appends one numbered line to every stream every `everyMs`. */
function producer(api: KubeEmulator, streams: { pod: string; container: string }[], everyMs: number) {
  let n = 0;
  const timer = setInterval(() => {
    for (const s of streams) api.logs.append('default', s.pod, s.container, numbered(`${s.pod}/${s.container}`, n, n + 5));
    n += 5;
  }, everyMs);
  return {
    get count() {
      return n;
    },
    stop: () => clearInterval(timer),
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('logs e2e with collector processes', () => {
  let api: KubeEmulator;
  let loki: LokiReceiver;
  let dir: string;
  const procs: Proc[] = [];
  let streams: { pod: string; container: string }[];
  let targets: Record<string, string>[];

  beforeEach(async () => {
    api = await startKubeEmulator();
    loki = await startLokiReceiver();
    dir = mkdtempSync(join(tmpdir(), 'logs-proc-'));
    const pods = Array.from({ length: 6 }, (_, i) => api.apply(runningPod('default', `app-${i}`, ['main', 'side'])));
    streams = pods.flatMap((p) => p.spec.containers.map((c: { name: string }) => ({ pod: p.metadata.name, container: c.name })));
    targets = pods.flatMap(targetsFor);
  });
  afterEach(async () => {
    for (const p of procs.splice(0)) {
      p.child.kill('SIGKILL');
      await p.exited;
    }
    await loki.close();
    await api.close();
  });

  function config(node: string, ownershipFile?: string): string {
    const file = join(dir, `${node}.json`);
    writeFileSync(file, JSON.stringify({ apiServer: api.url, lokiUrl: loki.url, dataDir: join(dir, `data-${node}`), node, ownershipFile, targets, handoffDelayMs: 1000 }));
    return file;
  }

  function expectComplete(total: number) {
    for (const s of streams) {
      const got = streamLines(loki, 'default', s.pod, s.container);
      const unique = got.filter((l, i) => got.indexOf(l) === i);
      expect(unique).toEqual(numbered(`${s.pod}/${s.container}`, 0, total));
    }
  }

  it('SIGKILL and restart: nothing lost; duplicates limited to the last position flush', async () => {
    const cfg = config('solo');
    let a = await startCollector(cfg);
    procs.push(a);
    const prod = producer(api, streams, 20);
    await sleep(1500);
    a.child.kill('SIGKILL');
    await a.exited;
    procs.splice(procs.indexOf(a), 1);
    await sleep(500); // lines written while no collector runs
    a = await startCollector(cfg);
    procs.push(a);
    await sleep(1000);
    prod.stop();
    const total = prod.count;
    await loki.waitFor(() => loki.uniqueEntries() >= total * streams.length, 30_000, 'every produced line');
    expectComplete(total);
    // Raw duplicates = lines pushed after the last positions flush before the kill (Loki drops them as exact duplicates).
    console.log(`SIGKILL/restart: ${total * streams.length} lines, raw duplicates ${loki.duplicates()}`);
    expect(loki.duplicates()).toBeLessThan(total * streams.length * 0.1);
  });

  it('two replicas: streams move on scale-up without duplicates, and back after a crash without loss', async () => {
    const members = join(dir, 'members.json');
    writeFileSync(members, JSON.stringify({ members: ['a'] }));
    const a = await startCollector(config('a', members));
    procs.push(a);
    const b = await startCollector(config('b', members)); // not a member yet: owns nothing
    procs.push(b);
    const prod = producer(api, streams, 20);
    await sleep(1000);
    // Scale-up: b joins, about half the streams move from a to b (graceful hand-off).
    writeFileSync(members, JSON.stringify({ members: ['a', 'b'] }));
    await sleep(2500);
    const dupAfterScaleUp = loki.duplicates();
    const linesAtScaleUp = loki.totalEntries();
    // Crash: b dies without flushing; its streams go back to a, which resumes from b's shared positions.
    b.child.kill('SIGKILL');
    await b.exited;
    procs.splice(procs.indexOf(b), 1);
    writeFileSync(members, JSON.stringify({ members: ['a'] }));
    await sleep(2000);
    prod.stop();
    const total = prod.count;
    await loki.waitFor(() => loki.uniqueEntries() >= total * streams.length, 30_000, 'every produced line');
    expectComplete(total);
    // Both replicas delivered something (the hand-off really happened).
    const cms = api.list('v1', 'ConfigMap', 'default').filter((c) => c.metadata.name.startsWith('alloy-logpos-'));
    expect(cms.length).toBe(2);
    console.log(`scale-up: raw duplicates ${dupAfterScaleUp} of ${linesAtScaleUp}; after crash hand-off: raw duplicates ${loki.duplicates()} of ${loki.totalEntries()}`);
    expect(dupAfterScaleUp).toBe(0);
  });
});
