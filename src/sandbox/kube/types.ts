// Public types of the Kubernetes API emulator and the kubelet emulator.
// Other packages (discovery, logs, crd, demo) code against these; keep them stable.

export interface KubeEmulatorOptions {
  /** Address to bind; default 127.0.0.1. */
  host?: string;
  /** Port to bind; default 0 (ephemeral). */
  port?: number;
  /** When set, every request must carry `Authorization: Bearer <token>`. */
  token?: string;
  /** Serve HTTPS with a self-signed certificate (default false: plain http). */
  tls?: boolean;
  /** Interval of BOOKMARK events on watches with allowWatchBookmarks; default 60000. */
  bookmarkIntervalMs?: number;
  /** Number of events kept for watch resume; older resourceVersions get 410 Gone. Default 10000. */
  historyLimit?: number;
  /**
   * How a watch from a resourceVersion older than the kept history is refused: 'event' (default,
   * like the apiserver's watch cache: 200 then an ERROR event with a 410 Status) or 'status' (HTTP 410).
   */
  watchExpiredAs?: 'event' | 'status';
  /** User name recorded for `token` (default `system:admin`). */
  user?: string;
  /** More accepted bearer tokens: token -> user name. */
  tokens?: Record<string, string>;
}

export type Verb = 'get' | 'list' | 'watch' | 'create' | 'update' | 'patch' | 'delete' | 'deletecollection';

export interface RequestLogEntry {
  time: string;
  verb: Verb;
  method: string;
  path: string;
  group: string;
  version: string;
  resource: string;
  subresource?: string;
  namespace?: string;
  name?: string;
  user: string;
  query: Record<string, string>;
  status: number;
}

export interface KubeFaults {
  /** Answer the next `count` matching resource requests with a Status object of that code. */
  failNext(count: number, status: number, match?: { resource?: string; verb?: string }): void;
  /** End every open watch stream abruptly (socket destroyed, no final chunk). */
  dropWatches(): void;
  /** End every open watch stream cleanly, as the apiserver does when a watch's timeout expires. */
  endWatches(): void;
  /** Every resourceVersion before the current one now gets 410 Gone. */
  expireHistory(): void;
  /** Close the listener and all connections (true) / listen again on the same port (false). */
  setDown(down: boolean): void;
  /** Delay every response by `ms` (0 turns it off). */
  stall(ms: number): void;
  /** Send an in-stream ERROR event carrying a Status of that code on every open watch, then end them. */
  sendErrorEventOnWatches(code: number): void;
  /** Resolves when queued setDown transitions have completed (listener really closed / listening). */
  settled(): Promise<void>;
}

export interface KubeLogs {
  /** Append lines to the current instance of a container; `at` gives timestamps (Date, RFC3339Nano string or
   *  bigint ns since the epoch; default now with nanosecond resolution). */
  append(namespace: string, pod: string, container: string, lines: string[], at?: Array<Date | string | bigint>): void;
  /** Start a new container instance: restartCount+1, previous log kept for ?previous=true, follow streams end. */
  restartContainer(namespace: string, pod: string, container: string): void;
}

export interface KubeEmulator {
  /** Base URL, e.g. http://127.0.0.1:34567 */
  url: string;
  /** With `tls: true`, the PEM file of the self-signed serving certificate (also its CA). */
  caCertPath?: string;
  /** Audit log of resource requests, in order. */
  requests: RequestLogEntry[];
  /** Create or replace any object (including custom resources whose CRD exists); returns the stored object. */
  apply(obj: any): any;
  remove(apiVersion: string, kind: string, namespace: string | undefined, name: string): boolean;
  get(apiVersion: string, kind: string, namespace: string | undefined, name: string): any | undefined;
  list(apiVersion: string, kind: string, namespace?: string): any[];
  faults: KubeFaults;
  logs: KubeLogs;
  /** Write a kubeconfig pointing at this emulator (with the token if set). */
  writeKubeconfig(path: string): void;
  close(): Promise<void>;
}

export interface KubeletEmulatorOptions {
  api: KubeEmulator;
  nodeName: string;
  token: string;
  host?: string;
  port?: number;
  /** User name recorded in `requests` for requests with the right token (default `kubelet-client`). */
  user?: string;
}

export interface KubeletRequestLogEntry {
  /** When the request arrived (ISO 8601, ms). */
  time: string;
  method: string;
  /** URL path without the query. */
  path: string;
  /** Scheme of the Authorization header (`Bearer`, `Basic`, …), absent without one. */
  authScheme?: string;
  /** Whether it carried `Authorization: Bearer <token>` with the emulator's token. */
  tokenOk: boolean;
  /** The `user` option when tokenOk, else `system:anonymous`. */
  user: string;
  /** Status sent; 0 while unanswered, and for good when the client went away first (e.g. during a stall). */
  status: number;
  /** Arrival to status sent (or to the client going away). */
  durationMs?: number;
}

export interface KubeletEmulator {
  /** https://127.0.0.1:port */
  url: string;
  /** PEM file of the self-signed certificate the kubelet serves. */
  caCertPath: string;
  /** Every request (health checks included), in arrival order. */
  requests: KubeletRequestLogEntry[];
  /**
   * Hold every answer back by `ms` (a hung or overloaded kubelet): requests are accepted and
   * logged, then answered `ms` later unless the client gives up first. `stall(0)` lifts the stall
   * and answers every held request at once.
   */
  stall(ms: number): void;
  close(): Promise<void>;
  setDown(down: boolean): void;
  /** Resolves when queued setDown transitions have completed. */
  settled(): Promise<void>;
}
