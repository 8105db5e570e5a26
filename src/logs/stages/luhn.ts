// stage.luhn: redacts digit runs of at least min_length that pass the Luhn
// checksum (credit-card numbers). Only contiguous digits form a run, so
// dates, versions and IPs made of short groups are never merged into one.
import type { Stage, StageEntry } from './types.js';

export interface LuhnArgs {
  replacement?: string;
  min_length?: number;
  source?: string;
}

export function luhnValid(digits: string): boolean {
  let sum = 0;
  let dbl = false;
  for (let i = digits.length - 1; i >= 0; i--) {
    let d = digits.charCodeAt(i) - 48;
    if (dbl) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    dbl = !dbl;
  }
  return sum % 10 === 0;
}

const RUN = /\d{2,}/g;

export function redactLuhn(text: string, minLength: number, replacement: string): string {
  if (!/\d/.test(text)) return text;
  return text.replace(RUN, (run) => (run.length >= minLength && luhnValid(run) ? replacement : run));
}

export function luhnStage(args: LuhnArgs): Stage {
  const replacement = args.replacement ?? '**REDACTED**';
  const minLength = args.min_length ?? 13;
  if (!Number.isInteger(minLength) || minLength < 2) throw new Error(`stage.luhn: min_length must be an integer >= 2, got ${minLength}`);
  const source = args.source;
  return {
    name: 'luhn',
    process(e: StageEntry) {
      if (source) {
        const v = e.extracted[source];
        if (typeof v === 'string') e.extracted[source] = redactLuhn(v, minLength, replacement);
      } else e.line = redactLuhn(e.line, minLength, replacement);
      return true;
    },
  };
}
