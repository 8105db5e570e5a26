// Argument schemas of loki.process's timestamp, multiline, limit, sampling,
// metrics and geoip stages, with Alloy's names, types and defaults (the
// stages validate the rest when the pipeline is built).
import { t, type BlockSchema } from '../../runtime/types.js';

const metricCommon = {
  name: { type: t.string(), required: true },
  description: { type: t.string(), default: '' },
  source: { type: t.string(), default: '' },
  prefix: { type: t.string(), default: 'loki_process_custom_' },
  max_idle_duration: { type: t.duration(), default: 5 * 60_000 },
  value: { type: t.string(), default: '' },
};

export const timingAndMetricStageBlocks: Record<string, BlockSchema> = {
  'stage.timestamp': {
    attrs: {
      source: { type: t.string(), required: true },
      format: { type: t.string(), required: true },
      fallback_formats: { type: t.array(t.string()), default: [] },
      location: { type: t.string() },
      action_on_failure: { type: t.string(), default: 'fudge' },
      action_on_duplicate_timestamp: { type: t.string(), default: 'fudge' },
    },
  },
  'stage.multiline': {
    attrs: {
      firstline: { type: t.string(), required: true },
      max_lines: { type: t.number(), default: 128 },
      max_wait_time: { type: t.duration(), default: 3000 },
      trim_newlines: { type: t.bool(), default: true },
    },
  },
  'stage.limit': {
    attrs: {
      rate: { type: t.number(), required: true },
      burst: { type: t.number(), required: true },
      by_label_name: { type: t.string(), default: '' },
      max_distinct_labels: { type: t.number(), default: 10_000 },
      drop: { type: t.bool(), default: false },
    },
  },
  'stage.sampling': {
    attrs: {
      rate: { type: t.number(), required: true },
      drop_counter_reason: { type: t.string(), default: 'sampling_stage' },
    },
  },
  'stage.metrics': {
    blocks: {
      'metric.counter': {
        multiple: true,
        schema: {
          attrs: {
            ...metricCommon,
            action: { type: t.string(), required: true },
            match_all: { type: t.bool(), default: false },
            count_entry_bytes: { type: t.bool(), default: false },
          },
        },
      },
      'metric.gauge': { multiple: true, schema: { attrs: { ...metricCommon, action: { type: t.string(), required: true } } } },
      'metric.histogram': { multiple: true, schema: { attrs: { ...metricCommon, buckets: { type: t.array(t.number()), required: true } } } },
    },
    ordered: true,
  },
  'stage.geoip': {
    attrs: {
      db: { type: t.string(), required: true },
      source: { type: t.string(), required: true },
      db_type: { type: t.string() },
      custom_lookups: { type: t.map(t.string()) },
    },
  },
};
