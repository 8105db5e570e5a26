// Prometheus marks a series as ended with one special NaN (bit pattern
// 0x7ff0000000000002). Ordinary NaN values from exporters use other bit
// patterns, so the marker can only be recognised by its bits, never with `isNaN`.
// Beware: V8 canonicalises NaNs stored in plain arrays of doubles ([v1, v2]),
// which erases the payload. Object properties (Sample.v) and Float64Arrays keep it.
const buf = new ArrayBuffer(8);
const f64 = new Float64Array(buf);
const u32 = new Uint32Array(buf);
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
const HI = LITTLE_ENDIAN ? 1 : 0;
const LO = LITTLE_ENDIAN ? 0 : 1;

export const STALE_NAN_HI = 0x7ff00000;
export const STALE_NAN_LO = 0x00000002;

function fromBits(hi: number, lo: number): number {
  u32[HI] = hi;
  u32[LO] = lo;
  return f64[0];
}

/** The staleness marker value (a NaN carrying the payload 2). */
export const STALE_NAN: number = fromBits(STALE_NAN_HI, STALE_NAN_LO);

/** True only for the staleness marker, not for other NaNs. */
export function isStaleNaN(v: number): boolean {
  if (v === v) return false; // fast path: not NaN at all
  f64[0] = v;
  return u32[HI] === STALE_NAN_HI && u32[LO] === STALE_NAN_LO;
}
