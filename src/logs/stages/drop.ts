// stage.drop: drops entries for which every condition given holds (AND):
// longer_than (bytes), older_than (age), the source fields being present,
// and `expression` (RE2, unanchored) or `value` (exact) matching the line or
// the source fields joined by `separator`. Dropped lines are counted with
// drop_counter_reason.
import { RE2JS } from 're2js';
import type { Stage, StageEntry } from './types.js';
import { scalarString } from './values.js';

export interface DropArgs {
  source?: string;
  separator?: string;
  expression?: string;
  value?: string;
  older_than?: number; // ms
  longer_than?: string;
  drop_counter_reason?: string;
}

// alecthomas/units' Base2Bytes, which Alloy decodes longer_than with: KB and KiB are both 1024.
const BASE2_UNITS: Record<string, number> = { B: 1 };
['K', 'M', 'G', 'T', 'P', 'E'].forEach((p, i) => {
  BASE2_UNITS[`${p}B`] = 1024 ** (i + 1);
  BASE2_UNITS[`${p}iB`] = 1024 ** (i + 1);
});

/** "1KB", "8KiB", "1MB512KB", "0" -> bytes. A unit is required (as in Alloy). */
export function parseBase2Bytes(s: string): number {
  if (s === '0') return 0;
  let rest = s.startsWith('+') ? s.slice(1) : s;
  if (rest === '' || rest.startsWith('-')) throw new Error(`invalid size "${s}"`);
  let total = 0;
  while (rest !== '') {
    const m = /^(\d*\.?\d*)([a-zA-Z]+)/.exec(rest);
    if (!m || m[1] === '' || m[1] === '.') throw new Error(`invalid size "${s}" (expected e.g. "1KB", "8KiB")`);
    const unit = BASE2_UNITS[m[2]];
    if (unit === undefined) throw new Error(`invalid size "${s}": unknown unit "${m[2]}"`);
    total += Number(m[1]) * unit;
    rest = rest.slice(m[0].length);
  }
  return Math.floor(total);
}

export function dropStage(args: DropArgs, onDrop: (reason: string) => void, now: () => number = Date.now): Stage {
  const source = args.source ?? '';
  const expression = args.expression ?? '';
  const value = args.value ?? '';
  let longer = 0;
  if (args.longer_than !== undefined && args.longer_than !== '') {
    try {
      longer = parseBase2Bytes(String(args.longer_than));
    } catch (err) {
      throw new Error(`stage.drop: longer_than: ${(err as Error).message}`);
    }
  }
  const olderMs = args.older_than ?? 0;
  if (source === '' && expression === '' && olderMs === 0 && longer === 0) {
    throw new Error('stage.drop: drop stage config must contain at least one of `source`, `expression`, `older_than` or `longer_than`');
  }
  if (value !== '' && expression !== '') throw new Error('stage.drop: drop stage config error, `value` and `expression` cannot both be defined at the same time');
  if (value !== '' && source === '') throw new Error('stage.drop: drop stage config must contain `source` if `value` is specified');
  let re: RE2JS | undefined;
  try {
    // `value` is an exact match: the same as an anchored, quoted expression.
    if (expression !== '') re = RE2JS.compile(expression);
    else if (value !== '') re = RE2JS.compile(`^${RE2JS.quote(value)}$`);
  } catch (err) {
    throw new Error(`stage.drop: invalid expression "${expression}" (drop stage regex compilation error): ${(err as Error).message}`);
  }
  const reason = args.drop_counter_reason || 'drop_stage';
  const sep = args.separator || ';';
  const sources = source === '' ? [] : source.split(',');
  const olderNs = BigInt(Math.round(olderMs)) * 1_000_000n;
  const shouldDrop = (e: StageEntry): boolean => {
    if (longer !== 0 && !(Buffer.byteLength(e.line) > longer)) return false;
    if (olderMs !== 0 && !(e.ts < BigInt(now()) * 1_000_000n - olderNs)) return false;
    if (sources.length > 0 && !re) return sources.every((s) => s in e.extracted);
    if (sources.length === 0 && re) return re.test(e.line);
    if (sources.length > 0 && re) {
      // Present fields are joined (missing ones left out); one without a string form keeps the line.
      const vals: string[] = [];
      for (const s of sources) {
        if (!(s in e.extracted)) continue;
        const v = scalarString(e.extracted[s]);
        if (v === undefined) return false;
        vals.push(v);
      }
      return re.test(vals.join(sep));
    }
    return true;
  };
  return {
    name: 'drop',
    process(e: StageEntry) {
      if (!shouldDrop(e)) return true;
      onDrop(reason);
      return false;
    },
  };
}
