// stage.timestamp: sets the entry's timestamp from an extracted value,
// parsed by a named format (RFC3339, Unix, UnixMs, ...) or a Go reference-
// time layout, with fallback formats and an IANA location for layouts that
// carry no zone. On failure the timestamp is kept ("skip") or set 1ns after
// the stream's last one ("fudge"); equal consecutive parsed timestamps of a
// stream are spread 1ns apart unless action_on_duplicate_timestamp="keep".
import { checkZone, daysFromCivil, parseGoLayout, toEpochNs } from './go-time.js';
import type { Stage, StageEntry } from './types.js';
import { scalarString } from './values.js';

export interface TimestampArgs {
  source?: string;
  format?: string;
  fallback_formats?: string[];
  location?: string;
  action_on_failure?: string;
  action_on_duplicate_timestamp?: string;
}

type Parser = (s: string) => bigint;

const NAMED_LAYOUTS: Record<string, string> = {
  ANSIC: 'Mon Jan _2 15:04:05 2006',
  UnixDate: 'Mon Jan _2 15:04:05 MST 2006',
  RubyDate: 'Mon Jan 02 15:04:05 -0700 2006',
  RFC822: '02 Jan 06 15:04 MST',
  RFC822Z: '02 Jan 06 15:04 -0700',
  RFC850: 'Monday, 02-Jan-06 15:04:05 MST',
  RFC1123: 'Mon, 02 Jan 2006 15:04:05 MST',
  RFC1123Z: 'Mon, 02 Jan 2006 15:04:05 -0700',
  RFC3339: '2006-01-02T15:04:05Z07:00',
  RFC3339Nano: '2006-01-02T15:04:05.999999999Z07:00',
};

const INT64_MAX = (1n << 63n) - 1n;

/** strconv.ParseInt(s, 10, 64). */
function parseInt64(s: string): bigint {
  if (!/^[+-]?\d+$/.test(s)) throw new Error(`invalid integer ${JSON.stringify(s)}`);
  const n = BigInt(s);
  if (n > INT64_MAX || n < -INT64_MAX - 1n) throw new Error(`integer out of range ${JSON.stringify(s)}`);
  return n;
}

function unixSeconds(s: string): bigint {
  const parts = s.split('.');
  if (parts.length === 2) {
    const sec = parseInt64(parts[0]);
    const frac = parseInt64(parts[1]);
    const digits = parts[1].length;
    // Go scales the fraction digits to nanoseconds (a float for more than 9 digits).
    const nsec = digits <= 9 ? frac * 10n ** BigInt(9 - digits) : BigInt(Math.trunc(Number(frac) * 10 ** (9 - digits)));
    return sec * 1_000_000_000n + nsec;
  }
  return parseInt64(s) * 1_000_000_000n;
}

/** Adds the current year to a year-less timestamp, across New Year's Eve the nearer one. */
function withCurrentYear(month: number, nowMs: number): number {
  const now = new Date(nowMs);
  const year = now.getUTCFullYear();
  const nowMonth = now.getUTCMonth() + 1;
  if (month === 12 && nowMonth === 1) return year - 1;
  if (month === 1 && nowMonth === 12) return year + 1;
  return year;
}

export function formatParser(format: string, location: string | undefined, now: () => number): Parser {
  switch (format) {
    case 'Unix':
      return unixSeconds;
    case 'UnixMs':
      return (s) => parseInt64(s) * 1_000_000n;
    case 'UnixUs':
      return (s) => parseInt64(s) * 1_000n;
    case 'UnixNs':
      return (s) => parseInt64(s);
  }
  const named = NAMED_LAYOUTS[format];
  // Named formats are parsed as time.Parse does, without the location.
  if (named) return (s) => toEpochNs(parseGoLayout(named, s));
  if (!format.includes('06')) {
    return (s) => {
      const p = parseGoLayout(format, s);
      if (p.year !== 0) throw new Error(`timestamp '${s}' is expected to not contain the year date component`);
      // AddDate(year): the date rolls over as Go normalises it (Feb 29 into a common year -> Mar 1).
      const year = withCurrentYear(p.month, now());
      const days = daysFromCivil(year, p.month, 1) + p.day - 1;
      const d = new Date(days * 86_400_000);
      return toEpochNs({ ...p, year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate() }, location);
    };
  }
  return (s) => toEpochNs(parseGoLayout(format, s), location);
}

