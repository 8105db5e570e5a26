// A stateful stand-in for the Mimir and Loki ruler configuration APIs, for
// tests: per tenant, namespaces of rule groups; list (YAML map, 404 when the
// tenant has none, as Mimir answers), get a namespace, set a group (POST a
// YAML group, 202), delete a group or a namespace (202). Every call is
// logged with its tenant; the receiver can go down (port closed) and come
// back on the same port, and can require a tenant header or a bearer token.
import http from 'node:http';
import { LoopbackServer } from './loopback-server.js';
import YAML from 'yaml';

export interface RulerCall {
  method: string;
  /** list | get-namespace | set-group | delete-group | delete-namespace */
  action: string;
  tenant: string;
  namespace?: string;
  group?: string;
  /** The parsed group for set-group. */
  body?: any;
  status: number;
  authorization?: string;
}

export interface RulerReceiverOptions {
  /** Path prefixes served: Mimir `/prometheus/config/v1/rules`, Loki `/loki/api/v1/rules` (default both). */
  prefixes?: string[];
  /** Answer 401 without X-Scope-OrgID (a multi-tenant ruler). */
  requireTenant?: boolean;
  /** Required `Authorization: Bearer <token>`. */
  token?: string;
  /** A reason to refuse a rule's query with 400, as a ruler that cannot parse it does. */
  refuseExpr?: (expr: string) => string | undefined;
  /** How the ruler stores a query (Mimir keeps Prometheus's printed, one-line form). */
  storeExpr?: (expr: string) => string;
}

const NO_TENANT = 'anonymous';

export class RulerReceiver extends LoopbackServer {
  /** tenant -> namespace -> group name -> group. */
  readonly state = new Map<string, Map<string, Map<string, any>>>();
  readonly calls: RulerCall[] = [];
  private readonly prefixes: string[];
  private waiters: (() => void)[] = [];

