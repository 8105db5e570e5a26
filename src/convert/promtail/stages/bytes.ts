// Byte sizes of promtail's stage settings (drop.longer_than,
// cri.max_partial_line_size): a bare number of bytes or a number with a
// base-2 unit, where promtail reads KB, kB and KiB alike as 1024 bytes.
const UNIT_POWER: Record<string, number> = { '': 0, k: 1, m: 2, g: 3, t: 4, p: 5, e: 6 };

/** "2048", "1KB", "1kB", "1KiB", "1.5MB" -> bytes; throws on anything else. */
export function parsePromtailBytes(s: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([a-zA-Z]*)\s*$/.exec(s);
  if (!m) throw new Error(`invalid byte size ${JSON.stringify(s)}`);
  const unit = m[2].toLowerCase().replace(/i?b$/, '');
  const power = UNIT_POWER[unit];
  if (power === undefined) throw new Error(`invalid byte size ${JSON.stringify(s)}: unknown unit ${JSON.stringify(m[2])}`);
  return Math.floor(Number(m[1]) * 1024 ** power);
}

const UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB', 'EiB'];

/**
 * Bytes as Alloy writes a Base2Bytes value (alecthomas/units): each unit's
 * share from the largest down, zero shares left out: 1024 -> "1KiB",
 * 1536 -> "1KiB512B".
 */
export function formatBase2Bytes(n: number): string {
  if (n === 0) return '0B';
  const parts: string[] = [];
  let rest = n;
  for (let i = 0; i < UNITS.length && rest > 0; i++) {
    const share = i === UNITS.length - 1 ? rest : rest % 1024;
    if (share !== 0) parts.unshift(`${share}${UNITS[i]}`);
    rest = Math.floor(rest / 1024);
  }
  return parts.join('');
}
