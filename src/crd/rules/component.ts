// The shared body of mimir.rules.kubernetes and loki.rules.kubernetes:
// PrometheusRule resources (label and namespace selectors) are the desired
// state, the ruler's managed namespaces the actual state; differences become
// create/update/delete calls. Runs on Kubernetes changes (debounced), every
// sync_interval (re-reading the ruler), and on retry with backoff after a
// failure. In a cluster only the owner of the component's key writes.
import type { KubeConfig } from '@kubernetes/client-node';
import { Backoff } from '../../net/backoff.js';
import { KubeOpenRetry } from '../kube-open-retry.js';
import { acquireInformer, type InformerHandle } from '../../kube/informers.js';
import { Secret } from '../../syntax/secret.js';
import type { Component, ComponentContext } from '../../runtime/types.js';
import { crName } from '../operator/monitor.js';
import { fromBlock, matchesSelector, selectorString } from '../selector.js';
import { normalizeRulesArgs, rulerClientConfig, type RulerFlavor, type RulesArgs, validateRulesArgs } from './args.js';
import { diffRules, managedOnly, rulerNamespace, type RulerOp } from './diff.js';
import { groupsOf, normalGroup, type RuleGroup } from './groups.js';
import { RulerClient, RulerError, type RulerState } from './ruler-client.js';
import { rulesKubeConfig } from './kube-config.js';
import { type QueryLanguage, resolveMatchers, setQueryMatchers } from './query-matchers.js';
import { StatusWriter } from '../status/writer.js';
import { ruleVerdicts } from '../status/monitors.js';

export interface RuleCrStatus {
  name: string;
  ruler_namespace: string;
  groups: number;
  state: 'ok' | 'error';
  error?: string;
}

export interface RulesComponentOptions {
  debounceMs?: number;
  /** First retry delay after a failed sync (default 1 s), doubling up to maxBackoffMs (default 30 s). */
  minBackoffMs?: number;
  maxBackoffMs?: number;
}

type KubeObj = { metadata?: { name?: string; namespace?: string; uid?: string; labels?: Record<string, string> } };


function secretsKey(v: unknown): string {
  return JSON.stringify(v, (_k, x) => (x instanceof Secret ? { secret: x.reveal() } : x));
}

export class RulesComponent implements Component<Record<string, unknown>> {
  private args: RulesArgs | undefined;
  private kube: { key: string; kc: KubeConfig; rules: InformerHandle; namespaces?: InformerHandle } | undefined;
  private client: { key: string; c: RulerClient } | undefined;
  private actual: RulerState | undefined;
  private timer: NodeJS.Timeout | undefined;
  private syncTimer: NodeJS.Timeout | undefined;
  private readonly kubeRetry: KubeOpenRetry;
  private running: Promise<void> | undefined;
  private again = false;
  private backoffMs = 0;
  private backoff: Backoff | undefined;
  private stopped = false;
  private stopping: Promise<void> | undefined;
  private unsubscribeCluster: () => void;
  private statuses: RuleCrStatus[] = [];
  private readonly ops: (RulerOp & { time: string; result: string })[] = [];
  private lastSync: string | undefined;
  private lastError: string | undefined;
  private role: 'writer' | 'standby' = 'standby';
  /** Accepted condition on each PrometheusRule (status subresource; the writer of the ruler writes it too). */
  private readonly status: StatusWriter;
  /** The last reason logged per skipped CR, so each reason is logged once, not every sync. */
  private loggedSkips = new Map<string, string>();
  /**
   * Groups the ruler refused (4xx), by ruler namespace and group name, with
   * the content refused: the same content is not sent again until the next
   * sync_interval (a ruler limit may have been raised); changed content is.
   */
  private refused = new Map<string, { normal: string; reason: string }>();
  private retryRefused = false;

