// Remote-write metrics under Prometheus's names. One set per process-wide
// registry (several remote_write components share it), told apart by the
// component_id, remote_name and url labels.
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import { redactUrlPasswords } from '../redact.js';

const ENDPOINT_LABELS = ['remote_name', 'url'] as const;

export function remoteWriteMetrics(reg: Registry) {
  const c = (name: string, help: string) => new Counter({ name, help, labelNames: ENDPOINT_LABELS, registers: [reg] });
  const g = (name: string, help: string) => new Gauge({ name, help, labelNames: ENDPOINT_LABELS, registers: [reg] });
  return {
    samplesTotal: c('prometheus_remote_storage_samples_total', 'Total number of samples sent to remote storage.'),
    samplesFailed: c('prometheus_remote_storage_samples_failed_total', 'Total number of samples which failed on send to remote storage, non-recoverable errors.'),
    samplesRetried: c('prometheus_remote_storage_samples_retried_total', 'Total number of samples which failed on send to remote storage but were retried because the send error was recoverable.'),
    samplesDropped: c('prometheus_remote_storage_samples_dropped_total', 'Total number of samples which were dropped before being sent (relabeling, age limit, WAL overflow).'),
    samplesPending: g('prometheus_remote_storage_samples_pending', 'The number of samples pending in the queues shards to be sent to the remote storage.'),
    highestTimestamp: g('prometheus_remote_storage_highest_timestamp_in_seconds', 'Highest timestamp that has come into the remote storage via the WAL, in seconds since epoch.'),
    highestSent: g('prometheus_remote_storage_queue_highest_sent_timestamp_seconds', 'Timestamp from a WAL sample, the highest timestamp successfully sent by this queue, in seconds since epoch.'),
    shards: g('prometheus_remote_storage_shards', 'The number of shards used for parallel sending to the remote storage.'),
    shardsDesired: g('prometheus_remote_storage_shards_desired', 'The number of shards that the queues shard calculation wants to run based on the rate of samples in vs. samples out.'),
    bytesTotal: c('prometheus_remote_storage_bytes_total', 'The total number of bytes of data (not metadata) sent by the queue after compression.'),
    batchDuration: new Histogram({
      name: 'prometheus_remote_storage_sent_batch_duration_seconds',
      help: 'Duration of send calls to the remote storage.',
      labelNames: ENDPOINT_LABELS,
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 25, 60],
      registers: [reg],
    }),
    walSize: new Gauge({ name: 'alloy_remote_write_wal_size_bytes', help: 'Bytes of WAL segments on disk.', registers: [reg] }),
    walSegments: new Gauge({ name: 'alloy_remote_write_wal_segments', help: 'Number of WAL segment files.', registers: [reg] }),
    walAppended: new Counter({ name: 'alloy_remote_write_wal_samples_appended_total', help: 'Samples made durable in the WAL.', registers: [reg] }),
  };
}

export type RemoteWriteMetrics = ReturnType<typeof remoteWriteMetrics>;

/** The metric children of one endpoint, resolved once (label lookups are not free on the hot path). */
export function endpointMetrics(m: RemoteWriteMetrics, remoteName: string, url: string) {
  // The url label never shows a password (user:xxxxx@, as Prometheus's labels do).
  const l = { remote_name: remoteName, url: redactUrlPasswords(url) };
  return {
    labels: l,
    samplesTotal: m.samplesTotal.labels(l),
    samplesFailed: m.samplesFailed.labels(l),
    samplesRetried: m.samplesRetried.labels(l),
    samplesDropped: m.samplesDropped.labels(l),
    samplesPending: m.samplesPending.labels(l),
    highestTimestamp: m.highestTimestamp.labels(l),
    highestSent: m.highestSent.labels(l),
    shards: m.shards.labels(l),
    shardsDesired: m.shardsDesired.labels(l),
    bytesTotal: m.bytesTotal.labels(l),
    batchDuration: m.batchDuration.labels(l),
    remove(): void {
      for (const metric of [m.samplesTotal, m.samplesFailed, m.samplesRetried, m.samplesDropped, m.samplesPending, m.highestTimestamp, m.highestSent, m.shards, m.shardsDesired, m.bytesTotal, m.batchDuration]) {
        (metric as Counter<string>).remove(l);
      }
    },
  };
}

export type EndpointMetrics = ReturnType<typeof endpointMetrics>;
