// Messages between the main thread (scheduling, targets, receivers) and the
// scrape workers (HTTP, decompression, parsing, labels, relabeling, staleness).
import type { RelabelRule } from '../relabel/index.js';
import type { LabelPairs } from '../pipeline/metrics.js';
import type { WireBatch } from './batch.js';
import type { HttpClientConfig } from './http.js';
import type { LOOP_EXTRA_DEFAULTS, LoopOptions } from './loop.js';

/** Per scrape component settings, clonable (relabel rules travel raw and are compiled in the worker). */
export interface PoolWireConfig {
  http: HttpClientConfig;
  honorLabels: boolean;
  honorTimestamps: boolean;
  trackTimestampsStaleness: boolean;
  sampleLimit: number;
  /** The collector's cap on samples per scrape when sample_limit is 0 (ceilings.ts); 0 = none. */
  sampleCeiling: number;
  labelLimit: number;
  labelNameLengthLimit: number;
  labelValueLengthLimit: number;
  metricRelabel: RelabelRule[];
  /** Native histograms, NHCB, metadata, name validation (see LoopOptions). */
  samples: SampleOptions;
  /** scrape_fallback_protocol ('' = none: a response without a usable Content-Type fails). */
  fallbackProtocol: string;
}

export type SampleOptions = Pick<LoopOptions, keyof typeof LOOP_EXTRA_DEFAULTS>;

export type ToWorker =
  | { op: 'pool'; poolId: string; cfg: PoolWireConfig }
  | { op: 'dropPool'; poolId: string }
  | { op: 'add'; tid: number; poolId: string; labels: LabelPairs; url: string; timeoutMs: number }
  /** `forceError`: fail this scrape without contacting the target (e.g. target_limit exceeded). */
  | { op: 'scrape'; tid: number; seq: number; scheduled: number; forceError?: string }
  | { op: 'remove'; tid: number; mode: 'stale' | 'handoff'; ts: number }
  /** Test hook: make the worker die (to exercise replacement). */
  | { op: 'crash' };

export type FromWorker =
  | { op: 'result'; tid: number; seq: number; appendTime: number; durationMs: number; batch: WireBatch }
  | { op: 'removed'; tid: number; batch: WireBatch }
  | { op: 'error'; tid: number; message: string };
