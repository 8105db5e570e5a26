// A promtail config -> Alloy components: per scrape config the pipeline of
// ./scrape.ts, then one loki.write per client. Server, positions and the
// other process-wide settings are reported with what they become.
import YAML from 'yaml';
import { type Block, expr, sanitizeLabel } from '../builder.js';
import type { Diagnostics } from '../diagnostics.js';
import { Fields } from '../fields.js';
import { convertClient } from './clients.js';
import { convertLimits } from './limits.js';
import { convertPromtailScrape } from './scrape.js';

export function convertPromtail(source: string, diags: Diagnostics): Block[] {
  let doc: unknown;
  try {
    doc = YAML.parse(source, { uniqueKeys: true, merge: true });
  } catch (e) {
    diags.critical(`failed to parse Promtail config: ${(e as Error).message}`);
    return [];
  }
  const top = Fields.of('', doc, diags);
  topLevel(top);

  const { maxStreams, stages: limitStages } = convertLimits(top.obj('limits_config'));

  const clients = top.list('clients');
  const single = top.obj('client');
  if (single) clients.push(single); // promtail's deprecated single client, appended as promtail does
  const writes = clients.map((c, i) => convertClient(c, i, maxStreams));
  if (writes.length === 0) diags.warn('The promtail config has no clients: the converted pipelines forward to nothing.');
  const receivers = writes.map((w) => expr(`${w.id}.receiver`));

  const blocks: Block[] = [];
  for (const sc of top.list('scrape_configs')) {
    const jobName = sc.str('job_name');
    if (!jobName) {
      diags.critical(`${sc.path}: job_name is empty`);
      continue;
    }
    blocks.push(...convertPromtailScrape(sc, sanitizeLabel(jobName), receivers, limitStages));
  }
  top.finish();
  return [...blocks, ...writes];
}

function topLevel(top: Fields): void {
  const server = top.obj('server');
  if (server) {
    const level = server.peek('log_level');
    if (level !== undefined && level !== 'info') {
      top.diags.warn('The converter does not support converting the provided server.log_level config: The equivalent feature in Alloy is to use the logging config block to set the level argument.');
    }
    if (server.peek('http_path_prefix')) top.diags.error('server.http_path_prefix is not supported');
    if (server.peek('profiling_enabled') === true) top.diags.warn("server.profiling_enabled is not supported - use Alloy's main HTTP server's profiling endpoints instead");
    if (server.peek('health_check_target') === false) top.diags.warn('server.health_check_target disabling is not supported in Alloy');
    // The rest of server (ports, timeouts) is the process's HTTP server: `alloy run` flags.
    for (const k of server.keys()) server.take(k);
    top.diags.info('server is not converted: the HTTP server is set with the flags of alloy run (--server.http.listen-addr).');
  }
  top.dropped('positions', 'Info', 'loki.source.kubernetes keeps its positions under the --storage.path of alloy run.');
  const target = top.obj('target_config');
  if (target) {
    target.unsupported('stdin', 'reading targets from stdin is not supported in Alloy configuration file', (v) => v === false);
    target.dropped('sync_period', 'Info', 'discovery.kubernetes watches the API server and updates its targets on every change.');
    target.finish();
  }
  const wal = top.obj('wal');
  if (wal) {
    if (wal.peek('enabled') === true) top.diags.error("Promtail's WAL is currently not supported in Alloy");
    for (const k of wal.keys()) wal.take(k);
  }
  const tracing = top.obj('tracing');
  if (tracing) {
    if (tracing.peek('enabled') === true) {
      top.diags.warn('If you have a tracing set up for Promtail, it cannot be migrated to Alloy automatically. Refer to the documentation on how to configure tracing in Alloy.');
    }
    for (const k of tracing.keys()) tracing.take(k);
  }
  top.dropped('global', 'Info', 'its file_watch_config applies to file tailing, which this collector does not do.');
  top.dropped('options', 'Warning', 'stream_lag_labels is deprecated in promtail and has no equivalent.');
}
