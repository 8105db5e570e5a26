// `alloy demo`: runs the collector on an embedded config against a sandbox
// that needs no cluster. Grows as features land.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startAlloy } from '../app.js';
import { flagHelp, parseFlags } from '../cli/flags.js';

const demoFlags = [
  { name: 'server.http.listen-addr', help: 'HTTP address of the demo collector', default: '127.0.0.1:12345' },
  { name: 'duration', help: 'Stop after this many seconds (0 = run until Ctrl-C)', default: '0' },
];

const DEMO_CONFIG = (targetsFile: string) => `// The demo pipeline: a file of static targets, relabeled.
local.file "targets" {
  filename = "${targetsFile}"
}

discovery.relabel "demo" {
  targets = encoding.from_json(local.file.targets.content)

  rule {
    source_labels = ["env"]
    regex         = "prod"
    action        = "keep"
  }

  rule {
    target_label = "team"
    replacement  = "platform"
  }
}
`;

export async function demoCommand(argv: string[]): Promise<number> {
  if (argv.includes('--help')) {
    process.stdout.write(`Usage: alloy demo [flags]\n\n${flagHelp(demoFlags)}\n`);
    return 0;
  }
  const { flags } = parseFlags(argv, demoFlags);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'alloy-demo-'));
  const targetsFile = path.join(dir, 'targets.json');
  fs.writeFileSync(
    targetsFile,
    JSON.stringify([
      { __address__: '127.0.0.1:9100', env: 'prod' },
      { __address__: '127.0.0.1:9101', env: 'dev' },
    ]),
  );
  const configFile = path.join(dir, 'demo.alloy');
  fs.writeFileSync(configFile, DEMO_CONFIG(targetsFile));
  const alloy = await startAlloy({
    configFile,
    listenAddr: String(flags['server.http.listen-addr']),
    storagePath: path.join(dir, 'data'),
    logLevel: 'info',
    logFormat: 'logfmt',
    uiPathPrefix: '/',
    configWatchIntervalMs: 2000,
  });
  process.stdout.write(`\nalloy demo is running\n  UI and API: ${alloy.url}/\n  components: ${alloy.url}/api/v0/web/components\n  config:     ${configFile}\n\n`);
  const out = alloy.controller.view('discovery.relabel.demo');
  process.stdout.write(`discovery.relabel.demo output: ${JSON.stringify(out?.exports.output)}\n`);
  const seconds = Number(flags.duration);
  await new Promise<void>((resolve) => {
    if (seconds > 0) setTimeout(resolve, seconds * 1000).unref();
    process.once('SIGINT', () => resolve());
    process.once('SIGTERM', () => resolve());
  });
  await alloy.shutdown();
  return 0;
}