const FAILURE_ACTIONS = ['skip', 'fudge'];
const DUPLICATE_ACTIONS = ['keep', 'fudge'];
/** Streams whose last timestamp is remembered (Alloy: an LRU of 10000). */
export const MAX_REMEMBERED_STREAMS = 10_000;

/** Stable key of a label set (sorted), standing in for the stream. */
export function labelsKey(labels: Record<string, string>): string {
  return Object.keys(labels).sort().map((k) => `${k}=${JSON.stringify(labels[k])}`).join(',');
}

interface LastSeen {
  parsed: bigint;
  adjusted: bigint;
}

export function timestampStage(args: TimestampArgs, now: () => number = Date.now): Stage {
  if (!args.source) throw new Error('stage.timestamp: timestamp source value is required if timestamp is specified');
  if (!args.format) throw new Error('stage.timestamp: timestamp format is required');
  const location = args.location;
  if (location !== undefined) {
    try {
      if (location !== '' && location !== 'UTC' && location !== 'Local') checkZone(location);
    } catch {
      throw new Error(`stage.timestamp: invalid location specified: unknown time zone ${location}`);
    }
  }
  // "" and "UTC" are UTC; "Local" is the process's zone.
  const zone = location === 'Local' ? Intl.DateTimeFormat().resolvedOptions().timeZone : location || undefined;
  const onFailure = args.action_on_failure || 'fudge';
  if (!FAILURE_ACTIONS.includes(onFailure)) throw new Error(`stage.timestamp: invalid action on failure (supported values are [${FAILURE_ACTIONS.join(' ')}])`);
  const onDuplicate = args.action_on_duplicate_timestamp || 'fudge';
  if (!DUPLICATE_ACTIONS.includes(onDuplicate)) {
    throw new Error(`stage.timestamp: invalid action on duplicate timestamp (supported values are [${DUPLICATE_ACTIONS.join(' ')}])`);
  }
  const parsers = [args.format, ...(args.fallback_formats ?? [])].map((f) => formatParser(f, zone, now));
  const parse = (s: string): bigint | undefined => {
    for (const p of parsers) {
      try {
        return p(s);
      } catch {
        // next format
      }
    }
    return undefined;
  };
  const remember = onFailure === 'fudge' || onDuplicate === 'fudge';
  const last = new Map<string, LastSeen>();
  const store = (key: string, v: LastSeen) => {
    last.delete(key); // re-insert: Map order is the LRU order
    last.set(key, v);
    if (last.size > MAX_REMEMBERED_STREAMS) last.delete(last.keys().next().value!);
  };
  const source = args.source;
  return {
    name: 'timestamp',
    process(e: StageEntry) {
      const raw = source in e.extracted ? scalarString(e.extracted[source]) : undefined;
      const parsed = raw === undefined ? undefined : parse(raw);
      const key = remember ? labelsKey(e.labels) : '';
      if (parsed === undefined) {
        if (onFailure === 'fudge') {
          const prev = last.get(key);
          if (prev) {
            e.ts = prev.adjusted + 1n;
            store(key, { parsed: prev.parsed, adjusted: e.ts });
          }
        }
        return true;
      }
      e.ts = parsed;
      if (remember) {
        const prev = last.get(key);
        if (onDuplicate === 'fudge' && prev && prev.parsed === parsed) e.ts = prev.adjusted + 1n;
        store(key, { parsed, adjusted: e.ts });
      }
      return true;
    },
  };
}
