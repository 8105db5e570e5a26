// A fleet management server for the demo and tests: the collector.v1
// CollectorService of alloy-remote-config over the Connect protocol (unary
// POST, protobuf or JSON bodies, Connect's JSON errors). Like Grafana Fleet
// Management it serves pipelines: each has matchers on the collector's
// attributes, and a collector's config is the pipelines whose matchers all
// match its attributes (id included as "collector.id"), in name order.
// It remembers every collector's registration, attributes and the last
// status it reported, and answers not_modified when the hash is current.
import crypto from 'node:crypto';
import type http from 'node:http';
import { decodeMessage, encodeMessage, fromJsonMessage, toJsonMessage, METHODS, SERVICE, type GetConfigRequest, type MethodName, type RegisterCollectorRequest } from '../../fleet/collector-proto.js';
import { LoopbackServer } from '../receivers/loopback-server.js';

export interface FleetPipeline {
  name: string;
  content: string;
  /** Attribute name -> required value; empty: every collector. */
  matchers: Record<string, string>;
}

export interface FleetCollector {
  id: string;
  name: string;
  localAttributes: Record<string, string>;
  registered: boolean;
  /** The last status the collector reported, by name (APPLIED, FAILED, ...), and its message. */
  status?: { status: string; errorMessage: string };
  getConfigCalls: number;
  notModifiedAnswers: number;
}

export interface FleetServerOptions {
  /** Required `Authorization` header value (e.g. "Bearer x" or "Basic ..."). */
  authorization?: string;
  /** Codecs accepted (default both): a JSON-only server answers protobuf with 415. */
  codecs?: ('proto' | 'json')[];
}

const STATUS_NAMES = ['UNSET', 'APPLIED', 'APPLYING', 'FAILED'];
const MAX_BODY = 1 << 20;

export class FleetServer extends LoopbackServer {
  readonly pipelines = new Map<string, FleetPipeline>();
  readonly collectors = new Map<string, FleetCollector>();
  readonly calls: { method: string; id: string; userAgent?: string }[] = [];

  constructor(private readonly o: FleetServerOptions = {}) {
    super();
  }

  get url(): string {
    return `http://${this.host}:${this.port}`;
  }

  setPipeline(name: string, content: string, matchers: Record<string, string> = {}): void {
    this.pipelines.set(name, { name, content, matchers });
  }

  deletePipeline(name: string): void {
    this.pipelines.delete(name);
  }

  /** The config a collector with these attributes is served. */
  configFor(id: string, attrs: Record<string, string>): string {
    const all: Record<string, string> = { ...attrs, 'collector.id': id };
    return [...this.pipelines.values()]
      .filter((p) => Object.entries(p.matchers).every(([k, v]) => all[k] === v))
      .sort((a, b) => a.name.localeCompare(b.name))
      .map((p) => p.content.trim() + '\n')
      .join('\n');
  }

  protected async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const prefix = `/${SERVICE}/`;
    const url = new URL(req.url ?? '/', 'http://x');
    const method = url.pathname.startsWith(prefix) ? (url.pathname.slice(prefix.length) as MethodName) : undefined;
    if (!method || !(method in METHODS)) return void error(res, 404, 'unimplemented', `${url.pathname} is not a method of ${SERVICE}`);
    if (req.method !== 'POST') return void error(res, 405, 'unimplemented', 'Connect unary calls are POST');
    if (this.o.authorization && req.headers.authorization !== this.o.authorization) return void error(res, 401, 'unauthenticated', 'missing or wrong credentials');
    const type = String(req.headers['content-type'] ?? '');
    const json = type.startsWith('application/json');
    const codecs = this.o.codecs ?? ['proto', 'json'];
    if (!codecs.includes(json ? 'json' : 'proto') || (!json && !type.startsWith('application/proto'))) return void error(res, 415, 'unknown', `content type ${JSON.stringify(type)} is not application/proto or application/json`);
    let body: Buffer;
    try {
      body = await readBody(req);
    } catch (e) {
      return void error(res, 400, 'invalid_argument', (e as Error).message);
    }
    const [reqType, resType] = METHODS[method];
    let msg: any;
    try {
      msg = json ? fromJsonMessage(reqType, body) : decodeMessage(reqType, body);
    } catch (e) {
      return void error(res, 400, 'invalid_argument', `cannot decode ${reqType}: ${(e as Error).message}`);
    }
    if (typeof msg.id !== 'string' || msg.id === '') return void error(res, 400, 'invalid_argument', 'id is required');
    this.calls.push({ method, id: msg.id, userAgent: req.headers['user-agent'] });
    const answer = this.answer(method, msg);
    const out = json ? Buffer.from(JSON.stringify(toJsonMessage(resType, answer))) : Buffer.from(encodeMessage(resType, answer));
    res.writeHead(200, { 'content-type': json ? 'application/json' : 'application/proto' }).end(out);
  }

  private collector(id: string): FleetCollector {
    let c = this.collectors.get(id);
    if (!c) this.collectors.set(id, (c = { id, name: '', localAttributes: {}, registered: false, getConfigCalls: 0, notModifiedAnswers: 0 }));
    return c;
  }

  private answer(method: MethodName, msg: any): object {
    const c = this.collector(msg.id);
    switch (method) {
      case 'RegisterCollector': {
        const r = msg as RegisterCollectorRequest;
        c.registered = true;
        c.name = r.name ?? '';
        c.localAttributes = { ...(r.localAttributes ?? {}) };
        return {};
      }
      case 'UnregisterCollector':
        c.registered = false;
        return {};
      case 'GetConfig': {
        const r = msg as GetConfigRequest;
        c.getConfigCalls++;
        c.localAttributes = { ...(r.localAttributes ?? {}) };
        if (r.remoteConfigStatus) {
          const s = r.remoteConfigStatus.status as unknown;
          c.status = { status: typeof s === 'number' ? (STATUS_NAMES[s] ?? String(s)) : String(s).replace(/^RemoteConfigStatuses_/, ''), errorMessage: r.remoteConfigStatus.errorMessage ?? '' };
        }
        const content = this.configFor(r.id, c.localAttributes);
        const hash = crypto.createHash('sha256').update(content).digest('hex');
        if (r.hash === hash) {
          c.notModifiedAnswers++;
          return { notModified: true };
        }
        return { content, hash };
      }
    }
  }
}

function error(res: http.ServerResponse, status: number, code: string, message: string): void {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify({ code, message }));
}

function readBody(req: http.IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) req.destroy(new Error(`request larger than ${MAX_BODY} bytes`));
      else chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}
