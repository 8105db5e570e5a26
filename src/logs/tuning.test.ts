import { sourceTuningFromEnv, TUNING_DEFAULTS } from './tuning.js';

describe('loki.source.kubernetes tuning from the environment', () => {
  it('defaults without variables', () => {
    expect(sourceTuningFromEnv({})).toEqual(TUNING_DEFAULTS);
  });

  it('reads durations and switches', () => {
    const t = sourceTuningFromEnv({
      ALLOY_LOGS_TAIL_MIN_BACKOFF: '50ms',
      ALLOY_LOGS_TAIL_MAX_BACKOFF: '1s',
      ALLOY_LOGS_POSITIONS_SHARED_INTERVAL: '250ms',
      ALLOY_LOGS_HANDOFF_TIMEOUT: '1m30s',
      ALLOY_LOGS_SHARED_POSITIONS: 'false',
      ALLOY_LOGS_POSITIONS_NAMESPACE: 'monitoring',
    });
    expect(t).toMatchObject({ minBackoffMs: 50, maxBackoffMs: 1000, sharedIntervalMs: 250, handoffTimeoutMs: 90_000, sharedPositions: false, positionsNamespace: 'monitoring' });
  });

  it('names the variable and the reason for a bad value', () => {
    expect(() => sourceTuningFromEnv({ ALLOY_LOGS_TAIL_DRAIN_TIMEOUT: 'soon' })).toThrow(/ALLOY_LOGS_TAIL_DRAIN_TIMEOUT: invalid duration "soon"/);
    expect(() => sourceTuningFromEnv({ ALLOY_LOGS_TAIL_MIN_BACKOFF: '2s', ALLOY_LOGS_TAIL_MAX_BACKOFF: '1s' })).toThrow(/ALLOY_LOGS_TAIL_MAX_BACKOFF: must not be below/);
    expect(() => sourceTuningFromEnv({ ALLOY_LOGS_SHARED_POSITIONS: 'yes' })).toThrow(/ALLOY_LOGS_SHARED_POSITIONS: expected true or false/);
    expect(() => sourceTuningFromEnv({ ALLOY_LOGS_TAIL_SILENCE_TIMEOUT: '0s' })).toThrow(/must be positive/);
  });
});
