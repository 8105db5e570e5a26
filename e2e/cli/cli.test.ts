// The CLI as a user meets it, with real processes: `alloy run DIR`,
// `alloy validate`, `alloy fmt -t`, --stability.level, value conversions and
// the logging and http config blocks.
import fs from 'node:fs';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import { startAlloyProcess, type AlloyProcess } from '../lib/alloy-process.js';
import { waitFor } from '../lib/wait.js';
import { makeCert, type SelfSignedCert } from '../../src/net/certs.js';
import { startLokiReceiver } from '../../src/sandbox/receivers/loki-receiver.js';
import { runAlloy } from './cli-run.js';
import { jest } from '@jest/globals';

jest.setTimeout(180_000); // each test spawns several tsx processes, slow on a loaded machine

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'alloy-cli-e2e-'));
const running: AlloyProcess[] = [];
afterEach(async () => {
  for (const p of running.splice(0)) await p.stop();
});
async function start(opts: Parameters<typeof startAlloyProcess>[0]): Promise<AlloyProcess> {
  const p = await startAlloyProcess(opts);
  running.push(p);
  return p;
}
const component = async (p: AlloyProcess, id: string) => {
  const res = await fetch(`${p.url}/api/v0/web/components/${id}`);
  return res.ok ? ((await res.json()) as { arguments: any; exports: any; health: { state: string } }) : undefined;
};

const RELABEL_A = `prometheus.relabel "a" {
	forward_to = [prometheus.relabel.b.receiver]
}
`;
const RELABEL_B = `prometheus.relabel "b" {
	forward_to = []
}
`;

