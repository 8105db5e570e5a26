import { createRequire } from 'node:module';
import { snappyCompress, snappyDecodedLength, snappyImplementation, snappyUncompress } from './snappy.js';

const snappyjs = createRequire(import.meta.url)('snappyjs') as { compress(b: Uint8Array): Uint8Array; uncompress(b: Uint8Array): Uint8Array };

const text = Buffer.from('remote write '.repeat(500) + 'loki push '.repeat(300));

test('the native binding loads on this platform (the fast path the collector ships with)', () => {
  expect(snappyImplementation).toBe('native');
});

test('round-trips and interoperates with an independent implementation in both directions', () => {
  const c = snappyCompress(text);
  expect(c.length).toBeLessThan(text.length / 10);
  expect(Buffer.from(snappyjs.uncompress(c)).equals(text)).toBe(true);
  expect(snappyUncompress(snappyjs.compress(text)).equals(text)).toBe(true);
  expect(snappyUncompress(snappyCompress(new Uint8Array(0))).length).toBe(0);
  // A view into a larger buffer compresses only its own bytes.
  const big = Buffer.concat([Buffer.alloc(100, 1), text, Buffer.alloc(100, 2)]);
  expect(snappyUncompress(snappyCompress(big.subarray(100, 100 + text.length))).equals(text)).toBe(true);
});

test('a length header over the limit or malformed is refused before decoding', () => {
  const c = snappyCompress(text);
  expect(snappyDecodedLength(c)).toBe(text.length);
  expect(() => snappyUncompress(c, text.length - 1)).toThrow(`decoded length ${text.length} exceeds the limit of ${text.length - 1} bytes`);
  expect(() => snappyUncompress(Buffer.from([0xff, 0xff, 0xff, 0xff, 0xff, 0xff]))).toThrow('invalid length header');
  // A claimed 1 GiB body in a few bytes: refused by the default 64 MiB limit.
  expect(() => snappyUncompress(Buffer.from([0x80, 0x80, 0x80, 0x80, 0x04, 0x00]))).toThrow('exceeds the limit');
  // Garbage after a plausible header is an error, not a crash.
  expect(() => snappyUncompress(Buffer.from([0x10, 0xfe, 0xfe, 0xfe]))).toThrow();
});
