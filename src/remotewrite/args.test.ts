// The endpoint arguments added for Alloy parity: defaults, and the refusals
// with Alloy's reasons (naming the endpoint).
import { METADATA_DEFAULTS, PROTO_V1, resolveArgs } from './args.js';

const url = 'http://127.0.0.1:1/api/v1/write';

describe('prometheus.remote_write arguments', () => {
  it('fills Alloy defaults for protobuf_message and metadata_config', () => {
    const ep = resolveArgs({ endpoint: [{ url }] }).endpoints[0]!;
    expect(ep.protobuf_message).toBe(PROTO_V1);
    expect(ep.metadata_config).toEqual(METADATA_DEFAULTS);
    expect(METADATA_DEFAULTS).toEqual({ send: true, send_interval: 60_000, max_samples_per_send: 2000 });
    expect(resolveArgs({ endpoint: [{ url, metadata_config: { send: false } }] }).endpoints[0]!.metadata_config.send).toBe(false);
  });

  it('refuses what Alloy refuses', () => {
    const bad = (ep: Record<string, unknown>, re: RegExp) => expect(() => resolveArgs({ endpoint: [{ url, name: 'e', ...ep }] })).toThrow(re);
    bad({ protobuf_message: 'prometheus.WriteRequestV3' }, /endpoint "e": invalid protobuf_message/);
    bad({ sigv4: { access_key: 'a' } }, /endpoint "e": sigv4: must provide an AWS SigV4 access key and secret key/);
    bad({ sigv4: {}, azuread: { managed_identity: { client_id: '00000000-0000-4000-8000-000000000001' } } }, /at most one of sigv4, azuread, google_iam/);
    bad({ google_iam: {}, basic_auth: { username: 'u' } }, /at most one of sigv4, azuread, google_iam/);
    bad({ azuread: { cloud: 'AzurePublic' } }, /endpoint "e": azuread: must provide an Azure Managed Identity/);
    bad({ metadata_config: { send_interval: 0 } }, /metadata_config.send_interval/);
    expect(() => resolveArgs({ wal: { min_keepalive_time: 60_000, max_keepalive_time: 60_000 } })).toThrow(/min_keepalive_time must be smaller than max_keepalive_time/);
    expect(() => resolveArgs({ wal: { truncate_frequency: 0 } })).toThrow(/truncate_frequency must not be 0/);
  });
});