describe('alloy run DIR', () => {
  test('every *.alloy file of the directory is one config; errors name the file', async () => {
    const dir = tmp();
    fs.writeFileSync(path.join(dir, 'a.alloy'), RELABEL_A);
    fs.writeFileSync(path.join(dir, 'b.alloy'), RELABEL_B);
    fs.writeFileSync(path.join(dir, 'README.md'), 'not a config');
    const p = await start({ config: '', configPath: dir, args: ['--config.watch-interval=200ms'] });
    const list = (await (await fetch(`${p.url}/api/v0/web/components`)).json()) as { id: string }[];
    expect(list.map((c) => c.id).sort()).toEqual(['prometheus.relabel.a', 'prometheus.relabel.b']);
    expect((await component(p, 'prometheus.relabel.a'))?.health.state).toBe('healthy');

    // A new file in the directory is picked up by the config watcher.
    fs.writeFileSync(path.join(dir, 'c.alloy'), RELABEL_B.replace('"b"', '"c"'));
    await waitFor('prometheus.relabel.c in the API', () => component(p, 'prometheus.relabel.c'), { timeoutMs: 30_000 });

    // A bad edit in one file: the reload is refused with that file's position, the running config stays.
    fs.writeFileSync(path.join(dir, 'b.alloy'), 'prometheus.relabel "b" {\n\tforward_to = []\n\tmax_cache_size = "huge"\n}\n');
    const res = await fetch(`${p.url}/-/reload`, { method: 'POST' });
    expect(res.status).toBe(400);
    expect(await res.text()).toContain(`${path.join(dir, 'b.alloy')}:3:19: max_cache_size: expected number, got string "huge"`);
    expect(await component(p, 'prometheus.relabel.b')).toBeDefined();
  });

  test('a first load that fails exits 1 with the positioned error and no stack trace', async () => {
    const dir = tmp();
    fs.writeFileSync(path.join(dir, 'a.alloy'), RELABEL_A);
    fs.writeFileSync(path.join(dir, 'b.alloy'), RELABEL_B.replace('prometheus.relabel "b"', 'prometheus.relabel "a"'));
    const r = await runAlloy(['run', dir, '--server.http.listen-addr=127.0.0.1:0', `--storage.path=${path.join(dir, 'data')}`]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`${path.join(dir, 'b.alloy')}:1:1: component "prometheus.relabel.a" already declared at ${path.join(dir, 'a.alloy')}:1:1`);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});

describe('alloy validate', () => {
  test('exit 0 and silence for a valid file or directory', async () => {
    const dir = tmp();
    fs.writeFileSync(path.join(dir, 'a.alloy'), RELABEL_A);
    fs.writeFileSync(path.join(dir, 'b.alloy'), RELABEL_B);
    expect(await runAlloy(['validate', dir])).toMatchObject({ code: 0, stderr: '' });
    expect(await runAlloy(['validate', path.join(dir, 'b.alloy')])).toMatchObject({ code: 0, stderr: '' });
  });

  test('exit 1 with every positioned error', async () => {
    const dir = tmp();
    fs.writeFileSync(path.join(dir, 'a.alloy'), 'logging {\n\tlevel = "verbose"\n}\n');
    fs.writeFileSync(path.join(dir, 'b.alloy'), RELABEL_B);
    const r = await runAlloy(['validate', dir]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`${path.join(dir, 'a.alloy')}:2:10: logging: level: unknown value "verbose" (allowed: debug, info, warn, error)`);
    fs.writeFileSync(path.join(dir, 'a.alloy'), 'prometheus.relabel "a" {\n\tforward_to = []\n\tmax_cache_size = "x"\n}\n');
    fs.writeFileSync(path.join(dir, 'b.alloy'), 'prometheus.relabel "b" {\n\tforward_to = 1\n}\n');
    const both = await runAlloy(['validate', dir]);
    expect(both.code).toBe(1);
    expect(both.stderr).toContain(`${path.join(dir, 'a.alloy')}:3:19: max_cache_size`);
    expect(both.stderr).toContain(`${path.join(dir, 'b.alloy')}:2:15: forward_to: expected list(capsule("storage.Appendable")), got number`);
    expect(both.stderr).toContain('validation failed: 2 errors');
  });

  test('a missing path is an error, not a crash', async () => {
    const r = await runAlloy(['validate', '/nonexistent/config.alloy']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('ENOENT');
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});

describe('alloy fmt -t / --test', () => {
  test('exit 0 for a formatted file, non-zero for one that is not; -w and -t together are refused', async () => {
    const dir = tmp();
    const good = path.join(dir, 'good.alloy');
    const bad = path.join(dir, 'bad.alloy');
    fs.writeFileSync(good, RELABEL_B);
    fs.writeFileSync(bad, 'prometheus.relabel "b" {\n  forward_to    = []\n}\n');
    expect(await runAlloy(['fmt', '-t', good])).toMatchObject({ code: 0, stdout: '' });
    expect(await runAlloy(['fmt', '--test', good])).toMatchObject({ code: 0, stdout: '' });
    const r = await runAlloy(['fmt', '--test', bad]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`file ${bad} is not formatted correctly`);
    expect((await runAlloy(['fmt', '-t', bad])).code).toBe(1);
    expect(fs.readFileSync(bad, 'utf8')).toContain('forward_to    = []'); // --test never writes
    const both = await runAlloy(['fmt', '-t', '-w', bad]);
    expect(both.code).toBe(1);
    expect(both.stderr).toContain('cannot use -w/--write and -t/--test at the same time');
  });

  test('standard input', async () => {
    expect(await runAlloy(['fmt'], { stdin: 'a   =  1\n' })).toMatchObject({ code: 0, stdout: 'a = 1\n' });
    expect((await runAlloy(['fmt', '-t', '-'], { stdin: 'a   =  1\n' })).code).toBe(1);
  });
});

describe('--stability.level', () => {
  const config = `discovery.relabel "joined" {
	targets = array.combine_maps([{"__address__" = "a:1", team = "A"}], [{"__address__" = "a:1", cluster = "prod"}], ["__address__"])

	rule {
		action       = "replace"
		target_label = "joined"
		replacement  = "yes"
	}
}
`;

  test('an experimental function is refused at the default level, naming it, its level and the flag', async () => {
    const dir = tmp();
    const file = path.join(dir, 'c.alloy');
    fs.writeFileSync(file, config);
    const r = await runAlloy(['run', file, '--server.http.listen-addr=127.0.0.1:0', `--storage.path=${path.join(dir, 'data')}`]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(
      `${file}:2:12: array.combine_maps is at stability level "experimental", which is below the minimum allowed stability level "generally-available". Use --stability.level command-line flag to enable "experimental" features`,
    );
    const v = await runAlloy(['validate', '--stability.level=public-preview', file]);
    expect(v.code).toBe(1);
    expect(v.stderr).toContain('minimum allowed stability level "public-preview"');
    expect((await runAlloy(['validate', '--stability.level=experimental', file])).code).toBe(0);
    const bad = await runAlloy(['validate', '--stability.level=beta', file]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('--stability.level: invalid stability level "beta" (allowed: generally-available, public-preview, experimental)');
  });

  test('with --stability.level=experimental it runs', async () => {
    const p = await start({ config, args: ['--stability.level=experimental'] });
    const c = (await waitFor('discovery.relabel.joined in the API', () => component(p, 'discovery.relabel.joined')));
    expect(c.exports.output).toEqual([{ __address__: 'a:1', team: 'A', cluster: 'prod', joined: 'yes' }]);
  });
});

describe('value conversions (as the k8s-monitoring chart writes them)', () => {
  test('numbers as strings, null as the default', async () => {
    const p = await start({
      config: `prometheus.remote_write "rw" {
	endpoint {
		url = "http://127.0.0.1:9/api/v1/write"

		queue_config {
			capacity   = "5000"
			max_shards = null
		}
	}
	external_labels = {port = 8080}
}
`,
    });
    const c = (await waitFor('prometheus.remote_write.rw in the API', () => component(p, 'prometheus.remote_write.rw')));
    expect(c.arguments.endpoint[0].queue_config.capacity).toBe(5000);
    expect(c.arguments.endpoint[0].queue_config.max_shards).toBe(50); // Alloy's default
    expect(c.arguments.external_labels).toEqual({ port: '8080' });
  });
});

describe('the logging block', () => {
  test('format and level apply on load and on reload; a bad value is refused with its position', async () => {
    const dir = tmp();
    const file = path.join(dir, 'c.alloy');
    fs.writeFileSync(file, `logging {\n\tlevel  = "info"\n\tformat = "logfmt"\n}\n\n${RELABEL_B}`);
    const p = await start({ config: '', configPath: file, args: ['--config.watch-interval=0s'] });
    // The process starts with --log.format=json; the block switches it to logfmt.
    expect(p.output()).toMatch(/^ts=\S+ level=info msg="now listening for http traffic" addr=http:/m);

    fs.writeFileSync(file, `logging {\n\tlevel  = "info"\n\tformat = "json"\n}\n\n${RELABEL_B}`);
    expect((await fetch(`${p.url}/-/reload`, { method: 'POST' })).status).toBe(200);
    await waitFor('a JSON "config loaded" line', () => p.output().split('\n').some((l) => l.startsWith('{') && l.includes('"msg":"config loaded"')));

    fs.writeFileSync(file, `logging {\n\tlevel = "verbose"\n}\n\n${RELABEL_B}`);
    const res = await fetch(`${p.url}/-/reload`, { method: 'POST' });
    expect(res.status).toBe(400);
    expect(await res.text()).toContain(`${file}:2:10: logging: level: unknown value "verbose" (allowed: debug, info, warn, error)`);

    // level = "warn": info lines such as "config loaded" stop.
    fs.writeFileSync(file, `logging {\n\tlevel  = "warn"\n\tformat = "json"\n}\n\n${RELABEL_B}`);
    expect((await fetch(`${p.url}/-/reload`, { method: 'POST' })).status).toBe(200);
    const before = p.output().split('"msg":"config loaded"').length;
    fs.writeFileSync(file, `logging {\n\tlevel  = "warn"\n\tformat = "json"\n}\n\n${RELABEL_A}\n${RELABEL_B}`);
    expect((await fetch(`${p.url}/-/reload`, { method: 'POST' })).status).toBe(200);
    expect(await component(p, 'prometheus.relabel.a')).toBeDefined();
    expect(p.output().split('"msg":"config loaded"').length).toBe(before);
  });

  test('write_to sends the process logs to a loki.write, labelled component="alloy"', async () => {
    const loki = await startLokiReceiver();
    try {
      const p = await start({
        config: `logging {
	level    = "info"
	format   = "logfmt"
	write_to = [loki.write.self.receiver]
}

loki.write "self" {
	endpoint {
		url = ${JSON.stringify(loki.url)}
	}
}
`,
      });
      // A reload logs "config loaded": that line must reach Loki in logfmt.
      expect((await fetch(`${p.url}/-/reload`, { method: 'POST' })).status).toBe(200);
      await loki.waitFor(() => [...loki.streams.values()].some((st) => st.labels.component === 'alloy' && st.entries.some((e) => /level=info msg="config loaded"/.test(e.line))), 60_000, 'alloy logs in loki');
    } finally {
      await loki.close();
    }
  });

  test('logging { level = "verbose" } at start: exit 1, positioned, no stack trace', async () => {
    const dir = tmp();
    const file = path.join(dir, 'c.alloy');
    fs.writeFileSync(file, 'logging {\n\tlevel = "verbose"\n}\n');
    const r = await runAlloy(['run', file, '--server.http.listen-addr=127.0.0.1:0', `--storage.path=${path.join(dir, 'data')}`]);
    expect(r.code).toBe(1);
    expect(r.stderr.trim()).toBe(`${file}:2:10: logging: level: unknown value "verbose" (allowed: debug, info, warn, error)`);
  });
});

describe('the http block', () => {
  let server: SelfSignedCert;
  let client: SelfSignedCert;
  let stranger: SelfSignedCert;
  beforeAll(() => {
    server = makeCert({ commonName: 'alloy' });
    client = makeCert({ commonName: 'scraper' });
    stranger = makeCert({ commonName: 'stranger' });
  });
  afterAll(() => {
    for (const c of [server, client, stranger]) c?.dispose();
  });

  const get = (url: string, cert?: SelfSignedCert, headers: Record<string, string> = {}) =>
    new Promise<number | string>((resolve) => {
      const req = https.get(url, { ca: server.cert, cert: cert?.cert, key: cert?.key, agent: false, timeout: 10_000, headers }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      });
      req.on('error', (e) => resolve(e.message));
      req.on('timeout', () => req.destroy(new Error('timeout')));
    });

  test('tls with client certificates and basic auth', async () => {
    const p = await start({
      config: `http {
	tls {
		cert_file        = ${JSON.stringify(server.certPath)}
		key_file         = ${JSON.stringify(server.keyPath)}
		client_ca_file   = ${JSON.stringify(client.certPath)}
		client_auth_type = "RequireAndVerifyClientCert"
	}

	auth {
		basic {
			username = "admin"
			password = "s3cret"
		}

		filter {
			paths = ["/api/"]
		}
	}
}

${RELABEL_B}`,
    });
    expect(p.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    expect(await get(`${p.url}/-/ready`, client)).toBe(200);
    expect(await get(`${p.url}/-/ready`)).not.toBe(200); // no client certificate
    expect(await get(`${p.url}/-/ready`, stranger)).not.toBe(200); // not signed by client_ca
    expect(await get(`${p.url}/api/v0/web/components`, client)).toBe(401);
    const auth = { authorization: `Basic ${Buffer.from('admin:s3cret').toString('base64')}` };
    expect(await get(`${p.url}/api/v0/web/components`, client, auth)).toBe(200);
  });

  test('a tls block with a missing key file is refused at start', async () => {
    const dir = tmp();
    const file = path.join(dir, 'c.alloy');
    fs.writeFileSync(file, `http {\n\ttls {\n\t\tcert_file = ${JSON.stringify(server.certPath)}\n\t\tkey_file  = "/nonexistent.key"\n\t}\n}\n`);
    const r = await runAlloy(['run', file, '--server.http.listen-addr=127.0.0.1:0', `--storage.path=${path.join(dir, 'data')}`]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('http: tls: failed to read key_file');
  });
});
