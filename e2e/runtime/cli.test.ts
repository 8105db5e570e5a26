// The CLI and HTTP server end to end: positioned errors with exit 1, live
// propagation from a file to discovery.relabel, and reloads over HTTP.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startAlloyProcess, TSX_LOADER, type AlloyProcess } from '../lib/alloy-process.js';
import { waitFor } from '../lib/wait.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'alloy-cli-'));

function runCli(args: string[], cwd = tmp) {
  return spawnSync(process.execPath, ['--import', TSX_LOADER, path.join(ROOT, 'src/main.ts'), ...args], {
    cwd,
    encoding: 'utf8',
    timeout: 30000,
    env: { ...process.env, NODE_OPTIONS: '' },
  });
}

describe('alloy run rejects bad configs with file:line:col', () => {
  const cases: [string, string, RegExp][] = [
    ['syntax error', 'discovery.relabel "x" {\n  targets = [\n', /^bad\.alloy:3:1: /m],
    ['unknown component', 'local.file "a" { filename = "x" }\nnope.thing "b" {}\n', /^bad\.alloy:2:1: unrecognized component name "nope\.thing"/m],
    ['unknown attribute', 'discovery.relabel "x" {\n  targets = []\n  bogus = 1\n}\n', /^bad\.alloy:3:3: unrecognized attribute name "bogus"/m],
    ['missing required attribute', 'local.file "a" {\n}\n', /^bad\.alloy:1:1: missing required attribute "filename"/m],
    ['type mismatch', 'discovery.relabel "x" {\n  targets = "x"\n}\n', /^bad\.alloy:2:13: targets: expected list\(map\(string\)\), got string/m],
    ['reference to a missing component', 'discovery.relabel "x" {\n  targets = discovery.relabel.y.output\n}\n', /^bad\.alloy:2:13: reference to "discovery\.relabel\.y\.output": no component/m],
    [
      'reference cycle',
      'discovery.relabel "a" {\n  targets = discovery.relabel.b.output\n}\ndiscovery.relabel "b" {\n  targets = discovery.relabel.a.output\n}\n',
      /^bad\.alloy:\d+:1: cycle detected: discovery\.relabel\.[ab] -> discovery\.relabel\.[ab] -> discovery\.relabel\.[ab]/m,
    ],
  ];
  test.each(cases)('%s', (_name, src, expected) => {
    fs.writeFileSync(path.join(tmp, 'bad.alloy'), src);
    const r = runCli(['run', 'bad.alloy', '--server.http.listen-addr=127.0.0.1:0', `--storage.path=${path.join(tmp, 'data')}`]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(expected);
  });

  test('unknown flag is an error naming it', () => {
    fs.writeFileSync(path.join(tmp, 'ok.alloy'), 'local.file "a" { filename = "x" }\n');
    const r = runCli(['run', 'ok.alloy', '--no.such-flag=1']);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('unknown flag --no.such-flag');
  });
});

describe('alloy fmt', () => {
  test('prints canonical formatting; --check exits 1 on unformatted and 0 on formatted', () => {
    const file = path.join(tmp, 'fmt.alloy');
    fs.writeFileSync(file, 'local.file "a" {\nfilename="x"\n  is_secret   = true\n}\n');
    const printed = runCli(['fmt', file]);
    expect(printed.status).toBe(0);
    expect(printed.stdout).not.toBe(fs.readFileSync(file, 'utf8'));
    expect(runCli(['fmt', '--check', file]).status).toBe(1);
    fs.writeFileSync(file, printed.stdout);
    expect(runCli(['fmt', '--check', file]).status).toBe(0);
    expect(runCli(['fmt', file]).stdout).toBe(printed.stdout); // idempotent
  });
});

describe('a running collector', () => {
  let alloy: AlloyProcess;
  const targetsFile = path.join(tmp, 'targets.json');
  const config = (extraRule = '') => `local.file "targets" {
  filename = "${targetsFile}"
}

discovery.relabel "kept" {
  targets = encoding.from_json(local.file.targets.content)
  rule {
    source_labels = ["env"]
    regex         = "prod"
    action        = "keep"
  }
${extraRule}}
`;
  const getJson = async (p: string) => (await fetch(alloy.url + p)).json() as Promise<any>;

  beforeAll(async () => {
    fs.writeFileSync(targetsFile, JSON.stringify([{ __address__: '10.0.0.1:9100', env: 'prod' }, { __address__: '10.0.0.2:9100', env: 'dev' }]));
    alloy = await startAlloyProcess({ config: config(), args: ['--config.watch-interval=0'] });
  });
  afterAll(async () => {
    await alloy?.stop();
  });

  test('ready, healthy, components API', async () => {
    expect((await fetch(alloy.url + '/-/ready')).status).toBe(200);
    expect((await fetch(alloy.url + '/-/healthy')).status).toBe(200);
    const list = await getJson('/api/v0/web/components');
    expect(list.map((c: any) => c.id).sort()).toEqual(['discovery.relabel.kept', 'local.file.targets']);
    const relabel = list.find((c: any) => c.id === 'discovery.relabel.kept');
    expect(relabel.references).toEqual(['local.file.targets']);
    expect(relabel.health.state).toBe('healthy');
    const metrics = await (await fetch(alloy.url + '/metrics')).text();
    expect(metrics).toMatch(/process_cpu_seconds_total/);
    expect(metrics).toMatch(/alloy_component_evaluation_seconds_count\{component_id="discovery.relabel.kept"\}/);
  });

  test('editing the file changes discovery.relabel exports within 2 s, without a reload', async () => {
    const before = await getJson('/api/v0/web/components/discovery.relabel.kept');
    expect(before.exports.output).toEqual([{ __address__: '10.0.0.1:9100', env: 'prod' }]);
    fs.writeFileSync(targetsFile, JSON.stringify([{ __address__: '10.0.0.3:9100', env: 'prod' }, { __address__: '10.0.0.4:9100', env: 'prod' }]));
    const started = Date.now();
    await waitFor('discovery.relabel.kept to export 2 targets', async () => (await getJson('/api/v0/web/components/discovery.relabel.kept')).exports.output.length === 2, { timeoutMs: 2000, intervalMs: 50 });
    expect(Date.now() - started).toBeLessThan(2000);
  });

  test('an invalid reload answers 400 with the reason and the old graph keeps serving', async () => {
    fs.writeFileSync(alloy.configPath, config('  rule {\n    action = "bogus"\n  }\n') + 'nope.thing "x" {}\n');
    const r = await fetch(alloy.url + '/-/reload', { method: 'POST' });
    expect(r.status).toBe(400);
    expect(await r.text()).toMatch(/config\.alloy:\d+:\d+: unrecognized component name "nope\.thing"/);
    expect((await getJson('/api/v0/web/components/discovery.relabel.kept')).exports.output).toHaveLength(2);

    fs.writeFileSync(alloy.configPath, config('  rule {\n    target_label = "team"\n    replacement  = "obs"\n  }\n'));
    const ok = await fetch(alloy.url + '/-/reload', { method: 'POST' });
    expect(ok.status).toBe(200);
    const after = await getJson('/api/v0/web/components/discovery.relabel.kept');
    expect(after.exports.output.every((t: any) => t.team === 'obs')).toBe(true);
  });

  test('an unreadable file makes local.file unhealthy and /-/healthy names it', async () => {
    fs.rmSync(targetsFile);
    await waitFor('/-/healthy to answer 500', async () => (await fetch(alloy.url + '/-/healthy')).status === 500, { timeoutMs: 5000, intervalMs: 100 });
    const body = await (await fetch(alloy.url + '/-/healthy')).text();
    expect(body).toContain('local.file.targets');
    expect(body).toContain('ENOENT');
    // the last good targets are still exported
    expect((await getJson('/api/v0/web/components/discovery.relabel.kept')).exports.output).toHaveLength(2);
  });
});

describe('secrets and SIGHUP', () => {
  let alloy: AlloyProcess;
  const secretFile = path.join(tmp, 'token.txt');
  const cfg = (label: string) => `local.file "${label}" {
  filename  = "${secretFile}"
  is_secret = true
}
`;
  beforeAll(async () => {
    fs.writeFileSync(secretFile, 'hunter2-very-secret');
    alloy = await startAlloyProcess({ config: cfg('token'), args: ['--config.watch-interval=0', '--log.format=logfmt'] });
  });
  afterAll(async () => {
    await alloy?.stop();
  });

  test('a secret export is shown as (secret), never in clear', async () => {
    const body = await (await fetch(alloy.url + '/api/v0/web/components/local.file.token')).text();
    expect(JSON.parse(body).exports.content).toBe('(secret)');
    expect(body).not.toContain('hunter2');
    expect(alloy.output()).not.toContain('hunter2');
  });

  test('SIGHUP reloads the config file', async () => {
    fs.writeFileSync(alloy.configPath, cfg('renamed'));
    alloy.proc.kill('SIGHUP');
    await waitFor('local.file.renamed to exist', async () => (await fetch(alloy.url + '/api/v0/web/components/local.file.renamed')).status === 200, { timeoutMs: 10000, intervalMs: 100 });
    expect((await fetch(alloy.url + '/api/v0/web/components/local.file.token')).status).toBe(404);
    // logfmt: one line per event, with the component id where a component logged it
    expect(alloy.output()).toMatch(/level=info msg="reloaded on SIGHUP"/);
  });
});
