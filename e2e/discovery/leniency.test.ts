// Configurations Alloy runs although Prometheus's config loading would refuse them: they run
// here too, with the run-time behaviour of Prometheus's discoverer, a warning logged once and
// the warnings in the component's debug info.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import pino from 'pino';
import { Registry } from 'prom-client';
import '../../src/components/index.js';
import { StandaloneOwnership } from '../../src/clustering/ownership.js';
import { Controller } from '../../src/runtime/controller.js';
import { startKubeEmulator, type KubeEmulator } from '../../src/sandbox/kube/index.js';
import { discoveryKubernetes, type DiscoveryArgs } from '../../src/components/discovery/kubernetes.js';
import type { Target } from '../../src/discovery/kubernetes/types.js';
import { makeTestContext, type TestContext } from '../lib/component-context.js';
import type { Component } from '../../src/runtime/types.js';
import { NS_A, NS_B, loadFixture } from './fixture.js';
import { loadKubeClient } from '../../src/kube/client.js';

interface Built {
  ctx: TestContext;
  comp: Component<DiscoveryArgs>;
  logged: string[];
  debug(): { warnings: string[] };
  targets(): Target[];
}

describe('discovery.kubernetes e2e: Alloy-compatible leniency', () => {
  beforeAll(() => loadKubeClient()); // makeKubeConfig needs the client module, loaded lazily
  let emu: KubeEmulator;
  const built: Built[] = [];

  /** Builds the component with a logger whose warnings the test can read. */
  async function build(args: Omit<DiscoveryArgs, 'api_server'> & { api_server?: string }, id = 'discovery.kubernetes.lenient'): Promise<Built> {
    const logged: string[] = [];
    const sink = new Writable({
      write(chunk, _enc, cb) {
        for (const line of String(chunk).split('\n').filter(Boolean)) {
          const rec = JSON.parse(line);
          if (rec.level === 40) logged.push(rec.msg);
        }
        cb();
      },
    });
    const ctx = makeTestContext({ id });
    (ctx as { logger: pino.Logger }).logger = pino({ level: 'warn' }, sink);
    const full = { api_server: emu.url, ...args } as DiscoveryArgs;
    const comp = discoveryKubernetes.build(ctx, full);
    await comp.update(full);
    const b: Built = {
      ctx,
      comp,
      logged,
      debug: () => comp.debugInfo!() as { warnings: string[] },
      targets: () => (ctx.exports.targets ?? []) as Target[],
    };
    built.push(b);
    return b;
  }

  beforeEach(async () => {
    emu = await startKubeEmulator();
    loadFixture(emu);
  });
  afterEach(async () => {
    for (const b of built.splice(0)) {
      await b.comp.stop?.();
      b.ctx.abort();
    }
    await emu.close();
  });

  test('duplicate selector roles: the last one is used; a selector of an unwatched role is ignored', async () => {
    const args: Omit<DiscoveryArgs, 'api_server'> = {
      role: 'pod',
      selectors: [
        { role: 'pod', label: 'app=db-1' },
        { role: 'pod', label: 'app=web-1' },
        { role: 'service', label: 'tier=front' },
      ],
    };
    const b = await build(args);
    const e = await b.ctx.waitForExports((x) => ((x.targets as Target[]) ?? []).length > 0, 10000);
    const pods = new Set((e.targets as Target[]).map((t) => t.__meta_kubernetes_pod_name));
    expect([...pods].sort()).toEqual(['web-1', 'web-2']);
    expect(b.ctx.health.state).toBe('healthy');
    // What went over the wire: pods with the last selector only; services were never asked for.
    const podReqs = emu.requests.filter((r) => r.resource === 'pods' && (r.verb === 'list' || r.verb === 'watch'));
    expect(podReqs.length).toBeGreaterThan(0);
    expect(new Set(podReqs.map((r) => r.query.labelSelector))).toEqual(new Set(['app=web-1']));
    expect(emu.requests.filter((r) => r.resource === 'services')).toEqual([]);

    const expected = [
      'selectors: role "pod" is given 2 times; only the last one (label "app=web-1", field "") is used, as in Alloy',
      'selectors: the service selector is ignored: the pod role does not watch services',
    ];
    expect(b.debug().warnings).toEqual(expected);
    expect(b.logged).toEqual(expected.map((w) => `discovery.kubernetes.lenient: ${w}`));
    // Logged once: an update with other arguments but the same warnings logs nothing new.
    await b.comp.update({ api_server: emu.url, ...args, namespaces: { names: [NS_A] } } as DiscoveryArgs);
    expect(b.logged).toHaveLength(2);
    expect(b.debug().warnings).toEqual(expected);
    // A clean configuration clears the debug warnings.
    await b.comp.update({ api_server: emu.url, role: 'pod' } as DiscoveryArgs);
    expect(b.debug().warnings).toEqual([]);
  }, 20000);

  test('own_namespace with api_server: ignored, only namespaces.names are watched; without names nothing is', async () => {
    const withNames = await build({ role: 'pod', namespaces: { names: [NS_B], own_namespace: true } }, 'discovery.kubernetes.own_names');
    const e = await withNames.ctx.waitForExports((x) => ((x.targets as Target[]) ?? []).length > 0, 10000);
    expect(new Set((e.targets as Target[]).map((t) => t.__meta_kubernetes_namespace))).toEqual(new Set([NS_B]));
    expect(withNames.debug().warnings).toEqual([
      "namespaces.own_namespace is ignored together with 'api_server': the own namespace is read only with the in-cluster config, as in Alloy",
    ]);

    const noneArgs = { api_server: emu.url, role: 'pod', namespaces: { own_namespace: true } } as DiscoveryArgs;
    const none = await build(noneArgs, 'discovery.kubernetes.own_only');
    // No informer at all: the discoverer's first recompute publishes the empty list and health.
    const published = none.ctx.nextExports(5000);
    await none.comp.update({ ...noneArgs, namespaces: { names: [], own_namespace: true } });
    expect((await published).targets).toEqual([]);
    expect(none.ctx.health.state).toBe('healthy');
    expect(none.debug()).toMatchObject({ informers: 0, targets: 0 });
    expect(none.debug().warnings[0]).toMatch(/nothing is watched, so there are no targets$/);
    expect(none.logged).toHaveLength(1);
    expect(emu.requests.filter((r) => r.resource === 'pods' && r.namespace === undefined)).toEqual([]);
  }, 20000);

  test('an Alloy config with these settings loads unchanged; a malformed selector is a config error', async () => {
    const storage = fs.mkdtempSync(path.join(os.tmpdir(), 'alloy-lenient-'));
    const controller = () => new Controller({ logger: pino({ level: 'silent' }), metrics: new Registry(), storagePath: storage, cluster: new StandaloneOwnership('n1') });
    const ctl = controller();
    const fresh = controller();
    try {
      const config = `
discovery.kubernetes "pods" {
  api_server = "${emu.url}"
  role       = "pod"
  namespaces {
    names         = ["${NS_A}"]
    own_namespace = true
  }
  selectors {
    role  = "pod"
    label = "app=nothing"
  }
  selectors {
    role  = "pod"
    label = "app=web-1"
  }
  selectors {
    role  = "ingress"
    label = "x=y"
  }
}
`;
      await ctl.load(config, 'lenient.alloy');
      const view = () => ctl.view('discovery.kubernetes.pods')!;
      expect((view().debugInfo as { warnings: string[] }).warnings).toHaveLength(3);
      expect(view().health.state).not.toBe('unhealthy');
      const bad = config.replace('label = "x=y"', 'label = "x in (y"');
      // A first load fails with the position; so does a reload, which the dry run refuses before it
      // touches anything: the running component keeps its arguments and its health.
      await expect(fresh.load(bad, 'bad.alloy')).rejects.toThrow(/bad\.alloy:2:1.*label selector "x in \(y" is malformed/s);
      await expect(ctl.load(bad, 'bad.alloy')).rejects.toThrow(/bad\.alloy:2:1.*label selector "x in \(y" is malformed: missing '\)'/s);
      expect(view().health.state).not.toBe('unhealthy');
      expect(JSON.stringify(view().arguments)).toContain('x=y');
    } finally {
      await fresh.stop();
      await ctl.stop();
      fs.rmSync(storage, { recursive: true, force: true });
    }
  }, 20000);

  test('malformed selectors are still rejected with the reason', async () => {
    await expect(build({ role: 'pod', selectors: [{ role: 'pod', label: 'app in (a' }] })).rejects.toThrow(/label selector "app in \(a" is malformed/);
  });
});
