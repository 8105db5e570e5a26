import '../components/index.js';
import { parse } from '../syntax/parser.js';
import { Diagnostic } from '../syntax/diagnostic.js';
import { decodeConfigBlocks } from './config-blocks.js';

const decode = (src: string) => decodeConfigBlocks(parse(src, 'cb.alloy'));
function error(src: string): string {
  try {
    decode(src);
  } catch (e) {
    if (!(e instanceof Diagnostic)) throw e;
    return e.message;
  }
  throw new Error('no error');
}

describe('logging', () => {
  test('defaults and values', () => {
    expect(decode('logging {\n}\n').logging).toEqual({ level: 'info', format: 'logfmt', destination: 'stderr', write_to: [] });
    expect(decode('logging {\n  level = "debug"\n  format = "json"\n}\n').logging).toMatchObject({ level: 'debug', format: 'json' });
    expect(decode('prometheus.relabel "x" {\n  forward_to = []\n}\n').logging).toBeUndefined();
  });

  test('bad values are positioned errors with the allowed values', () => {
    expect(error('logging {\n  level = "verbose"\n}\n')).toBe('cb.alloy:2:11: logging: level: unknown value "verbose" (allowed: debug, info, warn, error)');
    expect(error('logging {\n  format = "xml"\n}\n')).toBe('cb.alloy:2:12: logging: format: unknown value "xml" (allowed: logfmt, json)');
    expect(error('logging {\n  level = 3\n}\n')).toBe('cb.alloy:2:11: logging: level: unknown value "3" (allowed: debug, info, warn, error)');
    expect(error('logging {\n  colour = "red"\n}\n')).toBe('cb.alloy:2:3: unrecognized attribute name "colour"');
  });

  test('write_to may reference declared components only', () => {
    expect(decode('logging {\n  write_to = [loki.write.default.receiver]\n}\n\nloki.write "default" {\n}\n').logging?.level).toBe('info');
    expect(error('logging {\n  write_to = [loki.write.nope.receiver]\n}\n')).toBe('cb.alloy:2:15: reference to "loki.write.nope.receiver": no component with that name exists');
  });

  test('one block of each kind', () => {
    expect(error('logging {\n}\n\nlogging {\n}\n')).toBe('cb.alloy:4:1: config block "logging" already declared at cb.alloy:1:1');
  });
});

describe('http', () => {
  test('tls with client certificates', () => {
    const v = decode('http {\n  tls {\n    cert_file = "/c.pem"\n    key_file = "/k.pem"\n    client_ca_file = "/ca.pem"\n    client_auth_type = "RequireAndVerifyClientCert"\n    min_version = "TLS12"\n  }\n}\n');
    expect(v.http?.tls).toMatchObject({ cert_file: '/c.pem', key_file: '/k.pem', client_ca_file: '/ca.pem', client_auth_type: 'RequireAndVerifyClientCert', min_version: 'TLS12' });
  });

  test.each<[string, string]>([
    ['cert_pem = "x"\n    cert_file = "y"\n    key_file = "k"', 'cannot specify both cert_pem and cert_file'],
    ['key_file = "k"', 'must specify either cert_pem or cert_file'],
    ['cert_file = "c"', 'must specify either key_pem or key_file'],
    ['cert_file = "c"\n    key_file = "k"\n    client_ca_file = "ca"', 'cannot specify client_ca_pem or client_ca_file when client_auth_type is NoClientCert'],
    ['cert_file = "c"\n    key_file = "k"\n    client_auth_type = "Sometimes"', 'client_auth_type: unknown value "Sometimes" (allowed: NoClientCert, RequestClientCert, RequireAnyClientCert, VerifyClientCertIfGiven, RequireAndVerifyClientCert)'],
    ['cert_file = "c"\n    key_file = "k"\n    min_version = "TLS14"', 'min_version: unknown value "TLS14" (allowed: TLS10, TLS11, TLS12, TLS13)'],
    ['cert_file = "c"\n    key_file = "k"\n    cipher_suites = ["RC4"]', 'cipher_suites: unknown value "RC4"'],
    ['cert_file = "c"\n    key_file = "k"\n    curve_preferences = ["P-256"]', 'curve_preferences: unknown value "P-256" (allowed: CurveP256, CurveP384, CurveP521, X25519)'],
  ])('tls { %s } is refused', (body, reason) => {
    expect(error(`http {\n  tls {\n    ${body}\n  }\n}\n`)).toContain(`cb.alloy:2:3: ${reason}`);
  });

  test('auth', () => {
    const v = decode('http {\n  auth {\n    basic {\n      username = "u"\n      password = "p"\n    }\n    filter {\n      paths = ["/metrics"]\n    }\n  }\n}\n');
    expect(v.http?.auth?.basic?.username).toBe('u');
    expect(v.http?.auth?.basic?.password.reveal()).toBe('p');
    expect(v.http?.auth?.filter).toEqual({ paths: ['/metrics'], authenticate_matching_paths: true });
    expect(error('http {\n  auth {\n    basic {\n      username = "u"\n    }\n  }\n}\n')).toBe('cb.alloy:3:5: missing required attribute "password"');
  });
});

describe('tracing', () => {
  test('accepted and stored with defaults', () => {
    expect(decode('tracing {\n}\n').tracing).toEqual({ sampling_fraction: 0.1, send_traceparent: false, write_to: [] });
    expect(decode('tracing {\n  sampling_fraction = 0.5\n  sampler {\n    jaeger_remote {\n      refresh_interval = "30s"\n    }\n  }\n}\n').tracing).toMatchObject({
      sampling_fraction: 0.5,
      sampler: { jaeger_remote: { url: 'http://127.0.0.1:5778/sampling', max_operations: 256, refresh_interval: 30_000 } },
    });
    expect(error('tracing {\n  sampling_fraction = "most"\n}\n')).toBe('cb.alloy:2:23: sampling_fraction: expected number, got string "most" that is not a number');
  });
});
