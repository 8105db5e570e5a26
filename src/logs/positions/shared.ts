// Positions shared through the Kubernetes API so that a stream's position
// follows it to whichever replica owns it next.
//
// Each replica writes only its own ConfigMap (`alloy-logpos-<component>-<replica hash>`,
// labelled with the component), so writers never contend; optimistic
// concurrency on resourceVersion guards against anyone else touching it.
// A new owner lists the component's ConfigMaps and takes, per stream, the
// newest position (positions only move forward, so the newest is right).
//
// Besides positions, each record lists the streams its replica is tailing
// right now ("held"), so a new owner can wait until the previous one let go
// (graceful hand-off without overlap) instead of guessing a delay.
import { createHash } from 'node:crypto';
import type { Logger } from 'pino';
import type { KubeApi } from '../kube/api.js';
import { fromJSON, mergePositions, toJSON, type Position } from './position.js';
import { describeExternalText } from '../../redact.js';

/** What the other replicas' records say. */
export interface SharedView {
  /** Per stream, the newest position of all records. */
  positions: Map<string, Position>;
  /** Per stream, the other replicas that say they are tailing it. */
  holders: Map<string, string[]>;
  /** This replica's own record (written by an earlier run of it) still claims streams. */
  ownStaleHolds: boolean;
}

export interface SharedPositionsBackend {
  readAll(): Promise<SharedView>;
  write(positions: ReadonlyMap<string, Position>, held: ReadonlySet<string>): Promise<void>;
}

const LABEL = 'alloy-ts.grafana.com/log-positions';
const REPLICA_ANNOTATION = 'alloy-ts.grafana.com/replica';
const DATA_KEY = 'positions.json';
const HELD_KEY = 'held.json';

function shortHash(s: string): string {
  return createHash('sha256').update(s).digest('hex').slice(0, 10);
}

/** DNS-1123 safe name part. */
function dnsPart(s: string, max: number): string {
  return s.toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, max) || 'x';
}

export class ConfigMapPositions implements SharedPositionsBackend {
  readonly name: string;
  readonly #labelValue: string;
  #resourceVersion: string | undefined;
  #exists: boolean | undefined;
  /** API writes done (for docs and the debug page). */
  writes = 0;

  constructor(
    private readonly api: KubeApi,
    readonly namespace: string,
    componentId: string,
    readonly replica: string,
    private readonly logger: Logger,
  ) {
    this.#labelValue = `${dnsPart(componentId, 50)}-${shortHash(componentId).slice(0, 8)}`;
    this.name = `alloy-logpos-${this.#labelValue}-${shortHash(replica)}`;
  }

  get #base(): string {
    return `/api/v1/namespaces/${encodeURIComponent(this.namespace)}/configmaps`;
  }

  async readAll(): Promise<SharedView> {
    const res = await this.api.json('GET', `${this.#base}?labelSelector=${encodeURIComponent(`${LABEL}=${this.#labelValue}`)}`);
    if (res.status !== 200) throw new Error(`list configmaps ${this.namespace}/${LABEL}=${this.#labelValue}: HTTP ${res.status}: ${statusMessage(res.body)}`);
    const view: SharedView = { positions: new Map(), holders: new Map(), ownStaleHolds: false };
    type CM = { metadata?: { name?: string; resourceVersion?: string; annotations?: Record<string, string> }; data?: Record<string, string> };
    for (const cm of (res.body?.items ?? []) as CM[]) {
      const own = cm.metadata?.name === this.name;
      if (own) {
        this.#resourceVersion = cm.metadata!.resourceVersion;
        this.#exists = true;
      }
      let parsed: Record<string, unknown>;
      let held: unknown;
      try {
        parsed = JSON.parse(cm.data?.[DATA_KEY] ?? '{}') as Record<string, unknown>;
        held = JSON.parse(cm.data?.[HELD_KEY] ?? '[]');
      } catch {
        this.logger.warn({ configmap: cm.metadata?.name }, 'ignoring unreadable positions ConfigMap');
        continue;
      }
      for (const [k, v] of Object.entries(parsed)) {
        const p = fromJSON(v);
        if (p) view.positions.set(k, mergePositions(view.positions.get(k), p)!);
      }
      if (!Array.isArray(held) || held.length === 0) continue;
      if (own) {
        view.ownStaleHolds = true;
        continue;
      }
      // Records of an older version carry no replica name: use the ConfigMap's name.
      const replica = cm.metadata?.annotations?.[REPLICA_ANNOTATION] ?? cm.metadata?.name ?? '?';
      for (const k of held) {
        if (typeof k !== 'string') continue;
        const list = view.holders.get(k);
        if (list) list.push(replica);
        else view.holders.set(k, [replica]);
      }
    }
    return view;
  }

  async write(positions: ReadonlyMap<string, Position>, held: ReadonlySet<string>): Promise<void> {
    const data: Record<string, unknown> = {};
    for (const [k, p] of positions) data[k] = toJSON(p);
    const body = (rv?: string) => ({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: {
        name: this.name,
        namespace: this.namespace,
        labels: { [LABEL]: this.#labelValue },
        annotations: { [REPLICA_ANNOTATION]: this.replica },
        ...(rv ? { resourceVersion: rv } : {}),
      },
      data: { [DATA_KEY]: JSON.stringify(data), [HELD_KEY]: JSON.stringify([...held].sort()) },
    });
    // At most 3 rounds: create-or-update, then refetch the resourceVersion on conflict.
    for (let attempt = 0; attempt < 3; attempt++) {
      if (this.#exists === undefined) await this.#fetchVersion();
      const res = this.#exists
        ? await this.api.json('PUT', `${this.#base}/${this.name}`, body(this.#resourceVersion))
        : await this.api.json('POST', this.#base, body());
      this.writes++;
      if (res.status === 200 || res.status === 201) {
        this.#exists = true;
        this.#resourceVersion = res.body?.metadata?.resourceVersion;
        return;
      }
      if (res.status === 409 || res.status === 404) {
        // Someone else changed (or deleted) it, or it already existed: learn its current state.
        this.#exists = undefined;
        continue;
      }
      throw new Error(`write configmap ${this.namespace}/${this.name}: HTTP ${res.status}: ${statusMessage(res.body)}`);
    }
    throw new Error(`write configmap ${this.namespace}/${this.name}: still conflicting after 3 attempts`);
  }

  async #fetchVersion(): Promise<void> {
    const res = await this.api.json('GET', `${this.#base}/${this.name}`);
    if (res.status === 404) {
      this.#exists = false;
      this.#resourceVersion = undefined;
    } else if (res.status === 200) {
      this.#exists = true;
      this.#resourceVersion = res.body?.metadata?.resourceVersion;
    } else throw new Error(`get configmap ${this.namespace}/${this.name}: HTTP ${res.status}: ${statusMessage(res.body)}`);
  }
}

function statusMessage(body: unknown): string {
  if (body && typeof body === 'object' && 'message' in body) return describeExternalText(String((body as { message: unknown }).message), { max: 200 });
  return describeExternalText(String(body ?? ''), { max: 200 });
}
