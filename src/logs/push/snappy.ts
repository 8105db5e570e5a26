// snappyjs ships no type declarations; load it through require and give it
// the two signatures we use (block format, as Loki and Prometheus expect).
import { createRequire } from 'node:module';

interface SnappyJs {
  compress(input: Uint8Array): Uint8Array;
  uncompress(input: Uint8Array, maxLength?: number): Uint8Array;
}

const snappy = createRequire(import.meta.url)('snappyjs') as SnappyJs;

export function snappyCompress(data: Uint8Array): Buffer {
  const out = snappy.compress(data);
  return Buffer.from(out.buffer, out.byteOffset, out.byteLength);
}

/** maxLength guards against a hostile size header. */
export function snappyUncompress(data: Uint8Array, maxLength = 64 << 20): Buffer {
  const out = snappy.uncompress(data, maxLength);
  return Buffer.from(out.buffer, out.byteOffset, out.byteLength);
}
