// Shared e2e helpers: run discovery.kubernetes against the emulator and compute
// the expected targets from the emulator's state with the pure role functions.
import { Registry } from 'prom-client';
import type { KubeEmulator } from '../../src/sandbox/kube/index.js';
import { discoveryKubernetes, type DiscoveryArgs } from '../../src/components/discovery/kubernetes.js';
import { endpointSliceTargets } from '../../src/discovery/kubernetes/endpointslice.js';
import { endpointsTargets } from '../../src/discovery/kubernetes/endpoints.js';
import { ingressTargets } from '../../src/discovery/kubernetes/ingress.js';
import { flattenGroups } from '../../src/discovery/kubernetes/labels.js';
import { nodeTargets } from '../../src/discovery/kubernetes/node.js';
import { podTargets } from '../../src/discovery/kubernetes/pod.js';
import { scopeToNamespace } from '../../src/discovery/kubernetes/scope.js';
import { serviceTargets } from '../../src/discovery/kubernetes/service.js';
import { contextOf } from '../lib/fixtures/kube-objects.js';
import type { Target, TargetGroup } from '../../src/discovery/kubernetes/types.js';
import type { ClusterOwnership } from '../../src/clustering/ownership.js';
import type { Component, HealthState } from '../../src/runtime/types.js';
import { makeTestContext, type TestContext } from '../lib/component-context.js';

export interface Running {
  ctx: TestContext;
  comp: Component<DiscoveryArgs>;
  targets(): Target[];
  /** Resolves once health reaches `state` (and `match` if given); rejects after timeoutMs. */
  waitHealth(state: HealthState, match?: RegExp, timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

export async function runDiscovery(
  emu: KubeEmulator,
  args: Omit<DiscoveryArgs, 'api_server'>,
  metrics = new Registry(),
  cluster?: ClusterOwnership,
): Promise<Running> {
  const ctx = makeTestContext({ id: `discovery.kubernetes.${args.role}`, metrics, cluster });
  const waiters = new Set<() => void>();
  const setHealth = ctx.setHealth.bind(ctx);
  ctx.setHealth = (s, m) => {
    setHealth(s, m);
    for (const w of [...waiters]) w();
  };
  const full = { api_server: emu.url, ...args } as DiscoveryArgs;
  await discoveryKubernetes.load?.(); // what the controller does before the first build
  const comp = discoveryKubernetes.build(ctx, full);
  await comp.update(full);
  return {
    ctx,
    comp,
    targets: () => (ctx.exports.targets ?? []) as Target[],
    waitHealth(state, match, timeoutMs = 15000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          if (ctx.health.state !== state || (match && !match.test(ctx.health.message))) return;
          clearTimeout(timer);
          waiters.delete(check);
          resolve();
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`health did not become ${state} ${match ?? ''} in ${timeoutMs} ms (now ${ctx.health.state}: ${ctx.health.message})`));
        }, timeoutMs);
        waiters.add(check);
        check();
      });
    },
    async stop() {
      await comp.stop?.();
      ctx.abort();
    },
  };
}

/** The targets Prometheus would produce for the emulator's current state (pure role functions). */
export function expectedTargets(emu: KubeEmulator, args: Pick<DiscoveryArgs, 'role' | 'attach_metadata'>, namespaces?: string[]): Target[] {
  const inNs = (o: any) => !namespaces || namespaces.includes(o.metadata?.namespace);
  const pods = emu.list('v1', 'Pod');
  const services = emu.list('v1', 'Service');
  const am = args.attach_metadata ?? {};
  const all = contextOf({
    pods: args.role === 'pod' ? undefined : pods.filter(inNs),
    services: args.role === 'service' ? undefined : services.filter(inNs),
    nodes: am.node && args.role !== 'node' ? emu.list('v1', 'Node') : undefined,
    namespaces: am.namespace ? emu.list('v1', 'Namespace') : undefined,
  });
  // Explicit namespaces: one Prometheus discoverer (and pod/service store) per namespace.
  const ctxOf = (o: any) => (namespaces ? scopeToNamespace(all, o.metadata?.namespace ?? '') : all);
  let groups: TargetGroup[];
  switch (args.role) {
    case 'pod':
      groups = pods.filter(inNs).map((p) => podTargets(p, ctxOf(p)));
      break;
    case 'service':
      groups = services.filter(inNs).map((s) => serviceTargets(s, ctxOf(s)));
      break;
    case 'endpoints':
      groups = emu.list('v1', 'Endpoints').filter(inNs).map((e) => endpointsTargets(e, ctxOf(e)));
      break;
    case 'endpointslice':
      groups = emu.list('discovery.k8s.io/v1', 'EndpointSlice').filter(inNs).map((e) => endpointSliceTargets(e, ctxOf(e)));
      break;
    case 'node':
      groups = emu.list('v1', 'Node').map((n) => nodeTargets(n));
      break;
    case 'ingress':
      groups = emu.list('networking.k8s.io/v1', 'Ingress').filter(inNs).map((i) => ingressTargets(i, ctxOf(i)));
      break;
    default:
      throw new Error(`expectedTargets: no expectation for role ${JSON.stringify(args.role)}`);
  }
  groups.sort((x, y) => (x.source < y.source ? -1 : x.source > y.source ? 1 : 0));
  return flattenGroups(groups);
}

/** Order-insensitive canonical form of a target list, for equality checks. */
export function canon(ts: Target[]): string[] {
  return ts.map((t) => JSON.stringify(Object.entries(t).sort(([a], [b]) => (a < b ? -1 : 1)))).sort();
}
