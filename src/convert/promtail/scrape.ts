// One promtail scrape config with kubernetes_sd_configs ->
//   discovery.kubernetes "<job>" (pods limited to this node, as promtail does)
//   -> discovery.relabel "<job>" (relabel_configs)
//   -> loki.source.kubernetes "<job>" (tails through the API server)
//   -> loki.process "<job>" (pipeline_stages) -> loki.write.
// promtail reads the pods' log files (__path__); this collector has no file
// source, so it reads the same containers' logs through the API instead.
import { array, Block, call, expr, type Value, labelWithIndex } from '../builder.js';
import type { Fields } from '../fields.js';
import { convertKubernetesSd } from '../prometheus/kubernetes-sd.js';
import { relabelBlocks } from '../relabel.js';
import { convertStages } from './stages.js';

/** promtail (through Alloy's converter) watches only the pods of its own node. */
const OWN_NODE_FIELD = expr('"spec.nodeName=" + coalesce(sys.env("HOSTNAME"), constants.hostname)');

/** Targets that produce logs without files or a SD: sources this collector does not ship. */
const OTHER_SOURCES = ['journal', 'syslog', 'gcplog', 'windows_events', 'loki_push_api', 'kafka', 'azure_event_hubs', 'gelf', 'cloudflare', 'heroku_drain'];
const OTHER_SDS = [
  'azure', 'consul', 'consulagent', 'digitalocean', 'docker', 'dockerswarm', 'dns', 'ec2', 'file', 'gce', 'marathon', 'nerve',
  'openstack', 'serverset', 'triton',
];


/** `firstStages`: the stages of limits_config, ahead of the job's own (as promtail limits before processing). */
export function convertPromtailScrape(f: Fields, label: string, writeReceivers: Value[], firstStages: Block[] = []): Block[] {
  const discovery: Block[] = [];
  let client: Block | undefined;
  const sds = f.list('kubernetes_sd_configs');
  for (const [i, sd] of sds.entries()) {
    const isPod = sd.peek('role') === 'pod';
    const k = convertKubernetesSd(sd, labelWithIndex(i, label), isPod ? [{ role: 'pod', field: OWN_NODE_FIELD }] : []);
    if (!k) continue;
    if (!isPod) f.diags.warn(`${sd.path}: role ${k.role}: loki.source.kubernetes tails pods; targets without the __meta_kubernetes_pod_* labels are skipped.`);
    discovery.push(k.block);
    // One API client for the source: the first SD's (they normally all point at the same cluster).
    client ??= k.client;
  }
  for (const sd of OTHER_SDS) {
    if (!f.has(`${sd}_sd_configs`)) continue;
    f.take(`${sd}_sd_configs`);
    f.diags.error(`The converter does not support converting the provided ${sd} service discovery.`);
  }
  if (f.has('static_configs')) {
    f.take('static_configs');
    f.diags.error(
      `The converter does not support converting the provided ${f.where('static_configs')} config: files matched by __path__ need local.file_match and loki.source.file, which this collector does not ship.`,
    );
  }
  for (const s of OTHER_SOURCES) f.unsupported(s, `this collector has no loki.source.${s === 'loki_push_api' ? 'api' : s}`);
  f.unsupported('encoding', 'lines are read as UTF-8');
  f.unsupported('decompression', 'no file source in this collector', (v) => typeof v === 'object' && v !== null && (v as Record<string, unknown>).enabled !== true);

  const rules = f.list('relabel_configs');
  const rawStages = f.take('pipeline_stages');
  const stages = [...firstStages, ...(Array.isArray(rawStages) ? convertStages(f.where('pipeline_stages'), rawStages, f.diags) : [])];
  if (rawStages !== undefined && !Array.isArray(rawStages)) f.diags.critical(`${f.where('pipeline_stages')}: expected a list of stages`);
  const pathRule = rules.some((r) => r.peek('target_label') === '__path__');
  f.finish();
  if (discovery.length === 0) {
    relabelBlocks(rules, 'rule'); // still validated and reported
    return [];
  }
  if (pathRule) f.diags.info(`${f.where('relabel_configs')}: the rules that set __path__ have no effect: loki.source.kubernetes reads the logs through the API server, not from files.`);

  f.diags.info(
    `${f.path} (job ${JSON.stringify(label)}): loki.source.kubernetes tails the pods of the node named by the HOSTNAME environment variable (as promtail does; set it from spec.nodeName), through the API server; it adds the labels namespace, pod and container, and job and instance when the rules set none.`,
  );
  const out: Block[] = [...discovery];
  let targets: Value =
    discovery.length === 1 ? expr(`${discovery[0].id}.targets`) : call('array.concat', discovery.map((d) => expr(`${d.id}.targets`)));
  if (rules.length > 0) {
    const r = new Block('discovery.relabel', label);
    r.attr('targets', targets);
    for (const b of relabelBlocks(rules, 'rule')) r.append(b);
    out.push(r);
    targets = expr(`${r.id}.output`);
  }
  let forwardTo = array(writeReceivers);
  let process: Block | undefined;
  if (stages.length > 0) {
    process = new Block('loki.process', label);
    process.attr('forward_to', forwardTo);
    for (const s of stages) process.append(s);
    forwardTo = array([expr(`${process.id}.receiver`)]);
  }
  const source = new Block('loki.source.kubernetes', label);
  source.attr('targets', targets);
  source.attr('forward_to', forwardTo);
  if (client && !client.isEmpty) source.append(client);
  out.push(source);
  if (process) out.push(process);
  return out;
}
