// A writer process for crash tests: builds prometheus.remote_write with a
// real WAL directory and appends a deterministic sequence, printing
// "acked <n>" after each batch is acknowledged (durable). The parent kills
// it with SIGKILL and starts it again.
//   tsx writer-child.ts <dataDir> <url> <from> <to> <batch> <series> [pauseMs]
// Sample k: series "s<k % series>", timestamp BASE + k, value k.
import { makeTestContext } from '../lib/component-context.js';
import type { MetricsReceiver, Sample } from '../../src/pipeline/metrics.js';
import { remoteWrite } from '../../src/components/prometheus/remote_write.js';

export const BASE_TS = 1_700_000_000_000;

const [dataDir, url, fromS, toS, batchS, seriesS, pauseS] = process.argv.slice(2);
if (!dataDir || !url) {
  process.stderr.write('usage: writer-child.ts <dataDir> <url> <from> <to> <batch> <series> [pauseMs]\n');
  process.exit(2);
}
const from = Number(fromS);
const to = Number(toS);
const batch = Number(batchS);
const series = Number(seriesS);
const pause = Number(pauseS ?? 0);

const ctx = makeTestContext({ id: 'prometheus.remote_write.crash', dataDir });
const args = {
  endpoint: [{ url, name: 'rx', queue_config: { batch_send_deadline: 20, max_samples_per_send: 200, min_backoff: 10, max_backoff: 200 } }],
};
const comp = remoteWrite.build(ctx, args);
await comp.update(args);
const recv = ctx.exports.receiver as MetricsReceiver;

for (let k = from; k < to; ) {
  const out: Sample[] = [];
  for (let i = 0; i < batch && k < to; i++, k++) out.push({ labels: ['__name__', 'crash_test', 'series', `s${k % series}`], t: BASE_TS + k, v: k });
  await recv.append(out);
  process.stdout.write(`acked ${k}\n`);
  if (pause > 0) await new Promise((r) => setTimeout(r, pause));
}
process.stdout.write('done\n');
// Keep running (sending from the WAL) until the parent stops us.
process.on('SIGTERM', () => {
  void Promise.resolve(comp.stop?.()).then(() => process.exit(0));
});
