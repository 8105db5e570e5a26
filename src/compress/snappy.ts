// Snappy block format (what remote write and Loki's push API require), the
// one implementation for the process: the native `snappy` binding (napi, a
// prebuilt binary per platform) when its binary loads, pure-JS snappyjs
// otherwise, so a platform without a prebuilt binary still runs.
import { createRequire } from 'node:module';

interface NativeSnappy {
  compressSync(input: Buffer): Buffer;
  uncompressSync(input: Buffer, opts?: { asBuffer: true }): Buffer;
}
interface SnappyJs {
  compress(input: Uint8Array): Uint8Array;
  uncompress(input: Uint8Array, maxLength?: number): Uint8Array;
}

const require = createRequire(import.meta.url);

function loadNative(): NativeSnappy | undefined {
  if (process.env.ALLOY_SNAPPY === 'js') return undefined;
  try {
    return require('snappy') as NativeSnappy;
  } catch {
    return undefined; // no prebuilt binary for this platform
  }
}

const native = loadNative();
const js = require('snappyjs') as SnappyJs;

/** Which implementation compresses: "native" or "js" (ALLOY_SNAPPY=js forces the JS one). */
export const snappyImplementation: 'native' | 'js' = native ? 'native' : 'js';

function asBuffer(b: Uint8Array): Buffer {
  return Buffer.isBuffer(b) ? b : Buffer.from(b.buffer, b.byteOffset, b.byteLength);
}

export function snappyCompress(data: Uint8Array): Buffer {
  return native ? native.compressSync(asBuffer(data)) : asBuffer(js.compress(data));
}

/**
 * The length a snappy block says it decodes to (its leading varint), or -1
 * when the header is malformed.
 */
export function snappyDecodedLength(data: Uint8Array): number {
  let n = 0;
  for (let i = 0, shift = 0; i < data.length && i < 5; i++, shift += 7) {
    const c = data[i]!;
    n += (c & 0x7f) * 2 ** shift;
    if (c < 0x80) return n;
  }
  return -1;
}

/** maxLength guards against a hostile length header (checked before anything is allocated). */
export function snappyUncompress(data: Uint8Array, maxLength = 64 << 20): Buffer {
  const n = snappyDecodedLength(data);
  if (n < 0) throw new Error('snappy: invalid length header');
  if (n > maxLength) throw new Error(`snappy: decoded length ${n} exceeds the limit of ${maxLength} bytes`);
  if (!native) return asBuffer(js.uncompress(data, maxLength));
  return native.uncompressSync(asBuffer(data), { asBuffer: true });
}
