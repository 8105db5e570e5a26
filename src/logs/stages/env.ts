// What stages get from the loki.process instance that runs them, besides
// the drop counter: its metrics registry (stage.metrics, stage.limit's
// per-label drops), its logger, and a clock tests can replace.
import type { Registry } from 'prom-client';

export interface StageLogger {
  warn(obj: object, msg: string): void;
  debug(obj: object, msg: string): void;
}

export interface StageEnv {
  /** The component's registry: series get its component_id label. */
  registry?: Registry;
  logger?: StageLogger;
  /** Counts loki_process_dropped_lines_by_label_total; reset() clears every series. */
  dropsByLabel?: { inc(labelName: string, labelValue: string): void; reset(): void };
  /** Milliseconds since the epoch (default Date.now). */
  now?: () => number;
  /** Uniform random number in [0, 1) (default Math.random), for stage.sampling. */
  random?: () => number;
  /** Names of the stage.metrics metrics of the pipeline being built (one exposition holds a name once). */
  metricNames?: Set<string>;
  /**
   * Built only to check the configuration (decode time, `alloy validate`):
   * stages check their arguments but touch nothing outside (no database files opened).
   */
  checkOnly?: boolean;
}
