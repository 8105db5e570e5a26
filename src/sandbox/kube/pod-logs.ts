// Container logs per pod: instances (a restart starts a new one and keeps the previous for
// ?previous=true), follow streams, and the pods/log query options with kubelet semantics.
import type { ServerResponse } from 'node:http';
import { badRequest } from './status.js';
import { formatRfc3339NanoFixed, nowNanos, parseRfc3339Nanos, toNanos } from './timefmt.js';

interface LogLine {
  ts: bigint;
  text: string;
}

type Follower = (line: LogLine | null) => void;

interface Instance {
  lines: LogLine[];
  ended: boolean;
  followers: Set<Follower>;
}

export interface LogQuery {
  container?: string;
  follow?: boolean;
  timestamps?: boolean;
  sinceTime?: string;
  sinceSeconds?: number;
  tailLines?: number;
  previous?: boolean;
  limitBytes?: number;
}

function boolParam(v: string | undefined): boolean {
  return v === 'true' || v === '1';
}

function intParam(name: string, v: string | undefined, min: number): number | undefined {
  if (v === undefined || v === '') return undefined;
  if (!/^-?\d+$/.test(v) || Number(v) < min) throw badRequest(`PodLogOptions is invalid: ${name}: Invalid value: "${v}": must be greater than ${min === 0 ? 'or equal to 0' : min - 1}`);
  return Number(v);
}

export function parseLogQuery(q: Record<string, string>): LogQuery {
  const query: LogQuery = {
    container: q.container || undefined,
    follow: boolParam(q.follow),
    timestamps: boolParam(q.timestamps),
    previous: boolParam(q.previous),
    sinceTime: q.sinceTime || undefined,
    sinceSeconds: intParam('sinceSeconds', q.sinceSeconds, 1),
    tailLines: intParam('tailLines', q.tailLines, 0),
    limitBytes: intParam('limitBytes', q.limitBytes, 1),
  };
  if (query.sinceTime && query.sinceSeconds !== undefined) throw badRequest('PodLogOptions is invalid: at most one of `sinceTime` or `sinceSeconds` may be specified');
  return query;
}

/** Picks the container the way the apiserver does; errors are the apiserver's 400s. */
export function resolveContainer(pod: any, container: string | undefined): string {
  const name = pod.metadata.name;
  const regular: string[] = (pod.spec?.containers ?? []).map((c: any) => c.name);
  const init: string[] = (pod.spec?.initContainers ?? []).map((c: any) => c.name);
  const ephemeral: string[] = (pod.spec?.ephemeralContainers ?? []).map((c: any) => c.name);
  if (!container) {
    if (regular.length === 1) return regular[0];
    if (regular.length === 0) throw badRequest(`a container name must be specified for pod ${name}`);
    let msg = `a container name must be specified for pod ${name}, choose one of: [${regular.join(' ')}]`;
    if (init.length) msg += ` or one of the init containers: [${init.join(' ')}]`;
    if (ephemeral.length) msg += ` or one of the ephemeral containers: [${ephemeral.join(' ')}]`;
    throw badRequest(msg);
  }
  if (![...regular, ...init, ...ephemeral].includes(container)) throw badRequest(`container ${container} is not valid for pod ${name}`);
  return container;
}

export class PodLogStore {
  private readonly containers = new Map<string, Instance[]>();

  private key(ns: string, pod: string, container: string): string {
    return `${ns}/${pod}/${container}`;
  }

  private instances(ns: string, pod: string, container: string): Instance[] {
    const k = this.key(ns, pod, container);
    let list = this.containers.get(k);
    if (!list) this.containers.set(k, (list = [{ lines: [], ended: false, followers: new Set() }]));
    return list;
  }

