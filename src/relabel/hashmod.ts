// hashmod as Prometheus computes it: md5 of the joined source values, the
// LAST 8 bytes read as a big-endian unsigned 64-bit integer, modulo the
// modulus. Same inputs give the same shard as Prometheus and Alloy.
import { createHash } from 'node:crypto';

export function hashmod(value: string, modulus: bigint): bigint {
  const digest = createHash('md5').update(value, 'utf8').digest();
  return digest.readBigUInt64BE(8) % modulus;
}
