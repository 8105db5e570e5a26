// stage.pack: replaces the line with a JSON object holding the named
// extracted values (and removes labels of the same names) plus the original
// line under "_entry", keys sorted, "_entry" last: what LogQL's `unpack`
// reads back.
import { scalarString } from './source.js';
import type { Stage, StageEntry } from './types.js';

export interface PackArgs {
  labels?: string[];
  ingest_timestamp?: boolean;
}

export function packLine(values: Record<string, string>, line: string): string {
  const parts = Object.keys(values)
    .sort()
    .map((k) => `${JSON.stringify(k)}:${JSON.stringify(values[k])}`);
  parts.push(`"_entry":${JSON.stringify(line)}`);
  return `{${parts.join(',')}}`;
}

export function packStage(args: PackArgs, now: () => bigint = () => BigInt(Date.now()) * 1_000_000n): Stage {
  if (!args.labels) throw new Error('stage.pack: labels is required');
  const names = [...new Set(args.labels)];
  const ingest = args.ingest_timestamp ?? true;
  return {
    name: 'pack',
    process(e: StageEntry) {
      const values: Record<string, string> = {};
      for (const n of names) {
        if (!(n in e.extracted)) continue;
        const v = scalarString(e.extracted[n]);
        if (v === undefined) continue;
        values[n] = v;
      }
      for (const n of Object.keys(values)) delete e.labels[n];
      e.line = packLine(values, e.line);
      if (ingest) e.ts = now();
      return true;
    },
  };
}
