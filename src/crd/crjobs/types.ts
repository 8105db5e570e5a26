// What a custom-resource kind (Probe, ScrapeConfig) tells the shared
// component body (component.ts): where its objects live and how one object
// becomes scrape jobs with their target sources.
import type { CompiledRule } from '../../relabel/index.js';
import type { SelectorArgs } from '../../discovery/kubernetes/arguments.js';
import type { HttpClientArgs } from '../../net/http-options.js';
import type { ScrapeJob } from '../../scrape/job.js';
import type { JobOptions } from '../operator/job.js';
import type { RefStore } from '../operator/secrets.js';

/** Where the pre-relabel targets of a job come from. */
export type TargetSource =
  | { kind: 'static'; targets: Record<string, string>[] }
  | { kind: 'kubernetes'; role: 'pod' | 'service' | 'endpoints' | 'endpointslice' | 'ingress' | 'node'; namespaces: string[] | undefined; attachNode: boolean; selectors?: SelectorArgs[] }
  | { kind: 'http'; url: string; refreshMs: number; client: HttpClientArgs; where: string }
  | { kind: 'file'; files: string[]; refreshMs: number; where: string };

export interface CrJob {
  name: string;
  /** The component's rules, then the generated ones, then the CR's. */
  rules: readonly CompiledRule[];
  /** Where each rule of `rules` comes from, for the reason of a dropped target (same length). */
  ruleNotes: readonly string[];
  /** Dropped targets kept for debug info (the CR's keepDroppedTargets, else DEFAULT_KEEP_DROPPED). */
  keepDropped: number;
  scrape: ScrapeJob;
  sources: TargetSource[];
  /** The scrape class applied (spec.scrapeClass, else the component's default class), if any. */
  scrapeClass?: string;
  /** What the scrape does differently from what a CR field asks (operator/job.ts http2Notes). */
  notes?: string[];
}

export interface CrKind {
  kind: string;
  group: string;
  version: string;
  /** Plural. */
  resource: string;
  /** Whether each object gets its Accepted condition and target count written (status subresource). */
  writesStatus: boolean;
  /** First part of its job names: "probe", "scrapeConfig". */
  jobPrefix: string;
  /** Decode one object into jobs; throws an Error naming the field when the object is unusable (PendingError while Secrets load). */
  jobs(obj: unknown, o: JobOptions, refs: RefStore): CrJob[];
}
