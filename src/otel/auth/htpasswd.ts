// htpasswd files for otelcol.auth.basic's server side (the basicauth
// extension's go-htpasswd): one "user:hash" per line. Hashes understood here:
// bcrypt ($2a$/$2b$/$2y$), {SHA}, {SSHA} and plain text (what Alloy appends for
// the deprecated username/password). Other schemes (apr1/MD5, crypt) are
// refused when the file is loaded, naming the user.
import { createHash, timingSafeEqual } from 'node:crypto';
import bcrypt from 'bcryptjs';

type Check = (password: string) => boolean;

function equal(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}

function checker(user: string, hash: string, where: string): Check {
  if (/^\$2[aby]\$/.test(hash)) return (pw) => bcrypt.compareSync(pw, hash);
  if (hash.startsWith('{SHA}')) {
    const want = Buffer.from(hash.slice(5), 'base64');
    return (pw) => equal(createHash('sha1').update(pw).digest(), want);
  }
  if (hash.startsWith('{SSHA}')) {
    const raw = Buffer.from(hash.slice(6), 'base64');
    const digest = raw.subarray(0, 20);
    const salt = raw.subarray(20);
    return (pw) => equal(createHash('sha1').update(pw).update(salt).digest(), digest);
  }
  if (/^\$(apr1|1|5|6)\$/.test(hash)) throw new Error(`${where}: user ${JSON.stringify(user)}: the ${hash.split('$')[1]} hash scheme is not supported (use bcrypt, {SHA}, {SSHA} or plain text)`);
  const want = Buffer.from(hash);
  return (pw) => equal(Buffer.from(pw), want);
}

export class Htpasswd {
  readonly #users = new Map<string, Check>();

  /** Later sources win for a user listed twice (inline over file). */
  add(text: string, where: string): this {
    for (const [i, raw] of text.split(/\r?\n/).entries()) {
      const line = raw.trim();
      if (!line || line.startsWith('#')) continue;
      const colon = line.indexOf(':');
      if (colon <= 0) throw new Error(`${where}: line ${i + 1}: want user:password`);
      const user = line.slice(0, colon);
      this.#users.set(user, checker(user, line.slice(colon + 1), where));
    }
    return this;
  }

  get size(): number {
    return this.#users.size;
  }

  verify(user: string, password: string): boolean {
    return this.#users.get(user)?.(password) ?? false;
  }
}
