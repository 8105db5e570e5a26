// A keep-alive https.Agent whose TLS material follows its files: the
// tls_config files are re-read at most every `recheckMs`, and when their
// content changed a new agent takes over (rotated certificates apply without a
// restart). The old agent finishes its requests, then its sockets are closed.
import https from 'node:https';
import type { Socket } from 'node:net';
import { tlsClientOptions, type TlsConfig } from './http-options.js';

export interface TlsAgentOptions {
  /** Least time between two reads of the files; default 5 s. */
  recheckMs?: number;
  /** Prefix of error messages, e.g. "endpoint 1: tls_config". */
  where?: string;
  /** Builds the agent from the merged options (default https.Agent; a proxy agent tunnels through CONNECT). */
  createAgent?: (options: https.AgentOptions) => https.Agent;
}

export class TlsAgent {
  readonly #cfg: TlsConfig | undefined;
  readonly #agentOptions: https.AgentOptions;
  readonly #recheckMs: number;
  readonly #where: string;
  readonly #usesFiles: boolean;
  readonly #createAgent: (options: https.AgentOptions) => https.Agent;
  #agent: https.Agent | undefined;
  #fingerprint = '';
  #checkedAt = 0;
  /** The last failed re-read (the previous material stays in use), cleared by a good read. */
  lastError: string | undefined;

  constructor(cfg: TlsConfig | undefined, agentOptions: https.AgentOptions = {}, opts: TlsAgentOptions = {}) {
    this.#cfg = cfg;
    this.#agentOptions = agentOptions;
    this.#recheckMs = opts.recheckMs ?? 5_000;
    this.#where = opts.where ?? 'tls_config';
    this.#usesFiles = !!(cfg?.ca_file || cfg?.cert_file || cfg?.key_file);
    this.#createAgent = opts.createAgent ?? ((o) => new https.Agent(o));
  }

  /** The agent to use now. Throws only when the TLS material was never readable. */
  get(): https.Agent {
    if (this.#agent && (!this.#usesFiles || Date.now() - this.#checkedAt < this.#recheckMs)) return this.#agent;
    this.#checkedAt = Date.now();
    let opts;
    try {
      opts = tlsClientOptions(this.#cfg, this.#where);
    } catch (e) {
      if (!this.#agent) throw e;
      // Mid-rotation (a file briefly missing): keep the material that worked.
      this.lastError = (e as Error).message;
      return this.#agent;
    }
    this.lastError = undefined;
    const fingerprint = JSON.stringify(opts);
    if (this.#agent && fingerprint === this.#fingerprint) return this.#agent;
    const old = this.#agent;
    this.#agent = this.#createAgent({ ...this.#agentOptions, ...opts });
    this.#fingerprint = fingerprint;
    if (old) retire(old);
    return this.#agent;
  }

  destroy(): void {
    this.#agent?.destroy();
    this.#agent = undefined;
  }
}

/** Close the idle sockets now and the busy ones once their request is done. */
function retire(agent: https.Agent): void {
  agent.on('free', (s: Socket) => s.destroy());
  for (const list of Object.values(agent.freeSockets)) for (const s of list ?? []) s.destroy();
}
