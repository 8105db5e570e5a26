// Go's net/url QueryEscape and QueryUnescape, which Alloy's encoding.url_encode
// and encoding.url_decode call: a space becomes "+", every byte outside
// A-Z a-z 0-9 - _ . ~ becomes %XX (upper-case hex of its UTF-8 bytes).

const UNRESERVED = /^[A-Za-z0-9\-_.~]$/;

export function queryEscape(s: string): string {
  let out = '';
  for (const byte of Buffer.from(s, 'utf8')) {
    const c = String.fromCharCode(byte);
    if (UNRESERVED.test(c)) out += c;
    else if (c === ' ') out += '+';
    else out += '%' + byte.toString(16).toUpperCase().padStart(2, '0');
  }
  return out;
}

const isHex = (c: string | undefined) => c !== undefined && /^[0-9A-Fa-f]$/.test(c);

/** Throws Go's error text (`invalid URL escape "%zz"`) on a malformed escape. */
export function queryUnescape(s: string): string {
  const bytes: number[] = [];
  const input = Buffer.from(s, 'utf8');
  const text = input.toString('latin1'); // one char per byte, so indexes match Go's
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '%') {
      if (!isHex(text[i + 1]) || !isHex(text[i + 2])) {
        const bad = input.subarray(i, i + 3).toString('utf8');
        throw new Error(`invalid URL escape ${JSON.stringify(bad)}`);
      }
      bytes.push(parseInt(text.slice(i + 1, i + 3), 16));
      i += 2;
    } else if (c === '+') {
      bytes.push(0x20);
    } else {
      bytes.push(input[i]);
    }
  }
  return Buffer.from(bytes).toString('utf8');
}
