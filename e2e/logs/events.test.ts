// loki.source.kubernetes_events -> loki.write end to end against the API
// emulator: events created through the API become lines in Alloy's logfmt
// and json forms with job/namespace/instance labels; two clustered instances
// ship each event once; a restart resumes from the positions file.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jest } from '@jest/globals';
import { targetKey, type ClusterOwnership } from '../../src/clustering/ownership.js';
import { lokiSourceKubernetesEvents, type KubernetesEventsArgs } from '../../src/components/loki/source/kubernetes_events.js';
import { lokiWrite } from '../../src/components/loki/write.js';
import type { LogsReceiver } from '../../src/pipeline/logs.js';
import type { Component } from '../../src/runtime/types.js';
import { startKubeEmulator, type KubeEmulator } from '../../src/sandbox/kube/index.js';
import { startLokiReceiver, type LokiReceiver } from '../../src/sandbox/receivers/loki-receiver.js';
import { makeTestContext, type TestContext } from '../lib/component-context.js';
import { loadKubeClient } from '../../src/kube/client.js';

// Components are built here without the controller, which would load the client first.
beforeAll(() => loadKubeClient());

jest.setTimeout(60_000);

let seq = 0;
function event(ns: string, obj: string, reason: string, message: string, at = new Date()): any {
  return {
    apiVersion: 'v1',
    kind: 'Event',
    metadata: { name: `${obj}.${(++seq).toString(16)}`, namespace: ns },
    involvedObject: { kind: 'Pod', namespace: ns, name: obj, apiVersion: 'v1', resourceVersion: '42', uid: `uid-${obj}` },
    reason,
    message,
    source: { component: 'kubelet', host: 'node-a' },
    type: 'Normal',
    count: 1,
    firstTimestamp: at.toISOString().replace(/\.\d{3}Z$/, 'Z'),
    lastTimestamp: at.toISOString().replace(/\.\d{3}Z$/, 'Z'),
    reportingComponent: 'kubelet',
    reportingInstance: 'node-a',
  };
}

/** Two named nodes splitting keys by a fixed table (the hash ring's job, kept deterministic here). */
function ownership(self: string, owner: (key: string) => string): ClusterOwnership {
  return { enabled: true, self, ownerOf: owner, owns: (k) => owner(k) === self, onChange: () => () => {}, peers: () => [{ name: self, address: '', state: 'participant', isSelf: true }] };
}

