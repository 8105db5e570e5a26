// Per-holder retention of a shared informer's cache. By default a holder
// needs every object whole. A holder may instead give a RetentionPolicy (the
// sharded discovery.kubernetes: "only the objects whose targets I own"); an
// object that no holder keeps whole is then held as an IndexEntry: its
// namespace, name, uid and resourceVersion, enough to know it exists, to emit
// its delete, to tell a changed object on a re-list, and to decide ownership
// again. When a policy changes its mind (the cluster ring moved), the entries
// it now wants are filled with the fewest API requests (planFill); the one
// watch per resource is never duplicated.

export interface IndexMetadata {
  namespace?: string;
  name?: string;
  uid?: string;
  resourceVersion?: string;
}

/** What the cache keeps of an object no holder keeps whole. */
export class IndexEntry {
  readonly metadata: IndexMetadata;
  constructor(m: IndexMetadata | undefined) {
    // Only these four: the rest of metadata (labels, annotations, managedFields) is the bulk.
    this.metadata = { namespace: m?.namespace, name: m?.name, uid: m?.uid, resourceVersion: m?.resourceVersion };
  }
}

export function isIndexEntry(o: unknown): o is IndexEntry {
  return o instanceof IndexEntry;
}

export interface RetentionPolicy {
  /**
   * Whether this holder needs `o` whole. Called with whole objects (from a list or watch event)
   * and with index entries (when the policy changed), so it may read only `metadata`'s
   * namespace, name and uid.
   */
  retain(o: { metadata?: IndexMetadata }): boolean;
}

/**
 * Whether a fetched resourceVersion `got` may replace the index entry at `have`: the same
 * version, or a later one (the watch will deliver that change too). Kubernetes calls
 * resourceVersions opaque, but every API server (and the sandbox) hands out etcd revisions,
 * decimal integers; anything else is only accepted when equal.
 */
export function notOlder(got: string | undefined, have: string | undefined): boolean {
  if (got === have) return true;
  if (got === undefined || have === undefined || !/^\d+$/.test(got) || !/^\d+$/.test(have)) return false;
  return got.length !== have.length ? got.length > have.length : got > have;
}

export interface FillPlan {
  /** Scopes to list whole (paged): a namespace, or '' for the informer's own scope. */
  lists: string[];
  /** Object keys to GET one by one. */
  gets: string[];
  /** API requests the plan costs (list pages + GETs). */
  requests: number;
}

/**
 * The fewest API requests that fetch the `wanted` keys of a cache whose keys are
 * `all`, among the plans that move at most twice the objects wanted: per
 * namespace one GET per wanted object, or a (paged) list of the namespace when
 * at least half of it is wanted and its pages are fewer than the GETs; one list
 * of the informer's whole scope when at least half of everything is wanted and
 * it costs fewer requests still. Why the byte bound: a GET is a single-key read
 * for the API server and etcd, a list reads and serializes every object of its
 * scope, so 167 GETs for 167 of 5,000 pods are cheaper for the server than 10
 * pages of all 5,000. Ties go to GETs. Cluster-scoped keys (no "/") have only the
 * whole-scope list; `perNamespace` false (the informer watches one namespace
 * already): no per-namespace list.
 */
export function planFill(wanted: string[], all: Iterable<string>, pageSize: number, perNamespace: boolean): FillPlan {
  const nsOf = (k: string) => {
    const i = k.indexOf('/');
    return i < 0 ? '' : k.slice(0, i);
  };
  const size = new Map<string, number>();
  let total = 0;
  for (const k of all) {
    total++;
    const ns = nsOf(k);
    size.set(ns, (size.get(ns) ?? 0) + 1);
  }
  const byNs = new Map<string, string[]>();
  for (const k of wanted) {
    const ns = nsOf(k);
    let l = byNs.get(ns);
    if (!l) byNs.set(ns, (l = []));
    l.push(k);
  }
  const pages = (n: number) => Math.max(1, Math.ceil(n / pageSize));
  const plan: FillPlan = { lists: [], gets: [], requests: 0 };
  for (const [ns, keys] of byNs) {
    const nsSize = size.get(ns) ?? keys.length;
    const listCost = perNamespace && ns !== '' && keys.length * 2 >= nsSize ? pages(nsSize) : Infinity;
    if (listCost < keys.length) {
      plan.lists.push(ns);
      plan.requests += listCost;
    } else {
      plan.gets.push(...keys);
      plan.requests += keys.length;
    }
  }
  const whole = pages(total);
  if (wanted.length > 0 && wanted.length * 2 >= total && whole < plan.requests) return { lists: [''], gets: [], requests: whole };
  return plan;
}
