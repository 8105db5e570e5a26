// stage.cri: parses the CRI log format "<time> <stream> <flags> <content>"
// (what kubelet writes to /var/log/pods), sets the line to the content, the
// timestamp from <time>, the `stream` label, and extracted time/stream/flags/
// content. Partial lines (flag P) are held per stream (label set) and joined
// with the following lines until a full line (F) completes them.
import { parseRFC3339Nano } from '../tail/timestamp.js';
import { formatLabels } from '../push/proto.js';
import { counter } from './stage-metrics.js';
import type { Stage, StageEntry, StageEnv } from './types.js';

export interface CriArgs {
  max_partial_lines?: number;
  max_partial_line_size?: number;
  max_partial_line_size_truncate?: boolean;
}

export interface CriLine {
  time: string;
  stream: 'stdout' | 'stderr';
  flag: 'F' | 'P';
  content: string;
}

/** Alloy's lenient CRI parser: the time is not validated, the flag is optional (F). */
export function parseCri(line: string): CriLine | undefined {
  const sp = line.search(/\s/);
  let time = '';
  let rest = line;
  if (sp >= 0) {
    time = line.slice(0, sp);
    rest = line.slice(sp);
  }
  if (rest[0] !== ' ') return undefined;
  rest = rest.slice(1);
  let stream: CriLine['stream'];
  if (rest.startsWith('stdout')) stream = 'stdout';
  else if (rest.startsWith('stderr')) stream = 'stderr';
  else return undefined;
  rest = rest.slice(6);
  if (rest[0] !== ' ') return undefined;
  rest = rest.slice(1);
  let flag: CriLine['flag'] = 'F';
  if (rest[0] === 'P' || rest[0] === 'F') {
    flag = rest[0];
    rest = rest.slice(1);
  }
  if (rest[0] === ' ') rest = rest.slice(1);
  return { time, stream, flag, content: rest };
}

export function criStage(args: CriArgs, env: StageEnv = {}): Stage {
  const maxLines = args.max_partial_lines ?? 100;
  const maxSize = args.max_partial_line_size ?? 0;
  const truncate = args.max_partial_line_size_truncate ?? false;
  if (!Number.isInteger(maxLines) || maxLines <= 0) throw new Error('stage.cri: max_partial_lines must be greater than 0');
  if (!Number.isInteger(maxSize) || maxSize < 0) throw new Error('stage.cri: max_partial_line_size must be a non-negative integer');
  const flushed = counter(env, 'loki_process_cri_partial_lines_flushed_total', 'A count of partial lines that were flushed prematurely due to the max_partial_lines limit being exceeded');
  const truncated = counter(env, 'loki_process_cri_lines_truncated_total', 'A count of lines that were truncated due to the max_partial_line_size limit');
  // Held partial lines by stream (label set): insertion order is the flush order.
  const partial = new Map<string, StageEntry>();

  const truncateIfRequired = (e: StageEntry) => {
    if (truncate && Buffer.byteLength(e.line) > maxSize) {
      e.line = Buffer.from(e.line).subarray(0, maxSize).toString();
      truncated?.inc();
    }
  };

  return {
    name: 'cri',
    process(e: StageEntry) {
      const p = parseCri(e.line);
      if (!p) return true;
      e.extracted.flags = p.flag;
      e.extracted.stream = p.stream;
      e.extracted.content = p.content;
      e.extracted.time = p.time;
      e.line = p.content;
      const ts = parseRFC3339Nano(p.time);
      if (ts !== undefined) e.ts = ts;
      e.labels.stream = p.stream;
      const key = formatLabels(e.labels);
      if (p.flag === 'P') {
        if (partial.size >= maxLines) {
          env.logger?.warn({ stage: 'cri', threshold: maxLines }, 'partial lines upperbound exceeded, merging it to single line');
          flushed?.inc(partial.size);
          const released = [...partial.values()];
          partial.clear();
          truncateIfRequired(e);
          partial.set(key, e);
          return released;
        }
        const prev = partial.get(key);
        if (prev) e.line = prev.line + e.line;
        truncateIfRequired(e);
        partial.delete(key);
        partial.set(key, e);
        return false;
      }
      const prev = partial.get(key);
      if (prev) {
        e.line = prev.line + e.line;
        truncateIfRequired(e);
        partial.delete(key);
      }
      return true;
    },
  };
}
