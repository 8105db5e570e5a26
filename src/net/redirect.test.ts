// Go's redirect rules for follow_redirects: which answers redirect, what the
// next request is, and when credentials stay behind.
import { redirectStep } from './redirect.js';

const from = new URL('http://a.example:3100/loki/api/v1/push');

describe('redirectStep', () => {
  it('307/308 repeat the method and body; 301/302/303 turn a POST into a GET without body', () => {
    expect(redirectStep(307, '/x', from, 'POST')).toMatchObject({ method: 'POST', keepBody: true, url: new URL('http://a.example:3100/x') });
    expect(redirectStep(308, '/x', from, 'POST')).toMatchObject({ method: 'POST', keepBody: true });
    for (const s of [301, 302, 303]) expect(redirectStep(s, '/x', from, 'POST')).toMatchObject({ method: 'GET', keepBody: false });
    expect(redirectStep(302, '/x', from, 'GET')).toMatchObject({ method: 'GET' });
  });

  it('Authorization stays with the same host only', () => {
    expect(redirectStep(307, 'http://a.example:3100/y', from, 'POST')?.keepAuth).toBe(true);
    expect(redirectStep(307, 'http://b.example/y', from, 'POST')?.keepAuth).toBe(false);
  });

  it('not a redirect: other statuses, no Location, or a non-http scheme', () => {
    expect(redirectStep(200, '/x', from, 'POST')).toBeUndefined();
    expect(redirectStep(304, '/x', from, 'GET')).toBeUndefined();
    expect(redirectStep(302, undefined, from, 'GET')).toBeUndefined();
    expect(redirectStep(302, 'ftp://x/y', from, 'GET')).toBeUndefined();
  });
});
