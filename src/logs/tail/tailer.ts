// Follows one container's log through the API server's pods/log endpoint
// and delivers it downstream, advancing the stream's position only after
// the receivers accepted each batch.
//
// Stream lifecycle: open (sinceTime = position, whole seconds) -> read and
// skip what the position covers -> on end, ask the pod: gone or finished
// means stop; otherwise reopen (container restart, API server closing long
// requests). Streams are also recycled periodically and reopened after a
// long silence (a rotated file on old kubelets leaves a follow stream mute).
// Errors back off with jitter.
import type { Logger } from 'pino';
import { Backoff, sleep } from '../../net/backoff.js';
import { KubeApiError, type KubeApi } from '../kube/api.js';
import { advance, ResumeFilter, sinceTime, type Position } from '../positions/position.js';
import type { PositionStore } from '../positions/store.js';
import { fanout, formatNs, type LogEntry, type LogsReceiver } from '../../pipeline/logs.js';
import { containerDone, getPodView, type PodView } from './pod-status.js';
import type { TailMetrics } from './tail-metrics.js';
import { LineSplitter, splitTimestamp } from './timestamp.js';

export interface TailTarget {
  /** Position and tailer key: "<namespace>/<pod>:<container>". */
  key: string;
  namespace: string;
  pod: string;
  container: string;
  uid?: string;
  /** Labels of every entry of this stream. */
  labels: Record<string, string>;
}

export interface TailOptions {
  recycleMs: number;
  silenceMs: number;
  minBackoffMs: number;
  maxBackoffMs: number;
  /** Batches handed downstream but not yet accepted; beyond this the stream is paused. */
  maxInflight: number;
  /** How long stop() waits for in-flight batches before abandoning them (they are re-read by the next owner). */
  drainMs: number;
  /** A stream without a position starts at the time it is first opened (Alloy's tail_from_end). */
  tailFromEnd?: boolean;
}

export const DEFAULT_TAIL_OPTIONS: TailOptions = {
  recycleMs: 60 * 60_000,
  silenceMs: 5 * 60_000,
  minBackoffMs: 1000,
  maxBackoffMs: 60_000,
  maxInflight: 8,
  drainMs: 10_000,
};

/** What waiting for the stream's previous owner ended with (debug info). */
export interface TurnResult {
  outcome: string;
  waitedMs: number;
}

export interface TailerDeps {
  api: KubeApi;
  positions: PositionStore;
  forward: () => LogsReceiver[];
  logger: Logger;
  metrics: TailMetrics;
  options: TailOptions;
  /** The stream ended for good (pod deleted or finished). */
  onFinished(key: string): void;
  /**
   * Resolves when this replica may open the stream: no other live replica
   * tails it any more (see positions/handoff.ts). `handoff`: gained through
   * an ownership change.
   */
  awaitTurn(key: string, handoff: boolean, signal: AbortSignal): Promise<TurnResult>;
}

export type TailState = 'starting' | 'opening' | 'following' | 'backoff' | 'finished' | 'stopped';

type EndReason = 'end' | 'recycle' | 'silence' | 'stop' | 'downstream_error';

class Session {
  readonly abort = new AbortController();
  reason: EndReason = 'end';
  failed: Error | undefined;
  /** Commit steps not yet done, oldest first. */
  readonly pending: Promise<void>[] = [];
  chain: Promise<void> = Promise.resolve();
  delivered = 0;

  end(reason: EndReason): void {
    if (!this.abort.signal.aborted) {
      this.reason = reason;
      this.abort.abort();
    }
  }
}

export class Tailer {
  readonly #stop = new AbortController();
  #session: Session | undefined;
  #loop: Promise<void> = Promise.resolve();
  #pos: Position | undefined;
  #state: TailState = 'starting';
  #lastError = '';
  #lastReadAt = 0;
  #opens = 0;
  #turn: TurnResult | undefined;
  #delivered = 0;

  constructor(
    readonly target: TailTarget,
    private readonly d: TailerDeps,
  ) {}

  get state(): TailState {
    return this.#state;
  }

