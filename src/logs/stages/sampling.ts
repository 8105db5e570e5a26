// stage.sampling: keeps each entry with probability `rate` (0 drops all,
// 1 keeps all) and counts the others as dropped with drop_counter_reason.
import type { StageEnv } from './env.js';
import type { Stage } from './types.js';

export interface SamplingArgs {
  rate?: number;
  drop_counter_reason?: string;
}

export function samplingStage(args: SamplingArgs, onDrop: (reason: string) => void, env: StageEnv = {}): Stage {
  const rate = args.rate;
  if (typeof rate !== 'number' || !(rate >= 0 && rate <= 1)) {
    throw new Error(`stage.sampling: sampling stage failed to parse rate,Sampling Rate must be between 0.0 and 1.0, received ${typeof rate === "number" ? rate.toFixed(6) : rate}`);
  }
  const reason = args.drop_counter_reason ?? 'sampling_stage';
  const random = env.random ?? Math.random;
  return {
    name: 'sampling',
    process() {
      // random() is in [0, 1): rate 0 never keeps, rate 1 always does.
      if (random() < rate) return true;
      onDrop(reason);
      return false;
    },
  };
}
