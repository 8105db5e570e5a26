// The messages of Grafana's alloy-remote-config API (collector.v1), from the
// definition vendored under proto/grafana (loaded once with protobufjs). In
// memory a message is a plain object in protobufjs's camelCase shape.
import path from 'node:path';
import protobuf from 'protobufjs';
import { packageRoot } from '../package-root.js';

const PROTO_FILE = path.join(packageRoot(), 'proto/grafana/collector/v1/collector.proto');

/** RemoteConfigStatuses, as numbered on the wire. */
export const RemoteConfigStatus = { UNSET: 0, APPLIED: 1, APPLYING: 2, FAILED: 3 } as const;
export type RemoteConfigStatusValue = (typeof RemoteConfigStatus)[keyof typeof RemoteConfigStatus];

export interface GetConfigRequest {
  id: string;
  localAttributes: Record<string, string>;
  hash: string;
  remoteConfigStatus?: { status: RemoteConfigStatusValue; errorMessage: string };
}
export interface GetConfigResponse {
  content: string;
  hash: string;
  notModified: boolean;
}
export interface RegisterCollectorRequest {
  id: string;
  localAttributes: Record<string, string>;
  name: string;
}
export interface UnregisterCollectorRequest {
  id: string;
}

/** The service's methods: request and response message names. */
export const METHODS = {
  GetConfig: ['GetConfigRequest', 'GetConfigResponse'],
  RegisterCollector: ['RegisterCollectorRequest', 'RegisterCollectorResponse'],
  UnregisterCollector: ['UnregisterCollectorRequest', 'UnregisterCollectorResponse'],
} as const;
export type MethodName = keyof typeof METHODS;
export const SERVICE = 'collector.v1.CollectorService';

let root: protobuf.Root | undefined;
function type(name: string): protobuf.Type {
  root ??= protobuf.loadSync(PROTO_FILE);
  return root.lookupType(`collector.v1.${name}`);
}

export function encodeMessage(name: string, msg: object): Uint8Array {
  const t = type(name);
  return t.encode(t.fromObject(msg)).finish();
}

/** Decodes with proto3 defaults filled in (empty strings, false, empty maps). */
export function decodeMessage<T>(name: string, bytes: Uint8Array): T {
  const t = type(name);
  return t.toObject(t.decode(bytes), { defaults: true, enums: Number, longs: String }) as T;
}

/** Proto3 JSON of a message (lowerCamelCase names, enums by name), as Connect's JSON codec sends it. */
export function toJsonMessage(name: string, msg: object): unknown {
  const t = type(name);
  return t.toObject(t.fromObject(msg), { enums: String, longs: String });
}

/** A proto3 JSON body (enums by name or number, unknown fields ignored), with defaults filled in. */
export function fromJsonMessage<T>(name: string, body: Uint8Array): T {
  const t = type(name);
  const text = Buffer.from(body).toString('utf8');
  const obj = text.trim() === '' ? {} : (JSON.parse(text) as Record<string, unknown>);
  const known = Object.fromEntries(Object.entries(obj).filter(([k]) => k in t.fields || Object.values(t.fields).some((f) => f.name === k)));
  return t.toObject(t.fromObject(known), { defaults: true, enums: Number, longs: String }) as T;
}
