// Which proxy (if any) a request goes through, with the rules of Alloy's client
// block (Prometheus common/config ProxyConfig, Go's x/net/http/httpproxy):
// - proxy_url alone: every request goes through it;
// - proxy_url + no_proxy: no_proxy's hosts, and loopback hosts, go direct;
// - proxy_from_environment: HTTPS_PROXY (https targets) or HTTP_PROXY (http
//   targets), upper case first then lower case, with NO_PROXY; loopback direct.
import { isIP } from 'node:net';

export interface ProxySettings {
  proxy_url?: string;
  no_proxy?: string;
  proxy_from_environment?: boolean;
}

/**
 * Alloy's (Prometheus's) rules for the proxy settings' combinations; `where`
 * prefixes the message (e.g. "oauth2").
 */
export function validateProxySettings(a: ProxySettings & { proxy_connect_header?: Record<string, unknown> }, where = ''): void {
  const at = where ? `${where}: ` : '';
  const url = a.proxy_url ?? '';
  const noProxy = a.no_proxy ?? '';
  if (Object.keys(a.proxy_connect_header ?? {}).length > 0 && !a.proxy_from_environment && url === '') {
    throw new Error(`${at}if proxy_connect_header is configured, proxy_url or proxy_from_environment must also be configured`);
  }
  if (a.proxy_from_environment && url !== '') throw new Error(`${at}if proxy_from_environment is configured, proxy_url must not be configured`);
  if (a.proxy_from_environment && noProxy !== '') throw new Error(`${at}if proxy_from_environment is configured, no_proxy must not be configured`);
  if (url === '' && noProxy !== '') throw new Error(`${at}if no_proxy is configured, proxy_url must also be configured`);
  if (url !== '') parseProxyUrl(url, `${at}proxy_url`);
}

/** The proxy for `target`, or undefined to connect directly. */
export function proxyFor(target: URL, s: ProxySettings, env: NodeJS.ProcessEnv = process.env): URL | undefined {
  if (s.proxy_from_environment) {
    const https = target.protocol === 'https:';
    const raw = https ? envAny(env, 'HTTPS_PROXY', 'https_proxy') : envAny(env, 'HTTP_PROXY', 'http_proxy');
    if (!raw) return undefined;
    return useProxy(target, envAny(env, 'NO_PROXY', 'no_proxy') ?? '') ? parseProxyUrl(raw, 'HTTP(S)_PROXY') : undefined;
  }
  const url = s.proxy_url ?? '';
  if (url === '') return undefined;
  // Prometheus: without no_proxy, http.ProxyURL (always, loopback included);
  // with it, httpproxy's rules (which also exempt loopback).
  if ((s.no_proxy ?? '') !== '' && !useProxy(target, s.no_proxy!)) return undefined;
  return parseProxyUrl(url, 'proxy_url');
}

/** A proxy URL; as in Go, one without a scheme means http://. */
export function parseProxyUrl(raw: string, what: string): URL {
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(raw) ? raw : `http://${raw}`;
  let u: URL;
  try {
    u = new URL(withScheme);
  } catch {
    throw new Error(`${what} ${JSON.stringify(raw)} is not a valid URL`);
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error(`${what} ${JSON.stringify(raw)}: scheme must be http or https (socks proxies are not supported)`);
  return u;
}

function envAny(env: NodeJS.ProcessEnv, ...names: string[]): string | undefined {
  for (const n of names) {
    const v = env[n];
    if (v) return v;
  }
  return undefined;
}

/** False when the target must be reached directly (httpproxy's useProxy). */
export function useProxy(target: URL, noProxy: string): boolean {
  const host = stripBrackets(target.hostname).toLowerCase();
  const port = target.port || (target.protocol === 'https:' ? '443' : '80');
  if (host === 'localhost' || isLoopback(host)) return false;
  for (const entry of noProxy.split(',').map((e) => e.trim().toLowerCase()).filter(Boolean)) {
    if (entry === '*') return false;
    if (entry.includes('/') && isIP(host)) {
      if (inCidr(host, entry)) return false;
      continue;
    }
    const { name, port: entryPort } = splitHostPort(entry);
    if (entryPort && entryPort !== port) continue;
    if (isIP(name)) {
      if (name === host) return false;
      continue;
    }
    // "foo.com" (or "*.foo.com") matches foo.com and its subdomains; ".foo.com" only the subdomains.
    let suffix = name.startsWith('*.') ? name.slice(1) : name;
    const matchHost = !suffix.startsWith('.');
    if (matchHost) suffix = `.${suffix}`;
    if (host.endsWith(suffix) || (matchHost && host === suffix.slice(1))) return false;
  }
  return true;
}

function stripBrackets(h: string): string {
  return h.startsWith('[') && h.endsWith(']') ? h.slice(1, -1) : h;
}

function splitHostPort(entry: string): { name: string; port?: string } {
  const v6 = /^\[([^\]]+)\](?::(\d+))?$/.exec(entry);
  if (v6) return { name: v6[1]!, port: v6[2] };
  if (isIP(entry) === 6) return { name: entry };
  const m = /^(.*):(\d+)$/.exec(entry);
  return m ? { name: m[1]!, port: m[2] } : { name: entry };
}

function isLoopback(host: string): boolean {
  if (isIP(host) === 4) return host.startsWith('127.');
  if (isIP(host) === 6) return host === '::1' || /^(0:){7}1$/.test(host) || host.startsWith('::ffff:127.');
  return false;
}

function inCidr(ip: string, cidr: string): boolean {
  const [base, bitsText] = cidr.split('/');
  const bits = Number(bitsText);
  if (!base || !Number.isInteger(bits) || isIP(base) === 0 || isIP(base) !== isIP(ip)) return false;
  const a = ipBytes(ip);
  const b = ipBytes(base);
  if (bits < 0 || bits > a.length * 8) return false;
  for (let i = 0; i < bits; i++) {
    const byte = i >> 3;
    const mask = 0x80 >> (i & 7);
    if ((a[byte]! & mask) !== (b[byte]! & mask)) return false;
  }
  return true;
}

function ipBytes(ip: string): number[] {
  if (isIP(ip) === 4) return ip.split('.').map(Number);
  // Expand "::" and any trailing dotted quad into 16 bytes.
  let text = ip;
  const quad = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (quad) {
    const q = quad[1]!.split('.').map(Number);
    text = text.slice(0, -quad[1]!.length) + `${((q[0]! << 8) | q[1]!).toString(16)}:${((q[2]! << 8) | q[3]!).toString(16)}`;
  }
  const [head, tail] = text.split('::');
  const h = head ? head.split(':') : [];
  const t = tail !== undefined ? (tail ? tail.split(':') : []) : [];
  const groups = tail !== undefined ? [...h, ...Array(8 - h.length - t.length).fill('0'), ...t] : h;
  return groups.flatMap((g) => {
    const n = parseInt(g || '0', 16);
    return [n >> 8, n & 0xff];
  });
}
