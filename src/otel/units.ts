// Sizes as Alloy's otelcol blocks take them (units.Base2Bytes: "4MiB", "512KiB";
// KB and KiB both mean 1024 there).
const UNITS: Record<string, number> = {
  '': 1, b: 1,
  kb: 1024, kib: 1024, k: 1024,
  mb: 1024 ** 2, mib: 1024 ** 2, m: 1024 ** 2,
  gb: 1024 ** 3, gib: 1024 ** 3, g: 1024 ** 3,
};

export function parseBase2Bytes(what: string, v: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([a-zA-Z]*)\s*$/.exec(v);
  const unit = m ? UNITS[m[2].toLowerCase()] : undefined;
  if (!m || unit === undefined) throw new Error(`${what}: invalid size ${JSON.stringify(v)} (expected e.g. "4MiB", "512KiB")`);
  return Math.floor(Number(m[1]) * unit);
}
