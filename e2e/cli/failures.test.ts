// `alloy run` failing as a user meets it, with real processes: a bad log
// level in the config, bad flags, unreadable cluster TLS files, a cluster
// that refuses the join. Each prints one line (positioned for config errors),
// exits 1, and shows no stack frame unless ALLOY_DEBUG_STACKS asks for it.
// And the running server answers malformed requests as JSON, no stack.
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { jest } from '@jest/globals';
import { startAlloyProcess, type AlloyProcess } from '../lib/alloy-process.js';
import { freePorts } from '../lib/ports.js';
import { runAlloy, type CliResult } from './cli-run.js';

jest.setTimeout(180_000);

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'alloy-cli-failures-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
const running: AlloyProcess[] = [];
afterAll(async () => {
  for (const p of running.splice(0)) await p.stop();
});

const STACK_FRAME = /^\s+at .+/m;
const write = (name: string, text: string) => {
  const p = path.join(dir, name);
  fs.writeFileSync(p, text);
  return p;
};
const EMPTY = write('empty.alloy', '');

function expectOneLineFailure(r: CliResult, message: RegExp): void {
  const lines = r.stderr.trim().split('\n');
  expect({ code: r.code, lines }).toEqual({ code: 1, lines: [expect.stringMatching(message)] });
  expect(r.stderr).not.toMatch(STACK_FRAME);
}

const run = (args: string[], env?: Record<string, string>) =>
  runAlloy(['run', ...args, `--storage.path=${path.join(dir, 'data')}`], env ? { env } : {});

describe('alloy run fails with one line', () => {
  test('logging { level = "verbose" }: the position and the allowed values', async () => {
    const cfg = write('verbose.alloy', 'logging {\n  level = "verbose"\n}\n');
    const r = await run([cfg, '--server.http.listen-addr=127.0.0.1:0']);
    expectOneLineFailure(r, new RegExp(`^${cfg.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:2:11: logging: level: unknown value "verbose" \\(allowed: debug, info, warn, error\\)$`));
  });

  test('--log.level=verbose and a malformed listen address name the flag', async () => {
    expectOneLineFailure(await run([EMPTY, '--log.level=verbose']), /^--log\.level must be one of debug, info, warn, error$/);
    expectOneLineFailure(await run([EMPTY, '--server.http.listen-addr=nohost', '--cluster.enabled']), /^alloy: --server\.http\.listen-addr: expected host:port, got "nohost"$/);
  });

  test('unreadable cluster TLS files: the file and the flag', async () => {
    const missing = path.join(dir, 'no-ca.crt');
    const r = await run([EMPTY, '--server.http.listen-addr=127.0.0.1:0', '--cluster.enabled', '--cluster.listen-addr=127.0.0.1:0', '--cluster.enable-tls', `--cluster.tls-ca-path=${missing}`, `--cluster.tls-cert-path=${missing}`, `--cluster.tls-key-path=${missing}`]);
    expectOneLineFailure(r, /^alloy: cluster TLS: cannot read CA certificate \(--cluster\.tls-ca-path\) ".*no-ca\.crt": ENOENT/);
  });

  test('a gossip port already in use', async () => {
    const taken = net.createServer();
    await new Promise<void>((r) => taken.listen(0, '127.0.0.1', () => r()));
    const port = (taken.address() as net.AddressInfo).port;
    try {
      const r = await run([EMPTY, '--server.http.listen-addr=127.0.0.1:0', '--cluster.enabled', `--cluster.listen-addr=127.0.0.1:${port}`]);
      expectOneLineFailure(r, new RegExp(`^alloy: cluster: cannot listen on 127\\.0\\.0\\.1:${port}: .*EADDRINUSE`));
    } finally {
      await new Promise((r) => taken.close(r));
    }
  });

  test('a join the cluster refuses (another --cluster.name); ALLOY_DEBUG_STACKS=1 adds the stack', async () => {
    const [gossip] = await freePorts(1);
    const seed = await startAlloyProcess({ config: '', args: ['--cluster.enabled', `--cluster.listen-addr=127.0.0.1:${gossip}`, '--cluster.node-name=seed', '--cluster.name=blue'] });
    running.push(seed);
    const args = [EMPTY, '--server.http.listen-addr=127.0.0.1:0', '--cluster.enabled', '--cluster.listen-addr=127.0.0.1:0', '--cluster.node-name=other', '--cluster.name=green', `--cluster.join-addresses=127.0.0.1:${gossip}`, '--cluster.rejoin-interval=0s'];
    const r = await run(args);
    expectOneLineFailure(r, new RegExp(`^alloy: cluster: 127\\.0\\.0\\.1:${gossip} refused the join: cluster name mismatch: node "seed" is in cluster "blue", node "other" asked for "green"$`));
    const debug = await run(args, { ALLOY_DEBUG_STACKS: '1' });
    expect(debug.code).toBe(1);
    expect(debug.stderr.split('\n')[0]).toMatch(/^alloy: cluster: .* refused the join: cluster name mismatch/);
    expect(debug.stderr).toMatch(STACK_FRAME);
  });
});

describe('a running alloy answers malformed requests as JSON', () => {
  test('%ZZ, an overlong path, an unknown path', async () => {
    const p = await startAlloyProcess({ config: '' });
    running.push(p);
    const probes: [string, number, string][] = [
      ['/api/v0/web/components/%ZZ', 400, 'malformed percent-encoding in the request path'],
      [`/api/v0/web/components/${'x'.repeat(9000)}`, 414, 'request target too long: 9023 characters (at most 8192)'],
      ['/nothing/here', 404, 'not found: GET /nothing/here'],
    ];
    for (const [target, status, error] of probes) {
      const res = await fetch(`${p.url}${target}`);
      const text = await res.text();
      expect({ target: target.slice(0, 40), status: res.status, body: JSON.parse(text) }).toEqual({ target: target.slice(0, 40), status, body: { error } });
      expect(text).not.toMatch(STACK_FRAME);
      expect(text).not.toContain(path.resolve('.'));
    }
    expect(p.output()).not.toMatch(STACK_FRAME);
  });
});
