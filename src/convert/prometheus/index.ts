// A Prometheus config (prometheus.yml) -> Alloy components, in Alloy's
// converter's order: discovery, discovery.relabel, prometheus.scrape,
// prometheus.remote_write. Unsupported sections are reported.
import YAML from 'yaml';
import { array, type Block, expr, sanitizeLabel } from '../builder.js';
import type { Diagnostics } from '../diagnostics.js';
import { Fields } from '../fields.js';
import { convertGlobal } from './global.js';
import { convertRemoteWrites, REMOTE_WRITE_LABEL } from './remote-write.js';
import { convertScrapeConfig, type ScrapeBlocks } from './scrape.js';

export function convertPrometheus(source: string, diags: Diagnostics): Block[] {
  let doc: unknown;
  try {
    doc = YAML.parse(source, { uniqueKeys: true, merge: true });
  } catch (e) {
    diags.critical(`failed to parse Prometheus config: ${(e as Error).message}`);
    return [];
  }
  const top = Fields.of('', doc, diags);
  const global = convertGlobal(top.obj('global'));

  const remoteWrites = top.list('remote_write');
  const rw = convertRemoteWrites(remoteWrites, global.externalLabels);
  const forwardTo = rw ? array([expr(`prometheus.remote_write.${REMOTE_WRITE_LABEL}.receiver`)]) : array([]);

  const jobs: ScrapeBlocks[] = [];
  const seenJobs = new Set<string>();
  for (const sc of top.list('scrape_configs')) {
    const jobName = sc.str('job_name');
    if (!jobName) {
      diags.critical(`${sc.path}: job_name is empty`);
      continue;
    }
    if (seenJobs.has(jobName)) diags.critical(`found multiple scrape configs with job name ${JSON.stringify(jobName)}`);
    seenJobs.add(jobName);
    jobs.push(convertScrapeConfig(sc, sanitizeLabel(jobName), jobName, global, forwardTo));
  }
  if (jobs.length > 0 && !rw) diags.warn('The Prometheus config has no remote_write: the converted prometheus.scrape components forward to nothing.');

  top.unsupported('alerting');
  top.unsupported('rule_files', undefined, (v) => Array.isArray(v) && v.length === 0);
  top.unsupported('remote_read', undefined, (v) => Array.isArray(v) && v.length === 0);
  top.unsupported('storage');
  top.unsupported('tracing');
  top.unsupported('scrape_config_files', 'list the scrape configs in the converted file itself', (v) => Array.isArray(v) && v.length === 0);
  top.unsupported('otlp');
  top.unsupported('runtime');
  top.finish();

  for (const j of jobs) {
    const parts = [j.scrape, ...j.discovery, ...(j.relabel ? [j.relabel] : [])];
    diags.info(`Converted scrape_configs job_name ${JSON.stringify(j.jobName)} into...`, parts.map((b) => `\tA ${b.id} component`).join('\n'));
  }
  if (rw) {
    const names = remoteWrites.map((r) => String(r.peek('name') ?? '')).join(',');
    diags.info(`Converted ${remoteWrites.length} remote_write[s] ${JSON.stringify(names)} into...`, `\tA ${rw.id} component`);
  }

  return [
    ...jobs.flatMap((j) => j.discovery),
    ...jobs.flatMap((j) => (j.relabel ? [j.relabel] : [])),
    ...jobs.map((j) => j.scrape),
    ...(rw ? [rw] : []),
  ];
}
