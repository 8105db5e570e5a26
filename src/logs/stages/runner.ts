// Runs entries through a loki.process stage list. Most stages answer
// synchronously, so a batch normally goes through without a single await;
// only a stage that returns a promise (stage.limit waiting for a token)
// turns the rest of that batch asynchronous, in order. Stages that release
// entries on their own (multiline's max_wait_time) get an emit function at
// start(); stop() flushes what they still hold through the later stages.
import type { LogEntry } from '../../pipeline/logs.js';
import type { Stage, StageEntry } from './types.js';

export type Sink = (entries: LogEntry[]) => Promise<void>;

function toStageEntry(src: LogEntry): StageEntry {
  // Spread first so fields other stages add to entries travel along; labels are copied (they may be shared).
  return { ...src, labels: { ...src.labels }, extracted: {} };
}

function toLogEntry(e: StageEntry): LogEntry {
  const { extracted: _extracted, ...rest } = e;
  return rest;
}

/** Runs e through stages[from..]; survivors go to out. Returns a promise only if a stage made it wait. */
function runFrom(stages: readonly Stage[], from: number, e: StageEntry, out: LogEntry[]): void | Promise<void> {
  for (let i = from; i < stages.length; i++) {
    const r = stages[i].process(e);
    if (r === true) continue;
    if (r === false) return;
    if (Array.isArray(r)) return runEach(stages, i + 1, r, out);
    return r.then((pass) => (pass ? runFrom(stages, i + 1, e, out) : undefined));
  }
  out.push(toLogEntry(e));
}

function runEach(stages: readonly Stage[], from: number, es: readonly StageEntry[], out: LogEntry[]): void | Promise<void> {
  for (let k = 0; k < es.length; k++) {
    const p = runFrom(stages, from, es[k], out);
    if (p) return p.then(() => runEach(stages, from, es.slice(k + 1), out));
  }
}

/** Synchronous run (every stage must answer synchronously); survivors are new objects with copied labels. */
export function runStagesSync(stages: readonly Stage[], entries: readonly LogEntry[]): LogEntry[] {
  if (stages.length === 0) return entries as LogEntry[];
  const out: LogEntry[] = [];
  const p = runEach(stages, 0, entries.map(toStageEntry), out);
  if (p) throw new Error('a stage waited (stage.limit without drop): use StageRunner');
  return out;
}

export class StageRunner {
  readonly #pending = new Set<Promise<void>>();
  #stopped = false;

  constructor(
    readonly stages: readonly Stage[],
    private readonly sink: Sink,
    private readonly onError: (err: unknown) => void,
  ) {}

  /** Gives timer-driven stages their emit function. Call once, before or after the first push. */
  start(): void {
    this.stages.forEach((s, i) => s.start?.((entries) => this.#emitAfter(i, entries)));
  }

  /** Runs a batch and resolves when the sink accepted the survivors (backpressure). */
  async push(entries: readonly LogEntry[]): Promise<void> {
    if (this.stages.length === 0) return this.sink(entries as LogEntry[]);
    const out: LogEntry[] = [];
    const p = runEach(this.stages, 0, entries.map(toStageEntry), out);
    if (p) await p;
    return this.sink(out);
  }

  /**
   * Stops the stages in order; entries a stage still held are run through
   * the stages after it (not yet stopped) and sent to the sink. A stopped
   * stage neither buffers nor waits, so nothing is left behind.
   */
  stop(): Promise<void> {
    if (this.#stopped) return Promise.resolve();
    this.#stopped = true;
    const out: LogEntry[] = [];
    const late: Promise<void>[] = [];
    this.stages.forEach((s, i) => {
      const held = s.stop?.();
      if (held && held.length > 0) {
        const p = runEach(this.stages, i + 1, held, out);
        if (p) late.push(p);
      }
    });
    const flushed = (async () => {
      await Promise.all(late);
      if (out.length > 0) await this.sink(out);
      await Promise.all(this.#pending);
    })();
    return flushed.catch((err) => this.onError(err));
  }

  #emitAfter(index: number, entries: StageEntry[]): void {
    const out: LogEntry[] = [];
    const p = (async () => {
      const waited = runEach(this.stages, index + 1, entries, out);
      if (waited) await waited;
      if (out.length > 0) await this.sink(out);
    })()
      .catch((err) => this.onError(err))
      .finally(() => this.#pending.delete(p));
    this.#pending.add(p);
  }
}
