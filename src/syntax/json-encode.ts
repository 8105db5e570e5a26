// encoding.to_json: Go's json.Marshal of the decoded value, which is what
// Alloy produces. Object keys are sorted (by UTF-8 bytes), "<", ">" and "&"
// are escaped as \u003c \u003e \u0026, as are U+2028 and U+2029.
import { Secret } from './secret.js';
import { isObject, typeOf, type Value } from './value.js';

const byUtf8 = (a: string, b: string) => Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));

function encodeString(s: string): string {
  let out = '"';
  for (const ch of s) {
    const cp = ch.codePointAt(0)!;
    if (ch === '"') out += '\\"';
    else if (ch === '\\') out += '\\\\';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (cp < 0x20 || ch === '<' || ch === '>' || ch === '&' || cp === 0x2028 || cp === 0x2029) {
      out += '\\u' + cp.toString(16).padStart(4, '0');
    } else if (cp >= 0xd800 && cp <= 0xdfff) out += '\ufffd'; // a lone surrogate: Go writes the replacement character
    else out += ch;
  }
  return out + '"';
}

function encode(v: Value, depth: number): string {
  if (depth > 1000) throw new Error('json: value nested too deeply');
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) throw new Error(`json: unsupported value: ${Number.isNaN(v) ? 'NaN' : v > 0 ? '+Inf' : '-Inf'}`);
    return JSON.stringify(v); // same shortest form and exponent thresholds (1e-6, 1e21) as Go's encoder
  }
  if (typeof v === 'string') return encodeString(v);
  // Alloy hands the secret's Go value (a string) to the encoder, so its text is written.
  if (v instanceof Secret) return encodeString(v.reveal());
  if (Array.isArray(v)) return '[' + v.map((el) => encode(el, depth + 1)).join(',') + ']';
  if (isObject(v)) {
    const keys = Object.keys(v).sort(byUtf8);
    return '{' + keys.map((k) => `${encodeString(k)}:${encode(v[k], depth + 1)}`).join(',') + '}';
  }
  throw new Error(`json: unsupported type: ${typeOf(v)}`);
}

export function toJson(v: Value): string {
  if (!isObject(v)) throw new Error(`only an object can be encoded, got ${typeOf(v)}`);
  return encode(v, 0);
}
