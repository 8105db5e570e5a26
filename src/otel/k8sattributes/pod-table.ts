// The pods by every identifier the association rules can produce (the
// Collector's pod map): each pod is filed under its connection IP (unless it
// uses the host network) and under the identifier of each association rule it
// can answer. Rebuilt from the informer's cache on change; a pod that went
// away stays findable for pod_delete_grace_period, so data already in flight
// is still enriched.
import { IGNORE_ANNOTATION, type AssociationSource, type Rules } from './config.js';
import { podInfo, type MetadataLookups, type PodInfo, type PodObject } from './pod-metadata.js';

/** One identifier: the (source, value) pairs of one association rule, as a map key. */
export function identifierKey(parts: readonly { from: string; name?: string; value: string }[]): string {
  return parts.map((p) => `${p.from}\x00${p.from === 'connection' ? '' : (p.name ?? '')}\x00${p.value}`).join('\x01');
}

/** What a pod answers for a resource_attribute source of that name (undefined: it cannot). */
function podValue(p: PodInfo, s: AssociationSource): string | undefined {
  if (s.from === 'connection') return p.hostNetwork ? undefined : p.ip;
  switch (s.name) {
    case 'k8s.pod.ip':
    case 'ip':
      return p.hostNetwork ? undefined : p.ip;
    case 'k8s.pod.uid':
      return p.uid || undefined;
    case 'k8s.pod.name':
      return p.name || undefined;
    case 'k8s.namespace.name':
      return p.namespace || undefined;
    default:
      return undefined;
  }
}

export function podIdentifiers(p: PodInfo, rules: Rules): string[] {
  const out: string[] = [];
  if (!p.hostNetwork && p.ip) out.push(identifierKey([{ from: 'connection', value: p.ip }]));
  for (const rule of rules.associations) {
    const parts = rule.map((s) => ({ ...s, value: podValue(p, s) }));
    if (parts.every((x) => x.value)) out.push(identifierKey(parts as { from: string; name?: string; value: string }[]));
  }
  return out;
}

export class PodTable {
  #byId = new Map<string, PodInfo>();
  /** Identifiers of pods gone since, with the time they stop being answered. */
  readonly #gone = new Map<string, { pod: PodInfo; until: number }>();
  /** Pod infos by uid+resourceVersion: a rebuild recomputes only pods that changed. */
  #cache = new Map<string, PodInfo>();

  constructor(
    private readonly rules: Rules,
    private readonly graceMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  get size(): number {
    return this.#byId.size;
  }

  /** Replace the contents with these pods (the informer's whole cache). */
  rebuild(pods: readonly PodObject[], lookups: MetadataLookups, lookupsChanged = false): void {
    const byId = new Map<string, PodInfo>();
    const cache = new Map<string, PodInfo>();
    for (const pod of pods) {
      const m = pod.metadata ?? {};
      if (m.annotations?.[IGNORE_ANNOTATION] === 'true') continue;
      if (this.rules.excludes.some((re) => re.test(m.name ?? ''))) continue;
      const version = `${m.uid}/${(m as { resourceVersion?: string }).resourceVersion ?? ''}`;
      const info = (!lookupsChanged && this.#cache.get(version)) || podInfo(pod, this.rules, lookups);
      cache.set(version, info);
      for (const id of podIdentifiers(info, this.rules)) byId.set(id, info);
    }
    const t = this.now();
    for (const [id, pod] of this.#byId) if (!byId.has(id) && !this.#gone.has(id)) this.#gone.set(id, { pod, until: t + this.graceMs });
    for (const [id, g] of this.#gone) if (byId.has(id) || g.until <= t) this.#gone.delete(id);
    this.#byId = byId;
    this.#cache = cache;
  }

  get(id: string): PodInfo | undefined {
    const p = this.#byId.get(id);
    if (p) return p;
    const g = this.#gone.get(id);
    if (!g) return undefined;
    if (g.until > this.now()) return g.pod;
    this.#gone.delete(id);
    return undefined;
  }
}
