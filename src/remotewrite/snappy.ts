// Snappy block format (what remote write requires), via snappyjs, which ships
// no type declarations.
import { createRequire } from 'node:module';

interface SnappyJs {
  compress(input: Uint8Array): Uint8Array;
  uncompress(input: Uint8Array, maxLength?: number): Uint8Array;
}

const snappy = createRequire(import.meta.url)('snappyjs') as SnappyJs;

export function compress(data: Uint8Array): Uint8Array {
  return snappy.compress(data);
}

/** maxLength guards against a hostile length header. */
export function uncompress(data: Uint8Array, maxLength = 64 << 20): Uint8Array {
  return snappy.uncompress(data, maxLength);
}
