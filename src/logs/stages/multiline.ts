// stage.multiline: merges a block of lines, started by a line matching
// `firstline` (RE2, unanchored), into one entry carrying the first line's
// timestamp, labels and extracted values. Blocks are kept per stream (label
// set). A block goes on when the next first line arrives, when it reaches
// max_lines, when its stream saw nothing for max_wait_time (a timer), and
// when the pipeline stops. Until a stream's first first-line, its lines pass
// through unchanged.
import { RE2JS } from 're2js';
import { labelsKey } from './timestamp.js';
import type { Stage, StageEntry } from './types.js';

export interface MultilineArgs {
  firstline?: string;
  max_lines?: number;
  max_wait_time?: number; // ms
  trim_newlines?: boolean;
}

interface Block {
  start?: StageEntry;
  lines: string[];
  lastSeen: number;
}

export function multilineStage(args: MultilineArgs, now: () => number = Date.now): Stage {
  if (!args.firstline) throw new Error('stage.multiline: multiline stage config must define `firstline` regular expression');
  let re: RE2JS;
  try {
    re = RE2JS.compile(args.firstline);
  } catch (err) {
    throw new Error(`stage.multiline: multiline stage first line regex compilation error: ${(err as Error).message}`);
  }
  const maxWait = args.max_wait_time ?? 3000;
  if (!(maxWait > 0)) throw new Error('stage.multiline: max_wait_time must be greater than 0');
  const maxLines = args.max_lines ?? 128;
  if (!Number.isInteger(maxLines) || maxLines < 0) throw new Error(`stage.multiline: max_lines must be a non-negative integer, got ${maxLines}`);
  const trim = args.trim_newlines ?? true;

  const streams = new Map<string, Block>();
  let emit: ((entries: StageEntry[]) => void) | undefined;
  let timer: NodeJS.Timeout | undefined;
  let timerAt = Infinity;
  let stopped = false;

  const flush = (b: Block): StageEntry => {
    const start = b.start!;
    const merged: StageEntry = { ...start, labels: { ...start.labels }, extracted: { ...start.extracted }, line: b.lines.join('\n') };
    b.lines = [];
    return merged;
  };

  // One timer, at the earliest deadline of any stream; idle streams are forgotten when it fires.
  const arm = () => {
    if (!emit || stopped) return;
    let next = Infinity;
    for (const b of streams.values()) next = Math.min(next, b.lastSeen + maxWait);
    if (next === timerAt) return;
    if (timer) clearTimeout(timer);
    timer = undefined;
    timerAt = next;
    if (next === Infinity) return;
    timer = setTimeout(onTimer, Math.max(0, next - now()));
    timer.unref();
  };
  const onTimer = () => {
    timer = undefined;
    timerAt = Infinity;
    const t = now();
    const out: StageEntry[] = [];
    for (const [key, b] of streams) {
      if (b.lastSeen + maxWait > t) continue;
      if (b.lines.length > 0) out.push(flush(b));
      streams.delete(key);
    }
    if (out.length > 0) emit!(out);
    arm();
  };

  return {
    name: 'multiline',
    start(fn) {
      emit = fn;
      arm();
    },
    stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      timer = undefined;
      const out: StageEntry[] = [];
      for (const b of streams.values()) if (b.lines.length > 0) out.push(flush(b));
      streams.clear();
      return out;
    },
    process(e: StageEntry) {
      if (stopped) return true;
      const key = labelsKey(e.labels);
      const out: StageEntry[] = [];
      const t = now();
      let b = streams.get(key);
      // A block that outlived max_wait_time goes before this entry (the timer may not have fired yet).
      if (b && b.lines.length > 0 && t - b.lastSeen >= maxWait) out.push(flush(b));
      const first = re.test(e.line);
      if (!b) {
        if (!first) return true;
        b = { lines: [], lastSeen: t };
        streams.set(key, b);
      }
      if (first && b.lines.length > 0) out.push(flush(b));
      if (first) b.start = e;
      b.lines.push(trim ? e.line.replace(/[\r\n]+$/, '') : e.line);
      b.lastSeen = t;
      if (b.lines.length === maxLines) out.push(flush(b));
      // Deadlines only move later, so a running timer is early at worst; it re-arms when it fires.
      if (!timer) arm();
      return out;
    },
  };
}