  append(ns: string, pod: string, container: string, lines: string[], at?: Array<Date | string | bigint>): void {
    if (at && at.length !== lines.length) throw new Error(`logs.append: ${lines.length} lines but ${at.length} timestamps`);
    const list = this.instances(ns, pod, container);
    const cur = list[list.length - 1];
    lines.forEach((text, i) => {
      const line = { ts: at ? toNanos(at[i]) : nowNanos(), text: text.replace(/\n$/, '') };
      cur.lines.push(line);
      for (const f of [...cur.followers]) f(line);
    });
  }

  /** Ends the current instance (its follow streams end) and starts a new, empty one. */
  restart(ns: string, pod: string, container: string): void {
    const list = this.instances(ns, pod, container);
    this.end(list[list.length - 1]);
    list.push({ lines: [], ended: false, followers: new Set() });
  }

  /** The pod is gone: end every stream and forget its logs. */
  dropPod(ns: string, pod: string): void {
    const prefix = `${ns}/${pod}/`;
    for (const [k, list] of this.containers) {
      if (!k.startsWith(prefix)) continue;
      list.forEach((i) => this.end(i));
      this.containers.delete(k);
    }
  }

  /** Ends every follow stream (server shutdown). */
  endAll(): void {
    for (const list of this.containers.values()) for (const i of list) for (const f of [...i.followers]) f(null);
  }

  private end(i: Instance): void {
    i.ended = true;
    for (const f of [...i.followers]) f(null);
    i.followers.clear();
  }

  /** Serves GET pods/log for an existing pod. */
  serve(res: ServerResponse, pod: any, q: LogQuery, onOpen: (status: number) => void): void {
    const ns = pod.metadata.namespace;
    const podName = pod.metadata.name;
    const container = resolveContainer(pod, q.container);
    const list = this.instances(ns, podName, container);
    let inst: Instance;
    if (q.previous) {
      if (list.length < 2) throw badRequest(`previous terminated container "${container}" in pod "${podName}" not found`);
      inst = list[list.length - 2];
    } else inst = list[list.length - 1];

    let since: bigint | undefined;
    if (q.sinceTime) {
      let t: bigint;
      try {
        t = parseRfc3339Nanos(q.sinceTime);
      } catch {
        throw badRequest(`sinceTime: invalid RFC3339 time ${JSON.stringify(q.sinceTime)}`);
      }
      // The apiserver passes sinceTime on with whole-second precision.
      since = (t / 1_000_000_000n) * 1_000_000_000n;
    } else if (q.sinceSeconds !== undefined) {
      since = nowNanos() - BigInt(q.sinceSeconds) * 1_000_000_000n;
    }
    let lines = since === undefined ? inst.lines : inst.lines.filter((l) => l.ts >= since!);
    if (q.tailLines !== undefined) lines = q.tailLines === 0 ? [] : lines.slice(-q.tailLines);

    onOpen(200);
    res.writeHead(200, { 'Content-Type': 'text/plain', 'Cache-Control': 'no-cache, private', 'Transfer-Encoding': 'chunked' });
    let budget = q.limitBytes ?? Infinity;
    let done = false;
    let follower: Follower | undefined;
    const finish = () => {
      if (done) return;
      done = true;
      if (follower) inst.followers.delete(follower);
      res.end();
    };
    const write = (l: LogLine): void => {
      if (done) return;
      const text = `${q.timestamps ? `${formatRfc3339NanoFixed(l.ts)} ` : ''}${l.text}\n`;
      const bytes = Buffer.from(text);
      if (bytes.length >= budget) {
        res.write(bytes.subarray(0, budget));
        budget = 0;
        finish();
        return;
      }
      budget -= bytes.length;
      res.write(bytes);
    };
    for (const l of lines) write(l);
    if (done) return;
    if (!q.follow || inst.ended) {
      finish();
      return;
    }
    // A real API server sends the response header at once, even before the first line.
    res.flushHeaders();
    follower = (l) => (l === null ? finish() : write(l));
    inst.followers.add(follower);
    res.on('close', () => {
      done = true;
      if (follower) inst.followers.delete(follower);
    });
  }
}

