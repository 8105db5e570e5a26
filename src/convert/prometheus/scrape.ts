// One scrape config -> discovery.kubernetes "<job>" (one per
// kubernetes_sd_config: "<job>", "<job>_2", ...), discovery.relabel "<job>"
// when there are relabel_configs, and prometheus.scrape "<job>" with the
// static targets, the scrape settings and metric_relabel_configs.
//
// metric_relabel_configs become prometheus.scrape's metric_relabel blocks (our
// extension), applied in the scrape like Prometheus does: Alloy's converter
// writes a prometheus.relabel component instead, which also relabels the
// synthetic series (up, scrape_*) and changes scrape_samples_post_metric_relabeling.
import { SCRAPE_PROTOCOL_HEADERS, SUPPORTED_PROTOCOLS } from '../../scrape/parse/index.js';
import { parseByteSize } from '../../scrape/job.js';
import { array, Block, bool, call, expr, type Value, num, object, str, strArray, labelWithIndex } from '../builder.js';
import { goDuration } from '../durations.js';
import type { Fields } from '../fields.js';
import { convertHttpClient, SCRAPE_CLIENT } from '../http-client.js';
import { relabelBlocks } from '../relabel.js';
import { type GlobalConfig, LIMITS } from './global.js';
import { convertKubernetesSd } from './kubernetes-sd.js';
import { staticTargets } from './static-targets.js';

export interface ScrapeBlocks {
  jobName: string;
  discovery: Block[];
  relabel?: Block;
  scrape: Block;
}

/** Labels prometheus.scrape adds only after discovery.relabel ran (Prometheus relabels with them present). */
const SCRAPE_TIME_LABELS = ['job', '__scheme__', '__metrics_path__', '__scrape_interval__', '__scrape_timeout__'];

/** Service discovery mechanisms of Prometheus that have no component here. */
const OTHER_SDS = [
  'azure', 'consul', 'digitalocean', 'docker', 'dockerswarm', 'dns', 'ec2', 'eureka', 'file', 'gce', 'hetzner', 'http', 'ionos',
  'kuma', 'lightsail', 'linode', 'marathon', 'nerve', 'nomad', 'openstack', 'ovhcloud', 'puppetdb', 'scaleway', 'serverset',
  'triton', 'uyuni', 'vultr',
];

export function convertScrapeConfig(f: Fields, label: string, jobName: string, global: GlobalConfig, forwardTo: Value): ScrapeBlocks {
  const discovery: Block[] = [];
  const targetExprs: Value[] = [];
  for (const [i, sd] of f.list('kubernetes_sd_configs').entries()) {
    const k = convertKubernetesSd(sd, labelWithIndex(i, label));
    if (!k) continue;
    discovery.push(k.block);
    targetExprs.push(expr(`${k.block.id}.targets`));
  }
  for (const sd of OTHER_SDS) {
    if (f.has(`${sd}_sd_configs`)) {
      f.take(`${sd}_sd_configs`);
      f.diags.error(`The converter does not support converting the provided ${sd} service discovery.`);
    }
  }
  const statics = staticTargets(f.list('static_configs'));
  if (statics.length > 0) targetExprs.push(array(statics));

  let targets: Value = combineTargets(targetExprs);
  const rules = f.list('relabel_configs');
  let relabel: Block | undefined;
  if (rules.length > 0) {
    warnScrapeTimeLabels(f, rules);
    relabel = new Block('discovery.relabel', label);
    relabel.attr('targets', targets);
    for (const r of relabelBlocks(rules, 'rule')) relabel.append(r);
    targets = expr(`${relabel.id}.output`);
  }

  const s = new Block('prometheus.scrape', label);
  s.attr('targets', targets);
  s.attr('forward_to', forwardTo);
  s.attr('job_name', str(jobName));
  scrapeSettings(f, s, global);
  convertHttpClient(f, s, SCRAPE_CLIENT);
  for (const r of relabelBlocks(f.list('metric_relabel_configs'), 'metric_relabel')) s.append(r);
  f.finish();
  return { jobName, discovery, relabel, scrape: s };
}

/** One expression for all targets: itself, or array.concat of the parts (Alloy's form). */
function combineTargets(parts: Value[]): Value {
  if (parts.length === 0) return array([]);
  if (parts.length === 1) return parts[0];
  return call('array.concat', parts);
}

