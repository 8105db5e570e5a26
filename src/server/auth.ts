// The http block's auth (Alloy's internal/service/http/auth.go): basic auth
// on every path, or, with a filter block, only on the paths matching one of
// its prefixes (authenticate_matching_paths = true) or only on the others.
import crypto from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import type { HttpAuthConfig } from '../runtime/config-blocks.js';

const digest = (s: string) => crypto.createHash('sha256').update(s, 'utf8').digest();

/** Compares hashes in constant time, so neither the length nor the content leaks through timing. */
function same(a: string, b: string): boolean {
  return crypto.timingSafeEqual(digest(a), digest(b));
}

function credentials(req: Request): { user: string; pass: string } | undefined {
  const h = req.headers.authorization;
  if (!h || !/^basic /i.test(h)) return undefined;
  const decoded = Buffer.from(h.slice(6).trim(), 'base64').toString('utf8');
  const i = decoded.indexOf(':');
  if (i < 0) return undefined;
  return { user: decoded.slice(0, i), pass: decoded.slice(i + 1) };
}

/** Express middleware reading the current auth settings on every request (they change on reload). */
export function authMiddleware(current: () => HttpAuthConfig | undefined) {
  return (req: Request, res: Response, next: NextFunction) => {
    const auth = current();
    const basic = auth?.basic;
    if (!basic) return next();
    // No filter block: Alloy's zero-valued filter authenticates every path.
    const filter = auth.filter ?? { paths: [], authenticate_matching_paths: false };
    const matches = filter.paths.some((p) => req.path.startsWith(p));
    if (filter.authenticate_matching_paths !== matches) return next();
    const c = credentials(req);
    const ok = !!c && same(c.user, basic.username) && same(c.pass, basic.password.reveal());
    if (ok) return next();
    res.set('WWW-Authenticate', 'Basic realm="Restricted"').status(401).send('unauthorized\n');
  };
}