  constructor(
    private readonly ctx: ComponentContext,
    readonly flavor: RulerFlavor,
    private readonly opts: RulesComponentOptions = {},
  ) {
    this.unsubscribeCluster = ctx.cluster.onChange(() => this.schedule(0));
    this.status = new StatusWriter({ group: 'monitoring.coreos.com', version: 'v1', resource: 'prometheusrules', kind: 'PrometheusRule', cluster: ctx.cluster, key: ctx.id, logger: ctx.logger, onRetry: () => this.schedule(0) });
    this.kubeRetry = new KubeOpenRetry({
      minBackoffMs: this.opts.minBackoffMs,
      what: 'PrometheusRules',
      setHealth: (h, m) => ctx.setHealth(h, m),
      logger: ctx.logger,
      open: (key) => this.openKube(this.args!, key),
      opened: () => this.schedule(0),
      wanted: () => !this.stopped && this.args !== undefined,
    });
    ctx.signal.addEventListener('abort', () => void this.stop(), { once: true });
  }

  private get language(): QueryLanguage {
    return this.flavor === 'mimir' ? 'promql' : 'logql';
  }

  async update(raw: Record<string, unknown>): Promise<void> {
    if (this.stopped) return;
    const args = normalizeRulesArgs(this.flavor, raw);
    validateRulesArgs(args);
    const prev = this.args;
    this.args = args;
    const kubeKey = secretsKey([args.client ?? {}, args.rule_selector ?? {}, !!args.rule_namespace_selector]);
    if (this.kube?.key !== kubeKey && this.kubeRetry.key !== kubeKey) {
      await this.closeKube();
      this.kubeRetry.attempt(kubeKey);
    }
    const clientKey = secretsKey(rulerClientConfig(this.flavor, args));
    if (this.client?.key !== clientKey) {
      this.client?.c.close();
      this.client = { key: clientKey, c: new RulerClient(rulerClientConfig(this.flavor, args)) };
      this.refused.clear();
      this.actual = undefined; // a different ruler (or tenant): read it first
    }
    if (!prev || prev.sync_interval !== args.sync_interval) {
      if (this.syncTimer) clearInterval(this.syncTimer);
      this.syncTimer = setInterval(() => {
        this.actual = undefined;
        this.retryRefused = true;
        this.schedule(0);
      }, args.sync_interval);
      this.syncTimer.unref();
    }
    this.schedule(0);
  }

  private openKube(a: RulesArgs, key: string): void {
    const kc = rulesKubeConfig(a.client);
    const onChange = () => this.schedule();
    const common = { kubeConfig: kc, logger: this.ctx.logger };
    const rules = acquireInformer({
      ...common,
      group: 'monitoring.coreos.com',
      version: 'v1',
      resource: 'prometheusrules',
      labelSelector: selectorString(fromBlock(a.rule_selector)) || undefined,
    });
    rules.onChange(onChange);
    rules.onHealth(onChange);
    let namespaces: InformerHandle | undefined;
    if (a.rule_namespace_selector) {
      namespaces = acquireInformer({ ...common, group: '', version: 'v1', resource: 'namespaces' });
      namespaces.onChange(onChange);
      namespaces.onHealth(onChange);
    }
    this.kube = { key, kc, rules, namespaces };
    this.status.setKubeConfig(kc);
  }

  private async closeKube(): Promise<void> {
    const k = this.kube;
    this.kube = undefined;
    await k?.rules.release();
    await k?.namespaces?.release();
  }

