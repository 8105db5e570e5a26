// Polls <url>/pods every refresh_interval (never two requests at once) and
// reports each outcome: the node's targets, or the reason it could not get them.
import { ClientAgents } from '../net/client-agents.js';
import { RequestAuth } from '../net/request-auth.js';
import { USER_AGENT } from '../net/user-agent.js';
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
  // The tls_config files are re-read at every poll (recheckMs 0), so a rotated CA or client certificate applies at once.
  readonly #agents: ClientAgents;
  /** oauth2 tokens are cached across polls; other credentials are resolved per poll (credentials.ts). */
  readonly #auth: RequestAuth | undefined;
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<void> | undefined;
  #stopped = false;
  polls = 0;

  constructor(private readonly o: PollerOptions) {
    this.url = podsURL(o.args.url ?? DEFAULT_URL);
    this.#agents = new ClientAgents(o.args, { keepAlive: true, maxSockets: 1 }, { recheckMs: 0 });
    this.#auth = o.args.oauth2 ? new RequestAuth({ oauth2: o.args.oauth2 }, { userAgent: USER_AGENT }) : undefined;
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
        agents: this.#agents,
        auth: this.#auth,
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
    this.#agents.destroy();
    this.#auth?.close();
  }
}
