// The memory limiter's limits and refusal, with a controlled memory reading.
import { limitsOf, MemoryLimiter, REFUSED_MESSAGE, validateMemoryLimit, type MemoryLimitArgs } from './memory-limiter.js';

const MiB = 2 ** 20;
const args = (a: Partial<MemoryLimitArgs>): MemoryLimitArgs => ({ check_interval: 1000, limit: 0, spike_limit: 0, limit_percentage: 0, spike_limit_percentage: 0, ...a });

describe('memory limiter', () => {
  it('derives soft limits as the Collector does', () => {
    expect(limitsOf(args({ limit: 100 * MiB }))).toEqual({ hard: 100 * MiB, soft: 80 * MiB });
    expect(limitsOf(args({ limit: 100 * MiB, spike_limit: 10 * MiB }))).toEqual({ hard: 100 * MiB, soft: 90 * MiB });
    expect(limitsOf(args({ limit_percentage: 50, spike_limit_percentage: 10 }), () => 1000 * MiB)).toEqual({ hard: 500 * MiB, soft: 400 * MiB });
  });
  it('refuses above the soft limit and resumes below it', () => {
    let used = 10 * MiB;
    const changes: boolean[] = [];
    const l = new MemoryLimiter(args({ limit: 100 * MiB, check_interval: 3_600_000 }), (r) => changes.push(r), () => used);
    expect(() => l.admit()).not.toThrow();
    used = 85 * MiB;
    l.check();
    expect(() => l.admit()).toThrow(REFUSED_MESSAGE);
    used = 79 * MiB;
    l.check();
    expect(() => l.admit()).not.toThrow();
    expect(changes).toEqual([true, false]);
    l.stop();
  });
  it('measures every check_interval', async () => {
    let used = 500 * MiB;
    const l = new MemoryLimiter(args({ limit: 100 * MiB, check_interval: 20 }), () => {}, () => used);
    expect(l.refusing).toBe(true);
    used = 0;
    for (let i = 0; i < 200 && l.refusing; i++) await new Promise((r) => setTimeout(r, 10));
    expect(l.refusing).toBe(false);
    l.stop();
  });
  it('validates like Alloy', () => {
    expect(() => validateMemoryLimit(args({}))).toThrow(/one of limit or limit_percentage/);
    expect(() => validateMemoryLimit(args({ limit: MiB }))).toThrow(/larger than 1 MiB/);
    expect(() => validateMemoryLimit(args({ limit: 10 * MiB, spike_limit: 10 * MiB }))).toThrow(/spike_limit must be smaller/);
    expect(() => validateMemoryLimit(args({ limit: 10 * MiB, limit_percentage: 10 }))).toThrow(/not both/);
    expect(() => validateMemoryLimit(args({ limit_percentage: 10, spike_limit_percentage: 20 }))).toThrow(/spike_limit_percentage must be smaller/);
    expect(() => validateMemoryLimit(args({ limit: 10 * MiB, check_interval: 0 }))).toThrow(/check_interval/);
  });
});
