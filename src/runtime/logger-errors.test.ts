// Errors in log lines: type and message always, the stack only at debug level
// (a warn about a failed rejoin must not print a stack on the CLI).
import { PassThrough } from 'node:stream';
import { createLogger } from './logger.js';

function capture(level: string, format: 'json' | 'logfmt' = 'json') {
  const out = new PassThrough();
  let text = '';
  out.on('data', (b) => (text += String(b)));
  const logger = createLogger({ level, format, destination: out });
  return { logger, lines: () => text.split('\n').filter(Boolean) };
}
const flush = () => new Promise((r) => setImmediate(r));

describe('err in log lines', () => {
  const failure = () => Object.assign(new Error('rejoin failed', { cause: new Error('socket hang up') }), { code: 'ECONNRESET' });

  test('at info: type, message (with its causes, as pino folds them), code; no stack', async () => {
    const { logger, lines } = capture('info');
    logger.child({ component: 'cluster' }).warn({ err: failure() }, 'cluster: rejoin failed');
    await flush();
    const rec = JSON.parse(lines()[0]);
    expect(rec.err).toEqual({ type: 'Error', message: 'rejoin failed: socket hang up', code: 'ECONNRESET' });
    expect(lines()[0]).not.toMatch(/\s+at /);
  });

  test('at debug (also when switched at run time, as a reload does): the stack too', async () => {
    const { logger, lines } = capture('info');
    logger.level = 'debug';
    logger.warn({ err: failure() }, 'x');
    await flush();
    expect(JSON.parse(lines()[0]).err.stack).toMatch(/^Error: rejoin failed\n\s+at /);
  });

  test('logfmt carries the same fields', async () => {
    const { logger, lines } = capture('warn', 'logfmt');
    logger.error({ err: new TypeError('bad') }, 'boom');
    await flush();
    expect(lines()[0]).toMatch(/err="\{\\"type\\":\\"TypeError\\",\\"message\\":\\"bad\\"\}"/);
    expect(lines()[0]).not.toContain('stack');
  });

  test('a non-Error under err is logged as it is', async () => {
    const { logger, lines } = capture('info');
    logger.warn({ err: 'plain text' }, 'x');
    await flush();
    expect(JSON.parse(lines()[0]).err).toBe('plain text');
  });
});
