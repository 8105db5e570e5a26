// promtail's limits_config -> what Alloy's converter makes of it: max_streams
// for each loki.write, and stages put first in every job's loki.process (a
// stage.limit for the readline rate limit, a stage.truncate or stage.drop for
// max_line_size). promtail's limits are global; the stages apply per job.
import { Block, bool, num, str } from '../builder.js';
import type { Fields } from '../fields.js';
import { formatBase2Bytes, parsePromtailBytes } from './stages/bytes.js';
import { numberField } from './stages/emit.js';

export interface PromtailLimits {
  maxStreams?: number;
  /** Stages every job's loki.process starts with. */
  stages: Block[];
}

// promtail's flag defaults (-limit.readline-rate, -burst, -drop).
const READLINE_RATE = 10_000;
const READLINE_BURST = 10_000;

export function convertLimits(limits: Fields | undefined): PromtailLimits {
  if (!limits) return { stages: [] };
  const maxStreams = limits.uint('max_streams') || undefined;
  const stages: Block[] = [];
  const rateEnabled = limits.bool('readline_rate_enabled') ?? false;
  const rate = numberField(limits, 'readline_rate') ?? READLINE_RATE;
  const burst = numberField(limits, 'readline_burst', true) ?? READLINE_BURST;
  const drop = limits.bool('readline_rate_drop') ?? true;
  if (rateEnabled) {
    const b = new Block('stage.limit').attr('rate', num(rate)).attr('burst', num(burst));
    if (drop) b.attr('drop', bool(true));
    stages.push(b);
    limits.diags.warn(
      'limits_config rate limiting settings (readline_rate, readline_burst, readline_rate_drop) have been converted to stage.limit stages in each loki.process component. Unlike Promtail\'s global rate limiter, these limits apply independently per pipeline rather than across all pipelines combined.',
    );
  }
  const size = limits.take('max_line_size');
  const truncate = limits.bool('max_line_size_truncate') ?? false;
  let bytes = 0;
  if (size !== undefined) {
    try {
      bytes = typeof size === 'number' ? size : parsePromtailBytes(String(size));
    } catch (e) {
      limits.diags.critical(`${limits.where('max_line_size')}: ${(e as Error).message}`);
    }
  }
  if (bytes > 0) {
    const limit = str(formatBase2Bytes(bytes));
    // Truncated lines keep flowing; otherwise promtail drops the longer lines.
    if (truncate) stages.push(new Block('stage.truncate').append(new Block('rule').attr('limit', limit)));
    else stages.push(new Block('stage.drop').attr('longer_than', limit));
  }
  limits.finish();
  return { maxStreams, stages };
}
