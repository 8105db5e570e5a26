// Runs entries through a loki.process stage list. Most stages answer
// synchronously, so a batch normally goes through without a single await;
// only a stage that returns a promise (stage.limit waiting for a token)
// turns the rest of that batch asynchronous, in order. Stages that release
// entries on their own (multiline's max_wait_time) get an emit function at
// start(); stop() flushes what they still hold through the later stages.
import type { LogEntry } from '../../pipeline/logs.js';
import type { Stage, StageEntry, StageResult } from './types.js';

export type Sink = (entries: LogEntry[]) => Promise<void>;

function toStageEntry(src: LogEntry): StageEntry {
  // Spread first so fields other stages add to entries travel along; labels are copied (they may be shared).
  // As in Alloy, the extracted map starts with the entry's labels.
  return { ...src, labels: { ...src.labels }, extracted: { ...src.labels }, structuredMetadata: { ...src.structuredMetadata } };
}

function toLogEntry(e: StageEntry): LogEntry {
  const { extracted: _extracted, structuredMetadata, ...rest } = e;
  return Object.keys(structuredMetadata).length > 0 ? { ...rest, structuredMetadata } : rest;
}

/** Runs e through stages[from..]; survivors go to out. Returns a promise only if a stage made it wait. */
function runFrom(stages: readonly Stage[], from: number, e: StageEntry, out: StageEntry[]): void | Promise<void> {
  for (let i = from; i < stages.length; i++) {
    const r = stages[i].process(e);
    if (r === true) continue;
    if (r === false) return;
    if (Array.isArray(r)) return runEach(stages, i + 1, r, out);
    return r.then((res) => (res === true ? runFrom(stages, i + 1, e, out) : res === false ? undefined : runEach(stages, i + 1, res, out)));
  }
  out.push(e);
}

function runEach(stages: readonly Stage[], from: number, es: readonly StageEntry[], out: StageEntry[]): void | Promise<void> {
  for (let k = 0; k < es.length; k++) {
    const p = runFrom(stages, from, es[k], out);
    if (p) return p.then(() => runEach(stages, from, es.slice(k + 1), out));
  }
}

/** Stops the stages in order, running what each still held through the ones after it; async leftovers go to `late`. */
function stopAll(stages: readonly Stage[], out: StageEntry[], late: Promise<void>[]): void {
  stages.forEach((s, i) => {
    const held = s.stop?.();
    if (held && held.length > 0) {
      const p = runEach(stages, i + 1, held, out);
      if (p) late.push(p);
    }
  });
}

/** One entry through the stages, synchronously (every stage must answer at once): what comes out of the last one. */
export function runEntry(stages: readonly Stage[], e: StageEntry): StageEntry[] {
  const out: StageEntry[] = [];
  if (runFrom(stages, 0, e, out)) throw new Error('a stage waited (stage.limit without drop): use StageRunner');
  return out;
}

/** Synchronous run (every stage must answer synchronously); survivors are new objects with copied labels. */
export function runStagesSync(stages: readonly Stage[], entries: readonly LogEntry[]): LogEntry[] {
  if (stages.length === 0) return entries as LogEntry[];
  const out: StageEntry[] = [];
  const p = runEach(stages, 0, entries.map(toStageEntry), out);
  if (p) throw new Error('a stage waited (stage.limit without drop): use StageRunner');
  return out.map(toLogEntry);
}

/**
 * A stage list used as one stage (stage.match's nested stages): the result
 * of the whole list for an entry, and start/stop passed on, with entries
 * the nested stages release later sent through the rest of the list first.
 */
export function nestedStages(name: string, stages: readonly Stage[]): Stage {
  let emit: ((entries: StageEntry[]) => void) | undefined;
  const settle = (e: StageEntry, out: StageEntry[]): boolean | StageEntry[] => (out.length === 1 && out[0] === e ? true : out.length === 0 ? false : out);
  const after = (i: number, entries: StageEntry[]) => {
    const out: StageEntry[] = [];
    const p = runEach(stages, i + 1, entries, out);
    const send = () => out.length > 0 && emit?.(out);
    if (p) void p.then(send);
    else send();
  };
  return {
    name,
    process(e: StageEntry): StageResult {
      const out: StageEntry[] = [];
      const p = runFrom(stages, 0, e, out);
      return p ? p.then(() => settle(e, out)) : settle(e, out);
    },
    start(fn) {
      emit = fn;
      stages.forEach((s, i) => s.start?.((entries) => after(i, entries)));
    },
    stop() {
      const out: StageEntry[] = [];
      const late: Promise<void>[] = [];
      stopAll(stages, out, late);
      // Entries a stopping stage lets go asynchronously (arriving in `out` later) still go on, through emit.
      const returned = out.length;
      if (late.length > 0) void Promise.all(late).then(() => out.length > returned && emit?.(out.slice(returned)));
      return out.slice();
    },
  };
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
    const out: StageEntry[] = [];
    const p = runEach(this.stages, 0, entries.map(toStageEntry), out);
    if (p) await p;
    return this.sink(out.map(toLogEntry));
  }

  /**
   * Stops the stages in order; entries a stage still held are run through
   * the stages after it (not yet stopped) and sent to the sink. A stopped
   * stage neither buffers nor waits, so nothing is left behind.
   */
  stop(): Promise<void> {
    if (this.#stopped) return Promise.resolve();
    this.#stopped = true;
    const out: StageEntry[] = [];
    const late: Promise<void>[] = [];
    stopAll(this.stages, out, late);
    const flushed = (async () => {
      await Promise.all(late);
      if (out.length > 0) await this.sink(out.map(toLogEntry));
      await Promise.all(this.#pending);
    })();
    return flushed.catch((err) => this.onError(err));
  }

  #emitAfter(index: number, entries: StageEntry[]): void {
    const out: StageEntry[] = [];
    const p = (async () => {
      const waited = runEach(this.stages, index + 1, entries, out);
      if (waited) await waited;
      if (out.length > 0) await this.sink(out.map(toLogEntry));
    })()
      .catch((err) => this.onError(err))
      .finally(() => this.#pending.delete(p));
    this.#pending.add(p);
  }
}
