import { StandaloneOwnership, type ClusterOwnership } from '../../clustering/ownership.js';
import { ringFor } from '../../clustering/ring.js';
import { checkStability } from '../../runtime/stability.js';
import { parse } from '../../syntax/parser.js';
import '../../components/discovery/kubernetes.js';
import { ShardFilter, objectShardKey, targetShardKey } from './shard.js';
import type { TargetGroup } from './types.js';

/** Ownership on the real ring of three members, as replica `self`. */
function member(self: string): ClusterOwnership {
  const ring = ringFor(['a', 'b', 'c']);
  return {
    enabled: true,
    self,
    ownerOf: (k) => ring.ownerOf(k),
    owns: (k) => ring.ownerOf(k) === self,
    onChange: () => () => {},
    peers: () => [],
  };
}

describe('sharding keys', () => {
  test('a pod has one key whether found by the pod role or joined into an endpoints target', () => {
    const key = objectShardKey('pods', { metadata: { namespace: 'shop', name: 'web-1' } });
    expect(key).toBe('pods/shop/web-1');
    expect(targetShardKey({ __meta_kubernetes_namespace: 'shop' }, { __address__: '10.0.0.1:80', __meta_kubernetes_pod_name: 'web-1' })).toBe(key);
  });
  test('cluster-scoped objects and unjoined targets', () => {
    expect(objectShardKey('nodes', { metadata: { name: 'n1' } })).toBe('nodes/n1');
    expect(targetShardKey({}, { __address__: '10.0.0.9:80' })).toBe('address/10.0.0.9:80');
  });
});

describe('ShardFilter', () => {
  const group = (n: number): TargetGroup => ({
    source: 'endpoints/shop/web',
    labels: { __meta_kubernetes_namespace: 'shop' },
    targets: Array.from({ length: n }, (_, i) => ({ __address__: `10.0.0.${i}:80`, __meta_kubernetes_pod_name: `web-${i}` })),
  });

  test('per-target roles: the three members split one object, every target exactly once', () => {
    const kept = ['a', 'b', 'c'].map((m) => new ShardFilter(member(m), 'endpoints', true).keep(group(60)).targets);
    const all = kept.flat().map((t) => t.__address__);
    expect(all.sort()).toEqual(group(60).targets.map((t) => t.__address__).sort());
    for (const k of kept) expect(k.length).toBeGreaterThan(0);
  });

  test('object roles: exactly one member builds each object, and counts what it left', () => {
    const objects = Array.from({ length: 30 }, (_, i) => ({ metadata: { namespace: 'shop', name: `p${i}` } }));
    const filters = ['a', 'b', 'c'].map((m) => new ShardFilter(member(m), 'pods', false));
    for (const o of objects) expect(filters.filter((f) => f.buildObject(o))).toHaveLength(1);
    expect(filters.reduce((a, f) => a + f.stats.ownedObjects, 0)).toBe(30);
    for (const f of filters) expect(f.stats.ownedObjects + f.stats.otherObjects).toBe(30);
  });

  test('standalone owns everything', () => {
    const f = new ShardFilter(new StandaloneOwnership('x'), 'endpoints', true);
    expect(f.keep(group(5)).targets).toHaveLength(5);
  });
});

describe('sharding block stability', () => {
  const src = 'discovery.kubernetes "p" {\n  role = "pod"\n  sharding { enabled = true }\n}\n';
  test('an alloy-ts extension: refused below experimental, accepted at experimental', () => {
    expect(() => checkStability(parse(src, 'x.alloy').body, 'generally-available')).toThrow(/sharding/);
    expect(() => checkStability(parse(src, 'x.alloy').body, 'experimental')).not.toThrow();
  });
});
