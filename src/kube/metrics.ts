// Informer metrics (prefix alloy_kube_). Informers are shared by every
// component of the process (see informers.ts), so their metrics are too: one
// process-wide registry, served at /metrics beside the components' own.
import { Counter, Gauge, Registry } from 'prom-client';

export interface InformerMetrics {
  openWatches: Gauge<'resource'>;
  listCalls: Counter<'resource' | 'outcome'>;
  watchRestarts: Counter<'resource' | 'reason'>;
  objectsCached: Gauge<'resource'>;
  /** Single-object GETs that fill an index entry a holder wants whole again (retention.ts). */
  getCalls: Counter<'resource' | 'outcome'>;
  /** Objects held only as index entries (retention.ts), per resource; included in objectsCached. */
  objectsIndexed: Gauge<'resource'>;
}

export const informerRegistry = new Registry();

function makeInformerMetrics(registry: Registry): InformerMetrics {
  const registers = [registry];
  return {
    openWatches: new Gauge({ name: 'alloy_kube_open_watches', help: 'Watch requests currently open, per resource.', labelNames: ['resource'], registers }),
    listCalls: new Counter({
      name: 'alloy_kube_list_calls_total',
      help: 'List requests (one per page) sent to the API server, per resource and outcome.',
      labelNames: ['resource', 'outcome'],
      registers,
    }),
    watchRestarts: new Counter({
      name: 'alloy_kube_watch_restarts_total',
      help: 'Watches re-opened after they ended, per resource and reason (closed, gone, error).',
      labelNames: ['resource', 'reason'],
      registers,
    }),
    objectsCached: new Gauge({ name: 'alloy_kube_objects_cached', help: 'Objects held by shared informer caches, per resource.', labelNames: ['resource'], registers }),
    getCalls: new Counter({
      name: 'alloy_kube_get_calls_total',
      help: 'Single-object GET requests sent to fill index entries that a holder wants whole again (sharded discovery takeover), per resource and outcome.',
      labelNames: ['resource', 'outcome'],
      registers,
    }),
    objectsIndexed: new Gauge({
      name: 'alloy_kube_objects_indexed',
      help: 'Objects that shared informer caches hold only as compact index entries (no holder keeps them whole), per resource.',
      labelNames: ['resource'],
      registers,
    }),
  };
}

export const informerMetrics: InformerMetrics = makeInformerMetrics(informerRegistry);
