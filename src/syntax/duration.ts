// Go-style duration strings ("1m30s", "250ms", "1.5h"), as Alloy configs use them.
const UNIT_MS: Record<string, number> = {
  ns: 1e-6,
  us: 1e-3,
  'µs': 1e-3,
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000, // accepted by Prometheus-style durations
  w: 604_800_000,
};

/** Parses a Go/Prometheus duration into milliseconds; throws Error(reason) when invalid. */
export function parseDuration(s: string): number {
  const text = s.trim();
  if (text === '0') return 0;
  if (text === '') throw new Error('invalid duration ""');
  let rest = text;
  let sign = 1;
  if (rest[0] === '-' || rest[0] === '+') {
    sign = rest[0] === '-' ? -1 : 1;
    rest = rest.slice(1);
  }
  const re = /^(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|ms|s|m|h|d|w)/;
  let total = 0;
  let parts = 0;
  while (rest.length > 0) {
    const m = re.exec(rest);
    if (!m) throw new Error(`invalid duration ${JSON.stringify(s)}`);
    total += parseFloat(m[1]) * UNIT_MS[m[2]];
    rest = rest.slice(m[0].length);
    parts++;
  }
  if (parts === 0) throw new Error(`invalid duration ${JSON.stringify(s)}`);
  return sign * total;
}

/** Formats milliseconds as a compact Go-style duration ("1m30s"). */
export function formatDuration(ms: number): string {
  if (ms === 0) return '0s';
  const neg = ms < 0;
  let rest = Math.abs(ms);
  let out = '';
  for (const [unit, size] of [['h', 3_600_000], ['m', 60_000], ['s', 1000]] as const) {
    if (rest >= size) {
      const n = Math.floor(rest / size);
      out += `${n}${unit}`;
      rest -= n * size;
    }
  }
  if (rest > 0) out += `${Math.round(rest * 1000) / 1000}ms`;
  return (neg ? '-' : '') + out;
}