  /** handoff: the stream was gained through an ownership change (its previous owner may still be finishing). */
  start(handoff = false): void {
    this.d.metrics.streams.inc();
    this.#loop = this.#run(handoff).catch((err: Error) => {
      // #run handles its errors; reaching here is a bug, keep the process alive.
      this.d.logger.error({ stream: this.target.key, err: err.message }, 'tailer crashed');
      this.#state = 'stopped';
    });
  }

  /** Stop reading, wait (bounded) for in-flight batches, persist the position. */
  async stop(): Promise<void> {
    if (this.#stop.signal.aborted) return this.#loop;
    this.#stop.abort();
    this.#session?.end('stop');
    await this.#loop;
    this.d.metrics.streams.dec();
  }

  info(): Record<string, unknown> {
    const pos = this.#pos;
    return {
      stream: this.target.key,
      state: this.#state,
      position: pos ? formatNs(pos.ts) : undefined,
      lag_seconds: pos ? Math.max(0, (Date.now() - Number(pos.ts / 1_000_000n)) / 1000) : undefined,
      last_read: this.#lastReadAt ? new Date(this.#lastReadAt).toISOString() : undefined,
      opens: this.#opens,
      delivered: this.#delivered,
      inflight_batches: this.#session?.pending.length ?? 0,
      handoff: this.#turn ? `${this.#turn.outcome} after ${this.#turn.waitedMs} ms` : 'waiting',
      last_error: this.#lastError || undefined,
    };
  }

  async #run(handoff: boolean): Promise<void> {
    const stop = this.#stop.signal;
    const { options: o, logger } = this.d;
    this.#turn = await this.d.awaitTurn(this.target.key, handoff, stop);
    if (stop.aborted) return this.#finish('stopped');
    if (this.#turn.outcome !== 'free') logger.info({ stream: this.target.key, handoff: this.#turn.outcome, waited_ms: this.#turn.waitedMs }, 'log stream taken over');
    this.d.positions.claim(this.target.key);
    this.#pos = this.d.positions.get(this.target.key);
    // No saved place and told to skip history: the place is "now" (kept only once a line is delivered).
    if (!this.#pos && o.tailFromEnd) this.#pos = { ts: BigInt(Date.now()) * 1_000_000n, fps: [], updated: Date.now() };
    const backoff = new Backoff({ minMs: o.minBackoffMs, maxMs: o.maxBackoffMs, jitter: 'half' });
    let reason: EndReason | 'start' | 'error' = 'start';
    while (!stop.aborted) {
      try {
        const pod = await getPodView(this.d.api, this.target.namespace, this.target.pod, this.target.container, stop);
        if (this.#gone(pod)) return this.#finish('finished', 'pod deleted');
        const c = pod.container;
        if (!c || !c.started) throw new Error(`container ${this.target.key} has not started yet`);
        // Lines of an instance that ended while nobody followed it: read the previous log first.
        const knownRestarts = this.#pos?.restartCount ?? (this.#pos ? c.restartCount : 0);
        if (c.restartCount > knownRestarts) {
          const prev = await this.#read({ previous: true, restartCount: this.#pos?.restartCount, reason });
          if (stop.aborted) break;
          // The rest of the previous instance must be read before the current one moves the position past it.
          if (prev.failed) throw prev.failed;
          if (prev.reason === 'silence') throw new Error(`reading the previous log of ${this.target.key} stalled`);
        }
        if (this.#pos && this.#pos.restartCount !== c.restartCount) this.#setPos({ ...this.#pos, restartCount: c.restartCount });
        const s = await this.#read({ previous: false, restartCount: c.restartCount, reason });
        if (stop.aborted) break;
        if (s.failed) throw s.failed;
        reason = s.reason;
        if (s.reason === 'end') {
          const after = await getPodView(this.d.api, this.target.namespace, this.target.pod, this.target.container, stop);
          if (this.#gone(after)) return this.#finish('finished', 'pod deleted');
          if (containerDone(after) && after.container?.restartCount === c.restartCount) return this.#finish('finished', `pod ${after.phase ?? 'done'}`);
        }
        if (s.delivered > 0 || s.reason === 'recycle' || s.reason === 'silence') backoff.reset();
        else if (s.reason === 'end') {
          // An empty stream that ended at once: do not spin on it.
          this.#state = 'backoff';
          await sleep(backoff.next(), stop);
        }
      } catch (err) {
        if (stop.aborted) break;
        const e = err as Error;
        if (e instanceof KubeApiError && e.status === 404) {
          const pod = await getPodView(this.d.api, this.target.namespace, this.target.pod, this.target.container, stop).catch(() => undefined);
          if (pod && this.#gone(pod)) return this.#finish('finished', 'pod deleted');
        }
        this.#lastError = e.message;
        this.d.metrics.errors.inc();
        const delay = backoff.next();
        logger.warn({ stream: this.target.key, err: e.message, retry_in_ms: Math.round(delay) }, 'log stream failed, reopening after backoff');
        this.#state = 'backoff';
        reason = 'error';
        await sleep(delay, stop);
      }
    }
    return this.#finish('stopped');
  }

  #gone(pod: PodView): boolean {
    return !pod.exists || (this.target.uid !== undefined && pod.uid !== undefined && pod.uid !== this.target.uid);
  }

  async #finish(state: TailState, why?: string): Promise<void> {
    this.#state = state;
    if (state === 'finished') {
      this.d.logger.info({ stream: this.target.key, why }, 'log stream finished');
      this.d.positions.release(this.target.key);
      this.d.onFinished(this.target.key);
    }
  }

  /** One pods/log request, read to its end (or until ended). */
  async #read(req: { previous: boolean; restartCount: number | undefined; reason: string }): Promise<Session> {
    const { options: o, metrics: m } = this.d;
    const s = new Session();
    this.#session = s;
    if (this.#stop.signal.aborted) s.end('stop');
    const q = new URLSearchParams({ container: this.target.container, timestamps: 'true' });
    if (req.previous) q.set('previous', 'true');
    else q.set('follow', 'true');
    const since = sinceTime(this.#pos);
    if (since) q.set('sinceTime', since);
    const path = `/api/v1/namespaces/${encodeURIComponent(this.target.namespace)}/pods/${encodeURIComponent(this.target.pod)}/log?${q}`;
    const filter = new ResumeFilter(this.#pos);
    const splitter = new LineSplitter();
    this.#opens++;
    m.opens.inc({ reason: req.previous ? 'previous' : req.reason });

    let recycle: NodeJS.Timeout | undefined;
    let silence: NodeJS.Timeout | undefined;
    const armSilence = () => {
      clearTimeout(silence);
      silence = setTimeout(() => s.end('silence'), o.silenceMs);
    };
    try {
      // Armed before the answer: a server (or proxy) that never sends the
      // response head of an idle log must not keep the request open forever.
      armSilence();
      this.#state = 'opening';
      const res = await this.d.api.stream(path, s.abort.signal);
      this.#state = 'following';
      this.#lastError = '';
      if (!req.previous) {
        recycle = setTimeout(() => s.end('recycle'), o.recycleMs);
        armSilence();
      }
      res.setEncoding('utf8');
      try {
        for await (const chunk of res as AsyncIterable<string>) {
          this.#lastReadAt = Date.now();
          armSilence();
          this.#deliver(s, filter, splitter.push(chunk), req.restartCount);
          // Backpressure: stop pulling from the socket while downstream is behind.
          while (s.pending.length >= o.maxInflight && !s.failed) await s.pending[0];
          if (s.failed) break;
        }
        if (!s.abort.signal.aborted) {
          const last = splitter.end();
          if (last !== undefined) this.#deliver(s, filter, [last], req.restartCount);
        }
      } catch (err) {
        // An abort of ours (stop, recycle, silence) ends the read quietly; anything else is an error.
        if (!s.abort.signal.aborted) throw err;
      }
    } catch (err) {
      if (!s.abort.signal.aborted) {
        await this.#drain(s);
        throw err;
      }
    } finally {
      clearTimeout(recycle);
      clearTimeout(silence);
    }
    await this.#drain(s);
    return s;
  }

  #deliver(s: Session, filter: ResumeFilter, lines: string[], restartCount: number | undefined): void {
    if (lines.length === 0) return;
    const entries: LogEntry[] = [];
    const labels = this.target.labels;
    let skipped = 0;
    for (const raw of lines) {
      const parsed = splitTimestamp(raw);
      // Without timestamps=true honoured we cannot position: keep the line at "now".
      const [ts, line] = parsed ?? [BigInt(Date.now()) * 1_000_000n, raw];
      if (filter.keep(ts, line)) entries.push({ labels, ts, line });
      else skipped++;
    }
    if (skipped) this.d.metrics.skipped.inc(skipped);
    if (entries.length === 0) return;
    const accepted = fanout(this.d.forward(), entries);
    accepted.catch(() => {}); // observed through the chain below
    const step = (s.chain = s.chain.then(async () => {
      try {
        await accepted;
      } catch (err) {
        if (!s.failed) {
          s.failed = err as Error;
          s.end('downstream_error');
        }
        return;
      }
      // Only in order and only while nothing before failed: positions never skip a line.
      if (s.failed) return;
      this.#setPos(advance(this.#pos, entries, restartCount)!);
      s.delivered += entries.length;
      this.#delivered += entries.length;
      let bytes = 0;
      for (const e of entries) bytes += e.line.length;
      this.d.metrics.entries.inc(entries.length);
      this.d.metrics.bytes.inc(bytes);
    }));
    s.pending.push(step);
    // The step never rejects (errors become s.failed), so this always runs.
    void step.then(() => {
      const i = s.pending.indexOf(step);
      if (i >= 0) s.pending.splice(i, 1);
    });
  }

  #setPos(p: Position): void {
    this.#pos = p;
    this.d.positions.set(this.target.key, p);
  }

  /** Wait for in-flight batches; on stop, at most drainMs. */
  async #drain(s: Session): Promise<void> {
    if (!this.#stop.signal.aborted) return s.chain;
    const timeout = new Promise<void>((r) => setTimeout(r, this.d.options.drainMs).unref());
    await Promise.race([s.chain, timeout]);
  }
}
