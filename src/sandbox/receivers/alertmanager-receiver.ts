// A stateful stand-in for the Mimir Alertmanager configuration API, for
// tests: per tenant one configuration; GET /api/v1/alerts (YAML with
// `template_files` and `alertmanager_config`, 404 when the tenant has none,
// as Mimir answers), POST it (201; 400 for a configuration the Alertmanager
// would refuse: bad YAML, an undefined or duplicate receiver, an undefined
// time interval), DELETE it (200). Every call is logged with its tenant and
// parsed body; the receiver can go down and come back on the same port, and
// can require a tenant header or a bearer token.
import http from 'node:http';
import YAML from 'yaml';
import { LoopbackServer } from './loopback-server.js';

export interface AlertmanagerCall {
  method: string;
  tenant: string;
  status: number;
  /** For POST: the parsed body's alertmanager_config (parsed YAML) and template_files. */
  config?: any;
  templates?: Record<string, string>;
  error?: string;
  authorization?: string;
}

export interface AlertmanagerReceiverOptions {
  /** Answer 401 without X-Scope-OrgID (a multi-tenant Mimir). */
  requireTenant?: boolean;
  /** Required `Authorization: Bearer <token>`. */
  token?: string;
  /** More reasons to refuse a configuration with 400 (e.g. a limit). */
  refuse?: (config: any) => string | undefined;
}

const NO_TENANT = 'anonymous';
export const ALERTMANAGER_PATH = '/api/v1/alerts';

export interface StoredAlertmanagerConfig {
  /** As posted (the text). */
  text: string;
  config: any;
  templates: Record<string, string>;
}

/** The checks the Alertmanager's config loader makes that a test can trip over; a reason or undefined. */
export function alertmanagerConfigProblem(cfg: any): string | undefined {
  if (!cfg || typeof cfg !== 'object') return 'configuration must be a mapping';
  if (!cfg.route || typeof cfg.route !== 'object') return 'no routes provided';
  const receivers = new Set<string>();
  for (const r of Array.isArray(cfg.receivers) ? cfg.receivers : []) {
    if (!r?.name) return 'missing name in receiver';
    if (receivers.has(r.name)) return `notification config name "${r.name}" is not unique`;
    receivers.add(r.name);
    for (const w of Array.isArray(r.webhook_configs) ? r.webhook_configs : []) {
      try {
        new URL(String(w?.url));
      } catch {
        return `unsupported scheme "" for URL in receiver "${r.name}"`;
      }
    }
  }
  const intervals = new Set<string>([...(cfg.mute_time_intervals ?? []), ...(cfg.time_intervals ?? [])].map((m: any) => m?.name));
  const walk = (route: any): string | undefined => {
    if (route.receiver && !receivers.has(route.receiver)) return `undefined receiver "${route.receiver}" used in route`;
    for (const m of [...(route.mute_time_intervals ?? []), ...(route.active_time_intervals ?? [])]) if (!intervals.has(m)) return `undefined time interval "${m}" used in route`;
    for (const c of Array.isArray(route.routes) ? route.routes : []) {
      const why = walk(c);
      if (why) return why;
    }
    return undefined;
  };
  if (!cfg.route.receiver) return 'root route must specify a default receiver';
  return walk(cfg.route);
}

export class AlertmanagerReceiver extends LoopbackServer {
  /** tenant -> stored configuration. */
  readonly state = new Map<string, StoredAlertmanagerConfig>();
  readonly calls: AlertmanagerCall[] = [];
  private waiters: (() => void)[] = [];

  constructor(private readonly o: AlertmanagerReceiverOptions = {}) {
    super();
  }

  get url(): string {
    return `http://${this.host}:${this.port}`;
  }

  /** The tenant's parsed configuration, or undefined. */
  config(tenant = NO_TENANT): any {
    return this.state.get(tenant)?.config;
  }

  /** POSTs seen so far (accepted and refused), optionally for one tenant. */
  posts(tenant?: string): AlertmanagerCall[] {
    return this.calls.filter((c) => c.method === 'POST' && (tenant === undefined || c.tenant === tenant));
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
        reject(new Error(`alertmanager receiver: ${what} not reached within ${timeoutMs} ms; configs ${JSON.stringify(Object.fromEntries([...this.state].map(([t, s]) => [t, s.config])))}`));
      }, timeoutMs);
      this.waiters.push(check);
    });
  }

  protected async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = Buffer.concat(chunks).toString('utf8');
    const url = new URL(req.url ?? '/', 'http://x');
    const tenantHeader = req.headers['x-scope-orgid'];
    const tenant = typeof tenantHeader === 'string' && tenantHeader ? tenantHeader : NO_TENANT;
    const call: AlertmanagerCall = { method: req.method ?? '', tenant, status: 0, authorization: req.headers.authorization };
    const answer = (status: number, text = '', type = 'text/plain') => {
      call.status = status;
      if (status >= 400) call.error = text;
      this.calls.push(call);
      res.writeHead(status, { 'Content-Type': type }).end(text);
      for (const w of [...this.waiters]) w();
    };
    if (this.o.token && req.headers.authorization !== `Bearer ${this.o.token}`) return answer(401, 'unauthorized');
    if (this.o.requireTenant && tenant === NO_TENANT) return answer(401, 'no org id');
    if (url.pathname !== ALERTMANAGER_PATH) return answer(404, '404 page not found');
    if (req.method === 'GET') {
      const s = this.state.get(tenant);
      if (!s) return answer(404, 'alertmanager storage object not found');
      return answer(200, YAML.stringify({ template_files: s.templates, alertmanager_config: s.text }), 'application/yaml');
    }
    if (req.method === 'DELETE') {
      this.state.delete(tenant);
      return answer(200);
    }
    if (req.method !== 'POST') return answer(405, 'method not allowed');
    let doc: any;
    let cfg: any;
    try {
      doc = YAML.parse(body);
      if (typeof doc?.alertmanager_config !== 'string') return answer(400, 'error validating Alertmanager config: alertmanager_config is missing');
      cfg = YAML.parse(doc.alertmanager_config);
    } catch (e) {
      return answer(400, `error marshalling YAML Alertmanager config: ${(e as Error).message}`);
    }
    call.config = cfg;
    call.templates = doc.template_files ?? {};
    const why = alertmanagerConfigProblem(cfg) ?? this.o.refuse?.(cfg);
    if (why) return answer(400, `error validating Alertmanager config: ${why}`);
    this.state.set(tenant, { text: doc.alertmanager_config, config: cfg, templates: doc.template_files ?? {} });
    return answer(201);
  }
}
