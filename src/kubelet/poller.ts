// Polls <url>/pods every refresh_interval (never two requests at once) and
// reports each outcome: the node's targets, or the reason it could not get them.
import https from 'node:https';
import type { Target } from '../discovery/kubernetes/types.js';
import { DEFAULT_REFRESH_MS, DEFAULT_URL, podsURL, type KubeletArgs } from './arguments.js';
import { fetchPodsBody, KubeletError } from './client.js';
import { parsePodList, podListTargets } from './podlist.js';

export interface PollResult {
  pods: number;
  targets: Target[];
}

export interface PollerOptions {
  args: KubeletArgs;
  onResult(r: PollResult): void;
  onError(e: KubeletError): void;
  /** Overall deadline of one request (connect + body); default from refresh_interval. */
  timeoutMs?: number;
  /** Test hook: where the default service-account token lives. */
  defaultTokenFile?: string;
}

/** Long enough for a big PodList on a busy node, short enough that a hung kubelet shows up. */
export function defaultTimeoutMs(refreshMs: number): number {
  return Math.min(Math.max(refreshMs, 10_000), 60_000);
}

export class KubeletPoller {
  readonly url: URL;
  readonly #abort = new AbortController();
  // One kept-alive connection: a poll every few seconds should not pay a TLS handshake each time.
  readonly #agent = new https.Agent({ keepAlive: true, maxSockets: 1 });
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<void> | undefined;
  #stopped = false;
  polls = 0;

  constructor(private readonly o: PollerOptions) {
    this.url = podsURL(o.args.url ?? DEFAULT_URL);
  }

  start(): void {
    this.#run();
  }

  #run(): void {
    if (this.#stopped) return;
    this.#running = this.#poll().finally(() => {
      this.#running = undefined;
      if (this.#stopped) return;
      this.#timer = setTimeout(() => this.#run(), this.o.args.refresh_interval ?? DEFAULT_REFRESH_MS);
    });
  }

  async #poll(): Promise<void> {
    const refresh = this.o.args.refresh_interval ?? DEFAULT_REFRESH_MS;
    this.polls++;
    let result: PollResult;
    try {
      const body = await fetchPodsBody({
        url: this.url,
        args: this.o.args,
        timeoutMs: this.o.timeoutMs ?? defaultTimeoutMs(refresh),
        agent: this.url.protocol === 'https:' ? this.#agent : undefined,
        signal: this.#abort.signal,
        defaultTokenFile: this.o.defaultTokenFile,
      });
      const pods = parsePodList(body, `GET ${this.url.href}`);
      result = { pods: pods.length, targets: podListTargets(pods, this.o.args.namespaces ?? []) };
    } catch (e) {
      if (this.#stopped) return;
      // Anything unexpected still becomes a health message, never an unhandled rejection.
      this.o.onError(e instanceof KubeletError ? e : new KubeletError('body', `GET ${this.url.href}: ${(e as Error).message}`));
      return;
    }
    if (!this.#stopped) this.o.onResult(result);
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#abort.abort();
    await this.#running;
    this.#agent.destroy();
  }
}
