// The one HTTP client block is accepted, with oauth2, by every client we ship.
import '../components/index.js';
import { getComponent } from '../runtime/registry.js';
import { decodeBlock } from '../runtime/decode.js';
import { parse } from '../syntax/parser.js';
import { stdlib } from '../syntax/stdlib.js';
import { validateHttpClient } from './client-schema.js';

const oauth2 = `oauth2 {
    client_id     = "id"
    client_secret = "s3cr3t-v4lue"
    token_url     = "http://127.0.0.1:1/token"
    scopes        = ["a"]
  }
  http_headers     = { "X-Team" = ["obs"] }
  follow_redirects = false
  enable_http2     = false`;

function decode(name: string, body: string): Record<string, any> {
  const file = parse(`${name} "x" {\n${body}\n}\n`, 'client.alloy');
  const block = file.body[0] as any;
  return decodeBlock(block.body, getComponent(name)!.args, { lookup: (n) => (stdlib as any)[n] }, block.pos);
}

describe('http client block', () => {
  it.each([
    ['discovery.kubernetes', `role = "pod"\napi_server = "http://127.0.0.1:6443"\n${oauth2}`],
    ['loki.write', `endpoint {\n url = "http://127.0.0.1:3100/loki/api/v1/push"\n ${oauth2}\n}`],
    ['prometheus.remote_write', `endpoint {\n url = "http://127.0.0.1:9090/api/v1/write"\n ${oauth2}\n}`],
    ['mimir.rules.kubernetes', `address = "http://127.0.0.1:8080"\n${oauth2}`],
    ['prometheus.operator.servicemonitors', `forward_to = []\nclient {\n api_server = "http://127.0.0.1:6443"\n ${oauth2}\n}`],
  ])('%s accepts oauth2 and the transport options', (name, body) => {
    const a = decode(name, body);
    const client = a.endpoint?.[0] ?? a.client ?? a;
    expect(client.oauth2.client_id).toBe('id');
    expect(client.follow_redirects).toBe(false);
    expect(String(client.oauth2.client_secret)).toBe("(secret)");
    expect(JSON.stringify(client)).not.toContain("s3cr3t-v4lue");
  });

  it('names the conflicting settings, as Prometheus does', () => {
    expect(() => validateHttpClient({ bearer_token: 'a', oauth2: { client_id: 'x', token_url: 'http://t' } })).toThrow("at most one of 'bearer_token' and 'oauth2' may be set");
    expect(() => validateHttpClient({ no_proxy: 'example.com' })).toThrow('if no_proxy is configured, proxy_url must also be configured');
    expect(() => validateHttpClient({ proxy_from_environment: true, proxy_url: 'http://p:1' })).toThrow('if proxy_from_environment is configured, proxy_url must not be configured');
    expect(() => validateHttpClient({ proxy_url: 'http://p:1', no_proxy: 'example.com', proxy_connect_header: { 'X-A': ['1'] } })).not.toThrow();
    expect(() => validateHttpClient({ proxy_from_environment: true, proxy_connect_header: { 'X-A': ['1'] } })).not.toThrow();
    expect(() => validateHttpClient({ proxy_connect_header: { 'X-A': ['1'] } })).toThrow('if proxy_connect_header is configured, proxy_url or proxy_from_environment must also be configured');
    expect(() => validateHttpClient({ proxy_from_environment: true, no_proxy: 'x' })).toThrow('if proxy_from_environment is configured, no_proxy must not be configured');
    expect(() => validateHttpClient({ proxy_url: 'socks5://p:1' })).toThrow(/proxy_url "socks5:\/\/p:1": scheme must be http or https/);
    expect(() => validateHttpClient({ proxy_url: 'http://p:1' }, undefined, { proxyUrlOnly: true })).not.toThrow();
    expect(() => validateHttpClient({ proxy_url: 'http://p:1', no_proxy: 'x' }, undefined, { proxyUrlOnly: true })).toThrow(/supports proxy_url only/);
  });

  it('refuses oauth2 with a bearer token at the config, positioned', () => {
    expect(() => decode('loki.write', `endpoint {\n url = "http://127.0.0.1:1"\n bearer_token = "t"\n ${oauth2}\n}`)).toThrow(/client\.alloy:2:1: at most one of 'bearer_token' and 'oauth2' may be set/);
  });
});
