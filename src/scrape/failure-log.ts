// scrape_failure_log_file: every failed scrape appended as one JSON line, as
// Prometheus's JSONFileLogger writes them ({"time","level":"ERROR","msg",
// "job_name","target"}). Appends to one file are chained so lines never
// interleave; a file that cannot be written is reported once per error text.
import { promises as fsp } from 'node:fs';

const chains = new Map<string, Promise<void>>();
const reported = new Set<string>();

export function logScrapeFailure(file: string, jobName: string, target: string, error: string, warn: (msg: string) => void): Promise<void> {
  const line = `${JSON.stringify({ time: new Date().toISOString(), level: 'ERROR', msg: error, job_name: jobName, target })}\n`;
  const next = (chains.get(file) ?? Promise.resolve()).then(() =>
    fsp.appendFile(file, line, { mode: 0o666 }).catch((e: Error) => {
      const key = `${file}: ${e.message}`;
      if (!reported.has(key)) {
        reported.add(key);
        warn(`scrape_failure_log_file: cannot write ${key}`);
      }
    }),
  );
  chains.set(file, next);
  void next.finally(() => {
    if (chains.get(file) === next) chains.delete(file);
  });
  return next;
}