  private schedule(delay = this.opts.debounceMs ?? 100): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    if (this.timer) {
      if (delay > 0) return;
      clearTimeout(this.timer);
    }
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.running = this.reconcile().finally(() => {
        this.running = undefined;
        if (this.again) {
          this.again = false;
          this.schedule();
        }
      });
    }, delay);
  }

  /** Desired groups per ruler namespace, the namespaces held back by bad CRs, and per-CR status. */
  private desired(a: RulesArgs): { desired: Map<string, RuleGroup[]>; held: Set<string>; statuses: RuleCrStatus[] } {
    const k = this.kube!;
    const nsSel = a.rule_namespace_selector ? fromBlock(a.rule_namespace_selector) : undefined;
    const desired = new Map<string, RuleGroup[]>();
    const held = new Set<string>();
    const statuses: RuleCrStatus[] = [];
    const objs = (k.rules.objects() as KubeObj[]).slice().sort((x, y) => crName('', x).localeCompare(crName('', y)));
    for (const o of objs) {
      const ns = o.metadata?.namespace ?? '';
      if (nsSel) {
        const nsObj = k.namespaces!.get(ns) as KubeObj | undefined;
        if (!matchesSelector(nsSel, nsObj?.metadata?.labels)) continue;
      }
      const name = crName('PrometheusRule', o);
      const rns = rulerNamespace(a.namespace_prefix, a.namespace_separator, { namespace: ns, name: o.metadata?.name ?? '', uid: o.metadata?.uid ?? '' });
      if (!o.metadata?.uid) {
        statuses.push({ name, ruler_namespace: rns, groups: 0, state: 'error', error: 'metadata.uid is missing' });
        continue;
      }
      try {
        const groups = groupsOf(o, { externalLabels: a.external_labels, sourceTenants: this.flavor === 'mimir', language: this.language });
        const extra = a.extra_query_matchers?.matcher ?? [];
        if (extra.length > 0) {
          const matchers = resolveMatchers(extra, o.metadata?.labels ?? {});
          for (const g of groups) for (const r of g.rules) r.expr = setQueryMatchers(r.expr, this.language, matchers);
        }
        desired.set(rns, groups);
        const refusal = groups.map((g) => this.refusalOf(rns, g)).find((r) => r !== undefined);
        statuses.push({ name, ruler_namespace: rns, groups: groups.length, state: refusal ? 'error' : 'ok', ...(refusal ? { error: refusal } : {}) });
      } catch (e) {
        held.add(rns);
        statuses.push({ name, ruler_namespace: rns, groups: 0, state: 'error', error: (e as Error).message });
      }
    }
    return { desired, held, statuses };
  }

  private async reconcile(): Promise<void> {
    const a = this.args;
    const k = this.kube;
    const client = this.client?.c;
    if (!a || !k || !client || this.stopped) return;
    const key = this.ctx.id;
    if (!this.ctx.cluster.owns(key)) {
      // Another member writes; re-read the ruler if we take over later.
      this.role = 'standby';
      this.actual = undefined;
      this.ctx.setHealth('healthy', `standby: ${this.ctx.cluster.ownerOf(key) ?? 'no cluster member'} syncs the ruler`);
      return;
    }
    this.role = 'writer';
    const handles = [k.rules, ...(k.namespaces ? [k.namespaces] : [])];
    const bad = handles.map((h) => h.health()).filter((h) => h.state === 'unhealthy');
    if (!handles.every((h) => h.synced)) {
      if (bad.length > 0) this.ctx.setHealth('unhealthy', `cannot list PrometheusRules: ${bad.map((b) => b.message).join('; ')}`);
      return;
    }
    const { desired, held, statuses } = this.desired(a);
    this.statuses = statuses;
    for (const key of [...this.refused.keys()]) if (!desired.has(JSON.parse(key)[0])) this.refused.delete(key); // its CR is gone or invalid
    this.status.report(ruleVerdicts(k.rules.objects(), statuses));
    try {
      if (!this.actual) this.actual = managedOnly(await client.list(), a.namespace_prefix);
      const retryRefused = this.retryRefused;
      this.retryRefused = false;
      const ops = diffRules(desired, this.actual, held, this.language).filter((op) => retryRefused || !op.desired || !this.refusalOf(op.namespace, op.desired));
      for (const op of ops) {
        if (this.stopped) return;
        const refusalKey = JSON.stringify([op.namespace, op.group]);
        try {
          if (op.op === 'delete') await client.deleteGroup(op.namespace, op.group);
          else await client.setGroup(op.namespace, op.desired!);
          this.refused.delete(refusalKey);
          this.record(op, 'ok');
          this.ctx.logger.info({ namespace: op.namespace, group: op.group }, `${op.op}d rule group`);
        } catch (e) {
          this.record(op, (e as Error).message);
          // The ruler refusing one group (4xx: a query it cannot parse, a limit)
          // fails that CR only; the other CRs' changes still go out (Alloy #307).
          // Unreachable or overloaded rulers fail the whole sync and retry.
          const owner = e instanceof RulerError && !e.recoverable ? statuses.find((s) => s.ruler_namespace === op.namespace) : undefined;
          if (!owner) throw e;
          owner.state = 'error';
          owner.error = `the ruler refused group ${JSON.stringify(op.group)}: ${(e as Error).message}`;
          if (op.desired) this.refused.set(refusalKey, { normal: normalGroup(op.desired, this.language), reason: owner.error });
        }
      }
      // Read back what the ruler holds now (as Alloy does after changes).
      if (ops.length > 0) this.actual = managedOnly(await client.list(), a.namespace_prefix);
      this.lastSync = new Date().toISOString();
      this.lastError = undefined;
      this.backoffMs = 0;
      this.backoff?.reset();
      const badCrs = statuses.filter((s) => s.state === 'error');
      this.logSkips(badCrs);
      if (badCrs.length > 0) {
        this.ctx.setHealth('unhealthy', `${badCrs.length} PrometheusRule(s) skipped: ${badCrs.map((s) => `${s.name}: ${s.error}`).join('; ')}`);
      } else {
        this.ctx.setHealth('healthy', `${desired.size} rule namespaces in sync`);
      }
    } catch (e) {
      this.actual = undefined; // unknown after a failure: re-read before the next attempt
      const retryable = !(e instanceof RulerError) || e.recoverable;
      this.backoff ??= new Backoff({ minMs: this.opts.minBackoffMs ?? 1000, maxMs: this.opts.maxBackoffMs ?? 30_000 });
      this.backoffMs = this.backoff.next();
      this.lastError = (e as Error).message;
      this.ctx.setHealth('unhealthy', `syncing the ${this.flavor} ruler failed (${retryable ? 'retrying' : 'will retry'} in ${this.backoffMs} ms): ${this.lastError}`);
      this.ctx.logger.warn({ err: this.lastError, retry_ms: this.backoffMs }, 'ruler sync failed');
      if (!this.stopped) {
        this.timer = setTimeout(() => {
          this.timer = undefined;
          this.schedule(0);
        }, this.backoffMs);
      }
    }
  }

  /** Why the ruler refused exactly this content of a group before, if it did. */
  private refusalOf(namespace: string, g: RuleGroup): string | undefined {
    const r = this.refused.get(JSON.stringify([namespace, g.name]));
    return r && r.normal === normalGroup(g, this.language) ? r.reason : undefined;
  }

  /** Warn once per skipped CR and reason; forget CRs that are fine again. */
  private logSkips(bad: RuleCrStatus[]): void {
    const now = new Map(bad.map((s) => [s.name, s.error ?? '']));
    for (const [name, reason] of now) {
      if (this.loggedSkips.get(name) !== reason) this.ctx.logger.warn({ prometheus_rule: name, reason }, `skipping ${name}: ${reason}`);
    }
    this.loggedSkips = now;
  }

  private record(op: RulerOp, result: string): void {
    this.ops.push({ op: op.op, namespace: op.namespace, group: op.group, time: new Date().toISOString(), result });
    if (this.ops.length > 50) this.ops.shift();
  }

  /** For tests: resolves when no reconcile is running or due within the debounce. */
  async settle(): Promise<void> {
    for (let i = 0; i < 100 && this.running; i++) await this.running;
  }

  /**
   * One shutdown, awaited by every caller: the abort signal starts it before
   * the controller calls stop(), and that call must not return before the
   * watch and the ruler client are closed.
   */
  stop(): Promise<void> {
    this.stopping ??= this.doStop();
    return this.stopping;
  }

  private async doStop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    if (this.syncTimer) clearInterval(this.syncTimer);
    this.kubeRetry.cancel();
    this.unsubscribeCluster();
    await this.running;
    await this.status.stop();
    this.client?.c.close();
    await this.closeKube();
  }

  debugInfo(): unknown {
    return {
      role: this.role,
      kubernetes_client_error: this.kubeRetry.error,
      last_sync: this.lastSync,
      last_error: this.lastError,
      retry_in_ms: this.lastError ? this.backoffMs : 0,
      prometheus_rules: this.statuses,
      status_writer: this.status.debugInfo(),
      recent_operations: this.ops.slice(-20),
    };
  }
}