function scrapeSettings(f: Fields, s: Block, global: GlobalConfig): void {
  const honorLabels = f.bool('honor_labels');
  if (honorLabels) s.attr('honor_labels', bool(true));
  const honorTimestamps = f.bool('honor_timestamps');
  if (honorTimestamps === false) s.attr('honor_timestamps', bool(false));
  const staleness = f.bool('track_timestamps_staleness');
  if (staleness) s.attr('track_timestamps_staleness', bool(true));
  const params = f.strListMap('params');
  if (params && Object.keys(params).length > 0) {
    s.attr('params', object(Object.keys(params).sort().map((k) => [k, strArray(params[k])])));
  }

  const intervalMs = f.promDuration('scrape_interval') ?? global.scrape.intervalMs;
  let timeoutMs = f.promDuration('scrape_timeout');
  // Prometheus: an unset timeout is the global one, or the interval when that is shorter.
  if (timeoutMs === undefined) timeoutMs = Math.min(global.scrape.timeoutMs, intervalMs);
  if (timeoutMs > intervalMs) f.diags.critical(`${f.path}: scrape timeout greater than scrape interval`);
  if (intervalMs !== 60_000) s.attr('scrape_interval', str(goDuration(intervalMs)));
  if (timeoutMs !== 10_000) s.attr('scrape_timeout', str(goDuration(timeoutMs)));

  const protocols = f.strList('scrape_protocols') ?? global.scrape.protocols;
  if (protocols) {
    const kept = protocols.filter((p) => {
      if (!(p in SCRAPE_PROTOCOL_HEADERS) && p !== 'PrometheusText1.0.0') {
        f.diags.critical(`${f.where('scrape_protocols')}: unknown scrape protocol ${JSON.stringify(p)}`);
        return false;
      }
      if (!SUPPORTED_PROTOCOLS.has(p)) {
        f.diags.unsupported(`${f.where('scrape_protocols')} ${p}`, 'this collector does not parse that format; left out of scrape_protocols');
        return false;
      }
      return true;
    });
    if (kept.length > 0) s.attr('scrape_protocols', strArray(kept));
  }
  const fallback = f.str('scrape_fallback_protocol');
  if (fallback !== undefined && fallback !== 'PrometheusText0.0.4') s.attr('scrape_fallback_protocol', str(fallback));

  const metricsPath = f.str('metrics_path');
  if (metricsPath !== undefined && metricsPath !== '/metrics') s.attr('metrics_path', str(metricsPath));
  const scheme = f.str('scheme');
  if (scheme !== undefined && scheme !== 'http' && scheme !== 'https') f.diags.critical(`${f.where('scheme')}: must be http or https, got ${JSON.stringify(scheme)}`);
  if (scheme === 'https') s.attr('scheme', str('https'));
  const compression = f.bool('enable_compression');
  if (compression === false) s.attr('enable_compression', bool(false));

  const bodySizeLimit = f.str('body_size_limit') ?? global.scrape.bodySizeLimit;
  if (bodySizeLimit !== undefined && bodySizeLimit !== '' && bodySizeLimit !== '0') {
    try {
      parseByteSize(bodySizeLimit);
      s.attr('body_size_limit', str(bodySizeLimit));
    } catch (e) {
      f.diags.critical(`${f.where('body_size_limit')}: ${(e as Error).message}`);
    }
  }
  for (const k of LIMITS) {
    // Prometheus: 0 (or unset) in the scrape config means the global limit.
    const v = f.uint(k) || global.scrape.limits[k];
    if (v) s.attr(k, num(v));
  }

  // Histogram and naming options: prometheus.scrape takes them under the same names
  // (Prometheus 3's always_scrape_classic_histograms is Alloy's scrape_classic_histograms).
  const flag = (from: string, to = from) => {
    const v = f.bool(from);
    if (v === true) s.attr(to, bool(true));
  };
  flag('scrape_native_histograms');
  flag('scrape_classic_histograms');
  flag('always_scrape_classic_histograms', 'scrape_classic_histograms');
  flag('convert_classic_histograms_to_nhcb');
  const bucketLimit = f.uint('native_histogram_bucket_limit');
  if (bucketLimit) s.attr('native_histogram_bucket_limit', num(bucketLimit));
  const factor = f.peek('native_histogram_min_bucket_factor');
  f.take('native_histogram_min_bucket_factor');
  if (typeof factor === 'number' && factor !== 0) s.attr('native_histogram_min_bucket_factor', num(factor));
  else if (factor !== undefined && typeof factor !== 'number') f.diags.critical(`${f.where('native_histogram_min_bucket_factor')}: expected a number`);
  for (const [k, dflt] of [['metric_name_validation_scheme', 'legacy'], ['metric_name_escaping_scheme', ''], ['scrape_failure_log_file', '']] as const) {
    const v = f.str(k);
    if (v !== undefined && v !== '' && v !== dflt) s.attr(k, str(v));
  }
  f.unsupported('keep_dropped_targets', undefined, (v) => v === 0);
}

function warnScrapeTimeLabels(f: Fields, rules: Fields[]): void {
  const read = new Set<string>();
  for (const r of rules) {
    for (const l of rawList(r) ?? []) if (SCRAPE_TIME_LABELS.includes(l) || l.startsWith('__param_')) read.add(l);
  }
  if (read.size > 0) {
    f.diags.warn(
      `${f.where('relabel_configs')} read ${[...read].sort().join(', ')}: discovery.relabel runs before prometheus.scrape adds these labels, so the rules see them only when the targets carry them.`,
    );
  }
}

/** source_labels of a rule without marking it read (the rule converter reads it). */
function rawList(r: Fields): string[] | undefined {
  const v = r.peek('source_labels');
  return Array.isArray(v) ? v.map(String) : undefined;
}
