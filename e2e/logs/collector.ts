// A collector process for the logs e2e tests: loki.source.kubernetes ->
// loki.write wired by hand (the same components `alloy run` builds), with a
// file-based cluster ownership. Usage: node --import tsx collector.ts <config.json>
// Prints "READY" once running; SIGTERM stops it gracefully.
import { readFileSync } from 'node:fs';
import { makeTestContext } from '../../src/runtime/testing.js';
import { lokiSourceKubernetes, sourceKubernetesTuning } from '../../src/logs/loki-source-kubernetes.js';
import { lokiWrite } from '../../src/logs/loki-write.js';
import type { LogsReceiver } from '../../src/logs/types.js';
import { FileOwnership } from './file-ownership.js';

interface CollectorConfig {
  apiServer: string;
  lokiUrl: string;
  dataDir: string;
  node: string;
  ownershipFile?: string;
  targets: Record<string, string>[];
  handoffDelayMs?: number;
  batchWaitMs?: number;
}

const cfg = JSON.parse(readFileSync(process.argv[2], 'utf8')) as CollectorConfig;
sourceKubernetesTuning.tail = { minBackoffMs: 50, maxBackoffMs: 500, drainMs: 3000 };
sourceKubernetesTuning.localFlushMs = 20;
sourceKubernetesTuning.sharedFlushMs = 200;
sourceKubernetesTuning.handoffDelayMs = cfg.handoffDelayMs ?? 1000;
sourceKubernetesTuning.positionsNamespace = 'default';

const cluster = cfg.ownershipFile ? new FileOwnership(cfg.node, cfg.ownershipFile) : undefined;
const writeCtx = makeTestContext({ id: 'loki.write.default' });
const writeArgs = { endpoint: [{ url: cfg.lokiUrl, batch_wait: cfg.batchWaitMs ?? 20, min_backoff_period: 20, max_backoff_period: 500, max_backoff_retries: 1000 }] };
const write = lokiWrite.build(writeCtx, writeArgs);
await write.update(writeArgs);
const srcCtx = makeTestContext({ id: 'loki.source.kubernetes.pods', dataDir: cfg.dataDir, cluster });
const srcArgs = {
  targets: cfg.targets,
  forward_to: [writeCtx.exports.receiver as LogsReceiver],
  client: { api_server: cfg.apiServer },
  clustering: { enabled: !!cluster },
};
const source = lokiSourceKubernetes.build(srcCtx, srcArgs);
await source.update(srcArgs);
process.stdout.write('READY\n');

process.on('SIGTERM', async () => {
  await source.stop?.();
  await write.stop?.();
  cluster?.close();
  process.exit(0);
});
