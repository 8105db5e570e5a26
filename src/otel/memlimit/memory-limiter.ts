// otelcol.processor.memory_limiter's mechanism (the Collector's
// memorylimiter): memory in use is measured every check_interval; while it is
// above the soft limit (limit - spike_limit) data is refused with a retryable
// error, so receivers answer gRPC Unavailable / HTTP 503 and clients retry.
// Node's equivalent of Go's heap allocation is V8's used heap plus memory
// held outside it (Buffers); above the hard limit a GC is requested when the
// runtime exposes one (node --expose-gc).
import fs from 'node:fs';
import os from 'node:os';

export interface MemoryLimitArgs {
  check_interval: number;
  /** Bytes. */
  limit: number;
  spike_limit: number;
  limit_percentage: number;
  spike_limit_percentage: number;
}

export const REFUSED_MESSAGE = 'data refused due to high memory usage';

/** Bytes the process holds that count against the limit. */
export function memoryInUse(): number {
  const m = process.memoryUsage();
  return m.heapUsed + m.external;
}

/** Memory available to the process: the cgroup limit when one is set, else the machine's. */
export function totalMemory(): number {
  for (const f of ['/sys/fs/cgroup/memory.max', '/sys/fs/cgroup/memory/memory.limit_in_bytes']) {
    try {
      const v = fs.readFileSync(f, 'utf8').trim();
      const n = Number(v);
      if (v !== 'max' && Number.isFinite(n) && n > 0 && n < os.totalmem()) return n;
    } catch {
      /* not in a cgroup with a limit */
    }
  }
  return os.totalmem();
}

/** Hard and soft limits in bytes, as the Collector derives them. */
export function limitsOf(a: MemoryLimitArgs, total: () => number = totalMemory): { hard: number; soft: number } {
  if (a.limit > 0) {
    const spike = a.spike_limit > 0 ? a.spike_limit : Math.floor(a.limit / 5);
    return { hard: a.limit, soft: a.limit - spike };
  }
  const t = total();
  const hard = Math.floor((t * a.limit_percentage) / 100);
  return { hard, soft: hard - Math.floor((t * a.spike_limit_percentage) / 100) };
}

const MiB = 1024 * 1024;

export function validateMemoryLimit(a: MemoryLimitArgs): void {
  if (a.check_interval <= 0) throw new Error('check_interval must be greater than zero');
  if (a.limit > 0 && (a.limit_percentage > 0 || a.spike_limit_percentage > 0)) throw new Error('set either limit (and spike_limit) or limit_percentage and spike_limit_percentage, not both');
  if (a.limit <= 0 && a.limit_percentage <= 0) throw new Error('one of limit or limit_percentage must be set');
  if (a.limit > 0) {
    if (a.limit <= MiB) throw new Error('limit must be larger than 1 MiB');
    if (a.spike_limit > 0 && a.spike_limit >= a.limit) throw new Error('spike_limit must be smaller than limit');
  } else {
    if (a.limit_percentage > 100 || a.spike_limit_percentage > 100) throw new Error('limit_percentage and spike_limit_percentage must be at most 100');
    if (a.spike_limit_percentage >= a.limit_percentage) throw new Error('spike_limit_percentage must be smaller than limit_percentage');
  }
}

export class MemoryLimiter {
  #limits: { hard: number; soft: number };
  #refusing = false;
  #timer?: NodeJS.Timeout;
  #interval = 0;

  constructor(
    a: MemoryLimitArgs,
    readonly onChange: (refusing: boolean, inUse: number, limits: { hard: number; soft: number }) => void = () => {},
    readonly read: () => number = memoryInUse,
  ) {
    this.#limits = limitsOf(a);
    this.update(a);
  }

  update(a: MemoryLimitArgs): void {
    this.#limits = limitsOf(a);
    if (a.check_interval !== this.#interval) {
      clearInterval(this.#timer);
      this.#interval = a.check_interval;
      this.#timer = setInterval(() => this.check(), a.check_interval);
      this.#timer.unref();
    }
    this.check();
  }

  get limits(): { hard: number; soft: number } {
    return this.#limits;
  }

  get refusing(): boolean {
    return this.#refusing;
  }

  /** One measurement: refuse while above the soft limit; above the hard limit ask for a GC. */
  check(): void {
    let used = this.read();
    if (used > this.#limits.hard) {
      const gc = (globalThis as { gc?: () => void }).gc;
      if (gc) {
        gc();
        used = this.read();
      }
    }
    const refusing = used > this.#limits.soft;
    if (refusing !== this.#refusing) {
      this.#refusing = refusing;
      this.onChange(refusing, used, this.#limits);
    }
  }

  /** Throws the retryable refusal while memory is above the soft limit. */
  admit(): void {
    if (this.#refusing) throw new Error(REFUSED_MESSAGE);
  }

  stop(): void {
    clearInterval(this.#timer);
  }
}
