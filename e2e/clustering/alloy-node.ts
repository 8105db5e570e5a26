// `alloy run` with clustering wired in, for the clustering e2e: the same
// startAlloy() the CLI uses, with the --cluster.* flags handed to our
// cluster factory. (Once src/cli/cluster.ts delegates to
// src/clustering/cli.ts, `src/main.ts run` does exactly this.)
import { startAlloy } from '../../src/app.js';
import { parseFlags, runFlags } from '../../src/cli/flags.js';
import { clusterFactory, clusterFlagDefs } from '../../src/clustering/cli.js';

const { flags, positionals } = parseFlags(process.argv.slice(2), [...runFlags, ...clusterFlagDefs()]);
const alloy = await startAlloy({
  configFile: positionals[0],
  listenAddr: String(flags['server.http.listen-addr']),
  storagePath: String(flags['storage.path']),
  logLevel: 'info',
  logFormat: 'json',
  uiPathPrefix: '/',
  configWatchIntervalMs: 0,
  cluster: clusterFactory(flags),
});
process.once('SIGTERM', () => {
  alloy.shutdown().finally(() => process.exit(0));
});