  constructor(private readonly o: RulerReceiverOptions = {}) {
    super();
    this.prefixes = o.prefixes ?? ['/prometheus/config/v1/rules', '/loki/api/v1/rules'];
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Namespaces and their group names of a tenant, sorted (for assertions). */
  snapshot(tenant = NO_TENANT): Record<string, string[]> {
    const t = this.state.get(tenant) ?? new Map();
    return Object.fromEntries([...t].sort(([a], [b]) => a.localeCompare(b)).map(([ns, groups]) => [ns, [...groups.keys()].sort()]));
  }

  group(tenant: string, namespace: string, name: string): any {
    return this.state.get(tenant)?.get(namespace)?.get(name);
  }

  /** Seed a group directly (e.g. one we must not touch). */
  put(tenant: string, namespace: string, group: any): void {
    this.ns(tenant, namespace).set(group.name, group);
  }

  /** Writes (set/delete) seen so far, optionally for one tenant. */
  writes(tenant?: string): RulerCall[] {
    return this.calls.filter((c) => (c.action === 'set-group' || c.action.startsWith('delete')) && (tenant === undefined || c.tenant === tenant));
  }

  waitFor(pred: () => boolean, timeoutMs = 10_000, what = 'condition'): Promise<void> {
    if (pred()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const check = () => {
        if (!pred()) return;
        clearTimeout(timer);
        this.waiters = this.waiters.filter((w) => w !== check);
        resolve();
      };
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== check);
        reject(new Error(`ruler receiver: ${what} not reached within ${timeoutMs} ms; state ${JSON.stringify(Object.fromEntries([...this.state.keys()].map((t) => [t, this.snapshot(t)])))}`));
      }, timeoutMs);
      this.waiters.push(check);
    });
  }

  private ns(tenant: string, namespace: string): Map<string, any> {
    let t = this.state.get(tenant);
    if (!t) this.state.set(tenant, (t = new Map()));
    let n = t.get(namespace);
    if (!n) t.set(namespace, (n = new Map()));
    return n;
  }

  protected async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = Buffer.concat(chunks).toString('utf8');
    const url = new URL(req.url ?? '/', 'http://x');
    const tenantHeader = req.headers['x-scope-orgid'];
    const tenant = typeof tenantHeader === 'string' && tenantHeader ? tenantHeader : NO_TENANT;
    const call: RulerCall = { method: req.method ?? '', action: 'unknown', tenant, status: 0, authorization: req.headers.authorization };
    const answer = (status: number, text = '', type = 'text/plain') => {
      call.status = status;
      this.calls.push(call);
      res.writeHead(status, { 'Content-Type': type }).end(text);
      for (const w of [...this.waiters]) w();
    };
    if (this.o.token && req.headers.authorization !== `Bearer ${this.o.token}`) return answer(401, 'unauthorized');
    if (this.o.requireTenant && tenant === NO_TENANT) return answer(401, 'no org id');
    const prefix = this.prefixes.find((p) => url.pathname === p || url.pathname.startsWith(p + '/'));
    if (!prefix) return answer(404, '404 page not found');
    // Path segments are URL-encoded namespaces and group names (which may contain '/').
    const rest = url.pathname.slice(prefix.length).split('/').filter(Boolean).map(decodeURIComponent);
    const [namespace, group] = rest;
    call.namespace = namespace;
    call.group = group;
    const tenantState = this.state.get(tenant);
    const dump = (nss: [string, Map<string, any>][]) => YAML.stringify(Object.fromEntries(nss.map(([ns, g]) => [ns, [...g.values()]])));
    if (req.method === 'GET' && rest.length === 0) {
      call.action = 'list';
      const nss = [...(tenantState ?? new Map())].filter(([, g]) => g.size > 0);
      if (nss.length === 0) return answer(404, 'no rule groups found');
      return answer(200, dump(nss), 'application/yaml');
    }
    if (req.method === 'GET' && rest.length === 1) {
      call.action = 'get-namespace';
      const g = tenantState?.get(namespace);
      if (!g || g.size === 0) return answer(404, 'no rule groups found');
      return answer(200, dump([[namespace, g]]), 'application/yaml');
    }
    if (req.method === 'POST' && rest.length === 1) {
      call.action = 'set-group';
      let parsed: any;
      try {
        parsed = YAML.parse(body);
      } catch (e) {
        return answer(400, `invalid YAML: ${(e as Error).message}`);
      }
      call.body = parsed;
      call.group = typeof parsed?.name === 'string' ? parsed.name : undefined;
      if (!parsed || typeof parsed.name !== 'string' || parsed.name === '') return answer(400, 'invalid rule group: name is required');
      if (!Array.isArray(parsed.rules) || parsed.rules.some((r: any) => !r || typeof r.expr !== 'string' || !!r.record === !!r.alert)) {
        return answer(400, 'invalid rule group: every rule needs expr and exactly one of record/alert');
      }
      for (const r of parsed.rules) {
        const why = this.o.refuseExpr?.(r.expr);
        if (why) return answer(400, `group "${parsed.name}", rule "${r.record ?? r.alert}": ${why}`);
      }
      if (this.o.storeExpr) for (const r of parsed.rules) r.expr = this.o.storeExpr(r.expr);
      this.ns(tenant, namespace).set(parsed.name, parsed);
      return answer(202, '{"status":"success","data":null,"errorType":"","error":""}', 'application/json');
    }
    if (req.method === 'DELETE' && rest.length === 2) {
      call.action = 'delete-group';
      const g = tenantState?.get(namespace);
      if (!g?.has(group)) return answer(404, 'group does not exist');
      g.delete(group);
      if (g.size === 0) tenantState!.delete(namespace);
      return answer(202, '{"status":"success","data":null,"errorType":"","error":""}', 'application/json');
    }
    if (req.method === 'DELETE' && rest.length === 1) {
      call.action = 'delete-namespace';
      tenantState?.delete(namespace);
      return answer(202, '{"status":"success","data":null,"errorType":"","error":""}', 'application/json');
    }
    return answer(405, 'method not allowed');
  }
}