describe('loki.source.kubernetes_events e2e', () => {
  let api: KubeEmulator;
  let loki: LokiReceiver;
  let write: Component;
  let writeCtx: TestContext;
  const stops: (() => Promise<unknown>)[] = [];

  beforeEach(async () => {
    api = await startKubeEmulator();
    for (const ns of ['shop', 'other', 'a', 'b', 'c', 'd', 'e', 'f', 'x']) api.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
    loki = await startLokiReceiver();
    writeCtx = makeTestContext({ id: 'loki.write.default' });
    const wargs = { endpoint: [{ url: loki.url, batch_wait: 20, min_backoff_period: 20, max_backoff_period: 200, max_backoff_retries: 1000 }] };
    write = lokiWrite.build(writeCtx, wargs);
    await write.update(wargs);
  });
  afterEach(async () => {
    for (const s of stops.splice(0).reverse()) await s();
    await write.stop?.();
    await loki.close();
    await api.close();
  });

  async function source(extra: Partial<KubernetesEventsArgs>, opts: { id?: string; dataDir?: string; cluster?: ClusterOwnership } = {}) {
    const ctx = makeTestContext({ id: opts.id ?? 'loki.source.kubernetes_events.ev', dataDir: opts.dataDir ?? mkdtempSync(join(tmpdir(), 'events-e2e-')), cluster: opts.cluster });
    const args = { forward_to: [writeCtx.exports.receiver as LogsReceiver], client: { api_server: api.url }, ...extra } as KubernetesEventsArgs;
    const c = lokiSourceKubernetesEvents.build(ctx, args);
    await c.update(args);
    let stopped = false;
    const stop = async () => {
      if (!stopped) await c.stop?.();
      stopped = true;
    };
    stops.push(stop);
    return { c, ctx, stop };
  }

  const lines = () => [...loki.streams.values()].flatMap((s) => s.entries.map((e) => ({ labels: s.labels, line: e.line })));

  it('logfmt lines with Alloy fields and labels; json with the same fields', async () => {
    await source({ namespaces: ['shop'] });
    await source({ namespaces: ['shop'], log_format: 'json', job_name: 'integrations/kubernetes/eventhandler' }, { id: 'loki.source.kubernetes_events.json' });
    await new Promise((r) => setTimeout(r, 300));
    api.apply(event('shop', 'cart-1', 'Pulled', 'Successfully pulled image "cart:1" in 1.2s'));
    api.apply(event('other', 'web-1', 'Started', 'not watched'));
    await loki.waitFor(() => loki.totalEntries() >= 2, 15_000, 'two lines');
    await new Promise((r) => setTimeout(r, 300));
    const got = lines();
    expect(got).toHaveLength(2);
    const logfmt = got.find((l) => l.labels.job === 'loki.source.kubernetes_events')!;
    expect(logfmt.labels).toEqual({ job: 'loki.source.kubernetes_events', namespace: 'shop', instance: 'loki.source.kubernetes_events.ev' });
    expect(logfmt.line).toMatch(
      /^name=cart-1 kind=Pod objectAPIversion=v1 objectRV=42 eventRV=\d+ reportinginstance=node-a reportingcontroller=kubelet sourcecomponent=kubelet sourcehost=node-a reason=Pulled type=Normal count=1 msg="Successfully pulled image \\"cart:1\\" in 1.2s" $/,
    );
    const json = got.find((l) => l.labels.job === 'integrations/kubernetes/eventhandler')!;
    expect(json.labels.instance).toBe('loki.source.kubernetes_events.json');
    const o = JSON.parse(json.line);
    expect(Object.keys(o)).toEqual([...Object.keys(o)].sort());
    expect(o).toMatchObject({ name: 'cart-1', kind: 'Pod', reason: 'Pulled', type: 'Normal', count: 1, msg: 'Successfully pulled image "cart:1" in 1.2s', sourcehost: 'node-a' });
  });

  it('an update with a new resourceVersion is a new line; a restart does not resend', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'events-restart-'));
    const first = await source({}, { dataDir });
    await new Promise((r) => setTimeout(r, 300));
    const t0 = Date.now();
    const e = api.apply(event('shop', 'cart-1', 'BackOff', 'Back-off restarting', new Date(t0 - 5000)));
    await loki.waitFor(() => loki.totalEntries() >= 1, 15_000, 'first line');
    // The kubelet bumps count and lastTimestamp of a repeated event.
    api.apply({ ...e, count: 2, lastTimestamp: new Date(t0 - 3000).toISOString().replace(/\.\d{3}Z$/, 'Z') });
    await loki.waitFor(() => loki.totalEntries() >= 2, 15_000, 'updated line');
    expect(lines()[1].line).toContain('count=2 ');
    await first.stop();
    // While stopped: one new event. After the restart only it arrives.
    api.apply(event('shop', 'cart-2', 'Killing', 'Stopping container', new Date(t0 - 1000)));
    await source({}, { dataDir });
    await loki.waitFor(() => loki.totalEntries() >= 3, 15_000, 'event created while stopped');
    await new Promise((r) => setTimeout(r, 500));
    expect(loki.totalEntries()).toBe(3);
    expect(loki.duplicates()).toBe(0);
    expect(lines()[2].line).toMatch(/^name=cart-2 /);
  });

  it('two clustered instances ship each event once, namespaces split between them', async () => {
    const namespaces = ['a', 'b', 'c', 'd', 'e', 'f'];
    // Deterministic split: namespaces a, c, e on node-1; the rest on node-2.
    const table = new Map(namespaces.map((ns, i) => [targetKey({ namespace: ns }), i % 2 === 0 ? 'node-1' : 'node-2']));
    const owner = (k: string) => table.get(k) ?? 'node-1';
    const one = await source({ namespaces, clustering: { enabled: true } }, { cluster: ownership('node-1', owner), dataDir: mkdtempSync(join(tmpdir(), 'ev-n1-')) });
    const two = await source({ namespaces, clustering: { enabled: true } }, { cluster: ownership('node-2', owner), dataDir: mkdtempSync(join(tmpdir(), 'ev-n2-')) });
    await new Promise((r) => setTimeout(r, 300));
    for (const ns of namespaces) for (let i = 0; i < 3; i++) api.apply(event(ns, `pod-${i}`, 'Created', `created ${ns}/${i}`));
    await loki.waitFor(() => loki.totalEntries() >= 18, 15_000, 'all events');
    await new Promise((r) => setTimeout(r, 500));
    expect(loki.totalEntries()).toBe(18);
    expect(loki.duplicates()).toBe(0);
    const watched = (c: Component) => ((c.debugInfo!() as { event_controller: { namespace: string; delivered: number }[] }).event_controller);
    expect(watched(one.c).map((w) => w.namespace).sort()).toEqual(['a', 'c', 'e']);
    expect(watched(two.c).map((w) => w.namespace).sort()).toEqual(['b', 'd', 'f']);
    expect(watched(one.c).every((w) => w.delivered === 3)).toBe(true);
  });

  it('clustered over all namespaces: one watcher in the cluster', async () => {
    const owner = () => 'node-2';
    const one = await source({ clustering: { enabled: true } }, { cluster: ownership('node-1', owner) });
    const two = await source({ clustering: { enabled: true } }, { cluster: ownership('node-2', owner) });
    await new Promise((r) => setTimeout(r, 300));
    api.apply(event('x', 'p', 'Created', 'hello'));
    await loki.waitFor(() => loki.totalEntries() >= 1, 15_000, 'the event');
    await new Promise((r) => setTimeout(r, 300));
    expect(loki.totalEntries()).toBe(1);
    expect((one.c.debugInfo!() as { event_controller: unknown[] }).event_controller).toHaveLength(0);
    expect((two.c.debugInfo!() as { event_controller: unknown[] }).event_controller).toHaveLength(1);
  });

  it('refuses an empty job_name and an unknown log_format', () => {
    const v = lokiSourceKubernetesEvents.args.validate!;
    expect(() => v({ forward_to: [], job_name: '' })).toThrow('job_name must not be an empty string');
    expect(() => v({ forward_to: [], log_format: 'yaml' })).toThrow('supported values of log_format are logfmt and json');
  });
});
