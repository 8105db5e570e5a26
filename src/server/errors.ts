// How the HTTP server answers what no route answered: a JSON body
// `{"error": "..."}` and never a stack trace or an install path. Express's
// own final handler (finalhandler) renders an HTML page with the error's
// stack outside NODE_ENV=production; these handlers replace it, and the
// clientError handler replaces Node's empty 400/431 for requests that never
// parse as HTTP.
import http from 'node:http';
import type { Duplex } from 'node:stream';
import type { NextFunction, Request, Response } from 'express';
import type { Logger } from 'pino';

/** Longest request target served; longer ones get 414 before any route sees them. */
export const MAX_URL_LENGTH = 8192;
/** Longest piece of a request (a path, an id) echoed in an error message. */
const MAX_ECHO = 200;

/** A request value for an error message: bounded, on one line. */
export function echo(v: string): string {
  const one = v.replace(/[\r\n\t]/g, ' ');
  return one.length > MAX_ECHO ? `${one.slice(0, MAX_ECHO)}… (${one.length} characters)` : one;
}

/** Refuses an overlong request target before routing (ids and paths are echoed in 404s). */
export function limitUrlLength(req: Request, res: Response, next: NextFunction): void {
  if (req.originalUrl.length <= MAX_URL_LENGTH) return next();
  res.status(414).json({ error: `request target too long: ${req.originalUrl.length} characters (at most ${MAX_URL_LENGTH})` });
}

/** The JSON 404 of a path no route serves. */
export function notFound(req: Request, res: Response): void {
  res.status(404).json({ error: `not found: ${req.method} ${echo(req.path)}` });
}

interface HttpishError {
  status?: unknown;
  statusCode?: unknown;
  expose?: unknown;
  message?: unknown;
  stack?: unknown;
}

function statusOf(err: HttpishError): number {
  const s = Number(err.status ?? err.statusCode);
  return Number.isInteger(s) && s >= 400 && s <= 599 ? s : 500;
}

/**
 * What a client is told about a 4xx the request caused. Errors made for
 * clients (http-errors sets `expose`; express's own "Failed to decode param")
 * keep their message; anything else gets the status text only.
 */
function clientMessage(err: HttpishError, status: number): string {
  if (err.expose === true && typeof err.message === 'string' && err.message) return echo(err.message);
  if (err instanceof URIError) return 'malformed percent-encoding in the request path';
  return (http.STATUS_CODES[status] ?? 'bad request').toLowerCase();
}

/** Express error middleware (four arguments): the last `app.use` of the server. */
export function errorHandler(logger: Logger) {
  return (e: unknown, req: Request, res: Response, _next: NextFunction): void => {
    const err = (typeof e === 'object' && e !== null ? e : { message: String(e) }) as HttpishError;
    const status = statusOf(err);
    const where = { method: req.method, path: echo(req.path) };
    if (status < 500) {
      logger.debug({ ...where, status, err: String(err.message ?? '') }, 'http: request refused');
    } else {
      // Once, with the message; the stack only for whoever runs at debug level.
      logger.error({ ...where, status, err: String(err.message ?? e) }, 'http: request failed');
      logger.debug({ ...where, stack: typeof err.stack === 'string' ? err.stack : undefined }, 'http: request failure stack');
    }
    if (res.headersSent) {
      // Part of a body went out: the only honest end is to cut the connection.
      res.destroy();
      return;
    }
    const body = status < 500 ? clientMessage(err, status) : "internal error; the collector's log has the details";
    res.status(status).json({ error: body });
  };
}

/**
 * Node's 'clientError' for requests that are not HTTP (bad request line,
 * headers over the size limit): a JSON answer instead of an empty one.
 */
export function answerClientError(err: NodeJS.ErrnoException, socket: Duplex): void {
  if (!socket.writable || (socket as Duplex & { _httpMessage?: unknown })._httpMessage) {
    socket.destroy();
    return;
  }
  const tooLarge = err.code === 'HPE_HEADER_OVERFLOW';
  const status = tooLarge ? 431 : 400;
  const body = JSON.stringify({ error: tooLarge ? 'request headers too large' : 'malformed HTTP request' });
  socket.end(
    `HTTP/1.1 ${status} ${http.STATUS_CODES[status]}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}
