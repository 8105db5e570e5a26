// Structured logs: pino, one line per event, JSON or logfmt.
import { Writable } from 'node:stream';
import pino, { type Logger } from 'pino';
import { redactUrlPasswords } from '../redact.js';

export type LogFormat = 'json' | 'logfmt';
export const LOG_LEVELS = ['debug', 'info', 'warn', 'error'] as const;

export function createLogger(opts: { level?: string; format?: LogFormat; destination?: NodeJS.WritableStream } = {}): Logger {
  const level = opts.level ?? 'info';
  const dest = opts.destination ?? process.stderr;
  let logger: Logger | undefined;
  const serializers = { err: errorForLog(() => logger?.isLevelEnabled('debug') ?? false) };
  const base = { level, base: undefined, timestamp: pino.stdTimeFunctions.isoTime, formatters: { level: (label: string) => ({ level: label }) }, serializers };
  logger = opts.format === 'logfmt' ? pino(base, logfmtStream(dest)) : pino(base, redactingStream(dest));
  return logger;
}

/**
 * An Error logged under `err`: pino's fields (type, message, own properties)
 * without the stack, which is for developers: it stays at debug level only.
 */
export function errorForLog(debugEnabled: () => boolean) {
  const strip = (v: unknown): unknown => {
    if (typeof v !== 'object' || v === null) return v;
    const { stack, cause, aggregateErrors, ...rest } = v as Record<string, unknown>;
    return { ...rest, ...(cause !== undefined ? { cause: strip(cause) } : {}), ...(Array.isArray(aggregateErrors) ? { aggregateErrors: aggregateErrors.map(strip) } : {}) };
  };
  return (e: unknown): unknown => {
    if (!(e instanceof Error)) return e;
    const s = pino.stdSerializers.err(e);
    return debugEnabled() ? s : strip(s);
  };
}

/**
 * Every line passes redactUrlPasswords on its way out: a URL with a password
 * may sit in any field (an error message, a target, an argument), so the line
 * as a whole is the one place that catches them all.
 */
function redactingStream(dest: NodeJS.WritableStream): Writable {
  return new Writable({
    write(chunk, _enc, cb) {
      dest.write(redactUrlPasswords(String(chunk)));
      cb();
    },
  });
}

/** Re-encodes pino's JSON lines as logfmt (`ts=… level=info msg="…" component=…`). */
function logfmtStream(dest: NodeJS.WritableStream): Writable {
  return new Writable({
    write(chunk, _enc, cb) {
      for (const line of String(chunk).split('\n')) {
        if (!line) continue;
        try {
          dest.write(redactUrlPasswords(toLogfmt(JSON.parse(line))) + '\n');
        } catch {
          dest.write(redactUrlPasswords(line) + '\n');
        }
      }
      cb();
    },
  });
}

export function toLogfmt(rec: Record<string, unknown>): string {
  const { time, level, msg, ...rest } = rec;
  const pairs: [string, unknown][] = [['ts', time], ['level', level], ['msg', msg], ...Object.entries(rest)];
  return pairs
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${k}=${logfmtValue(v)}`)
    .join(' ');
}

function logfmtValue(v: unknown): string {
  const s = typeof v === 'string' ? v : JSON.stringify(v);
  return /^[^\s"=]+$/.test(s) ? s : JSON.stringify(s);
}
