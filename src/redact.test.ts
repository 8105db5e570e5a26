import { Writable } from 'node:stream';
import { describeExternalText, redactUrlPasswords } from './redact.js';
import { createLogger } from './runtime/logger.js';
import { toDisplay } from './runtime/values.js';

describe('redactUrlPasswords', () => {
  it.each([
    ['http://user:pass@host:9090/api/v1/write', 'http://user:xxxxx@host:9090/api/v1/write'],
    ['POST https://u:p%40ss@10.0.0.1/x: connect refused', 'POST https://u:xxxxx@10.0.0.1/x: connect refused'],
    ['two: http://a:b@h1/ and socks5://c:d@h2:1080', 'two: http://a:xxxxx@h1/ and socks5://c:xxxxx@h2:1080'],
    ['{"url":"http://user:secret@host/"}', '{"url":"http://user:xxxxx@host/"}'],
    // A user without a password, and text that only looks similar, stay as they are.
    ['http://user@host/', 'http://user@host/'],
    ['http://host:9090/path?a=b@c', 'http://host:9090/path?a=b@c'],
    ['mailto:me@example.org', 'mailto:me@example.org'],
  ])('%s', (input, want) => {
    expect(redactUrlPasswords(input)).toBe(want);
  });
});

describe('describeExternalText', () => {
  it('takes out the request credentials a server echoed, escapes controls and cuts', () => {
    const body = `bad request\nheaders: Authorization: Bearer tok-123456 X-Scope: a\u001b[31m` + 'x'.repeat(500);
    const d = describeExternalText(body, { max: 80, secrets: ['tok-123456', undefined, 'ab'] });
    expect(d).not.toContain('tok-123456');
    expect(d).toContain('Bearer (secret)');
    expect(d).toContain('\\x1b[31m');
    expect(d).not.toContain('\n');
    expect(d).toMatch(/… \(\d+ more characters\)$/);
    expect(d.length).toBeLessThan(120);
    // Too short to be a credential: ordinary words are not blanked.
    expect(describeExternalText('a tab', { secrets: ['ab'] })).toBe('a tab');
  });
});

describe('where text leaves the process', () => {
  it('log lines (JSON and logfmt) never carry a URL password', async () => {
    for (const format of ['json', 'logfmt'] as const) {
      let out = '';
      const dest = new Writable({ write: (c, _e, cb) => ((out += String(c)), cb()) });
      const log = createLogger({ format, destination: dest });
      log.warn({ url: 'http://admin:hunter22@127.0.0.1:9/x', err: 'GET http://admin:hunter22@127.0.0.1:9/x: refused' }, 'send failed');
      await new Promise((r) => setImmediate(r));
      expect(out).toContain('admin:xxxxx@127.0.0.1');
      expect(out).not.toContain('hunter22');
    }
  });

  it('the components API view redacts URL passwords in arguments and debug info', () => {
    const shown = toDisplay({ endpoint: [{ url: 'https://u:pw1234@127.0.0.1/push' }], last_error: 'POST https://u:pw1234@127.0.0.1/push: 500' });
    expect(JSON.stringify(shown)).not.toContain('pw1234');
    expect(shown).toEqual({ endpoint: [{ url: 'https://u:xxxxx@127.0.0.1/push' }], last_error: 'POST https://u:xxxxx@127.0.0.1/push: 500' });
  });
});
