// The synthetic exporter's bodies for the scrape e2e tests: every metric type
// and the corner cases of both exposition formats.
/** Prometheus text exposition exercising the parser: every metric type, escapes, specials, clashing labels. */
export function syntheticText(): string {
  return [
    '# HELP synth_requests_total Requests with "quotes" and \\\\ backslash.',
    '# TYPE synth_requests_total counter',
    'synth_requests_total{code="200",method="get"} 1027',
    'synth_requests_total{code="500",method="post"} 3',
    '# TYPE synth_temperature gauge',
    'synth_temperature{room="a b"} 21.5',
    'synth_temperature{room="quote\\"d"} -3.25',
    'synth_escapes{path="C:\\\\dir",multi="line1\\nline2",tab="keep\\tme"} 1',
    'synth_special{kind="nan"} NaN',
    'synth_special{kind="pinf"} +Inf',
    'synth_special{kind="ninf"} -Inf',
    'synth_clash{job="exposed-job",instance="exposed-inst",exported_job="pre"} 7',
    '# TYPE synth_latency_seconds histogram',
    'synth_latency_seconds_bucket{le="0.1"} 4',
    'synth_latency_seconds_bucket{le="0.5"} 9',
    'synth_latency_seconds_bucket{le="+Inf"} 10',
    'synth_latency_seconds_sum 2.75',
    'synth_latency_seconds_count 10',
    '# TYPE synth_rpc_seconds summary',
    'synth_rpc_seconds{quantile="0.5"} 0.05',
    'synth_rpc_seconds{quantile="0.99"} 0.2',
    'synth_rpc_seconds_sum 12.5',
    'synth_rpc_seconds_count 100',
    'synth_untyped{a="1", b="2",} 42',
    '',
  ].join('\n');
}

/** OpenMetrics exposition: _total/_created, units, exemplars, info, stateset, gaugehistogram. */
export function syntheticOpenMetrics(): string {
  return [
    '# TYPE om_jobs counter',
    '# HELP om_jobs Jobs processed.',
    'om_jobs_total{queue="x"} 17.0 # {trace_id="abc"} 1.0 1600000000.5',
    'om_jobs_created{queue="x"} 1600000000.123',
    '# TYPE om_size_bytes gauge',
    '# UNIT om_size_bytes bytes',
    'om_size_bytes 1.5e3',
    '# TYPE om_build info',
    'om_build_info{version="1.2.3"} 1',
    '# TYPE om_state stateset',
    'om_state{om_state="on"} 1',
    'om_state{om_state="off"} 0',
    '# TYPE om_lat histogram',
    'om_lat_bucket{le="1.0"} 2',
    'om_lat_bucket{le="+Inf"} 3 # {trace_id="t"} 4.2',
    'om_lat_sum 5.5',
    'om_lat_count 3',
    'om_lat_created 1600000000.0',
    '# TYPE om_gh gaugehistogram',
    'om_gh_bucket{le="+Inf"} 4',
    'om_gh_gcount 4',
    'om_gh_gsum 8',
    'om_escape{v="a\\\\b\\"c\\nd"} 1',
    '# EOF',
    '',
  ].join('\n');
}
