// stage.drop: drops entries matching every condition given (source value or
// line against `value`/`expression`, age, length). The regex is RE2 and
// unanchored (a match anywhere drops), as in Promtail.
import { RE2JS } from 're2js';
import { parseByteSize } from '../write/config.js';
import { extractedString, type Stage, type StageEntry } from './types.js';

export interface DropArgs {
  source?: string;
  separator?: string;
  expression?: string;
  value?: string;
  older_than?: number; // ms
  longer_than?: string | number;
  drop_counter_reason?: string;
}

export function dropStage(args: DropArgs, onDrop: (reason: string) => void, now: () => number = Date.now): Stage {
  const reason = args.drop_counter_reason || 'drop_stage';
  if (args.expression !== undefined && args.value !== undefined) throw new Error('stage.drop: expression and value are mutually exclusive');
  let re: RE2JS | undefined;
  if (args.expression !== undefined) {
    try {
      re = RE2JS.compile(args.expression);
    } catch (err) {
      throw new Error(`stage.drop: invalid expression "${args.expression}": ${(err as Error).message}`);
    }
  }
  const longer = args.longer_than !== undefined && args.longer_than !== '' ? parseByteSize('stage.drop longer_than', args.longer_than) : undefined;
  const olderNs = args.older_than ? BigInt(Math.round(args.older_than)) * 1_000_000n : undefined;
  const sources = (args.source ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  const sep = args.separator ?? ';';
  const hasMatcher = re !== undefined || args.value !== undefined;
  if (!hasMatcher && longer === undefined && olderNs === undefined && sources.length === 0) {
    throw new Error('stage.drop: set at least one of source, expression, value, older_than, longer_than');
  }
  return {
    name: 'drop',
    process(e: StageEntry) {
      if (olderNs !== undefined && !(e.ts < BigInt(now()) * 1_000_000n - olderNs)) return true;
      if (longer !== undefined && !(Buffer.byteLength(e.line) > longer)) return true;
      if (sources.length > 0 || hasMatcher) {
        let subject: string;
        if (sources.length > 0) {
          const vals: string[] = [];
          for (const s of sources) {
            const v = extractedString(e.extracted[s]);
            if (v === undefined) return true; // a missing source never drops
            vals.push(v);
          }
          subject = vals.join(sep);
        } else subject = e.line;
        if (args.value !== undefined && subject !== args.value) return true;
        if (re && !re.test(subject)) return true;
      }
      onDrop(reason);
      return false;
    },
  };
}
