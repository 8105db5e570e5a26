// Scrape classes: the operator's Prometheus.spec.scrapeClasses, declared here
// as the component's repeatable `scrape_class` blocks (the names of Alloy's
// proposal, grafana/alloy#6466). A CR picks one by spec.scrapeClass, or gets
// the default class when it names none. Merged as the operator's promcfg.go
// does: the CR's own TLS CA/cert/key, authorization and attachMetadata win
// and the class fills the gaps; class relabelings run after the generated
// ones and before the CR's; class metric relabelings run before the CR's.
import { type CompiledRule, type RuleBlock, ruleBlockSchema, rulesFromConfig } from '../../relabel/index.js';
import { type AuthorizationConfig, type HttpClientArgs, TLS_ATTRS_NO_MIN_VERSION, type TlsConfig, authorizationSchema, tlsConfigSchemaOf, validateTlsConfig } from '../../net/http-options.js';
import { t, type BlockSchema } from '../../runtime/types.js';
import { revealString } from '../../syntax/secret.js';
import type { TlsSpec } from './monitor.js';

export interface ScrapeClassBlock {
  name: string;
  default?: boolean;
  tls_config?: TlsConfig;
  authorization?: AuthorizationConfig;
  attach_metadata?: { node?: boolean };
  relabel_rule?: RuleBlock[];
  metric_relabel_rule?: RuleBlock[];
}

export const scrapeClassSchema: BlockSchema = {
  attrs: { name: { type: t.string(), required: true }, default: { type: t.bool(), default: false } },
  blocks: {
    tls_config: { schema: tlsConfigSchemaOf(TLS_ATTRS_NO_MIN_VERSION) },
    authorization: { schema: authorizationSchema },
    attach_metadata: { schema: { attrs: { node: { type: t.bool(), default: false } } } },
    relabel_rule: { schema: ruleBlockSchema, multiple: true },
    metric_relabel_rule: { schema: ruleBlockSchema, multiple: true },
  },
};

export interface ScrapeClass {
  name: string;
  tls?: TlsConfig;
  authorization?: AuthorizationConfig;
  attachNode?: boolean;
  relabel: CompiledRule[];
  metricRelabel: CompiledRule[];
}

export interface ScrapeClasses {
  byName: Map<string, ScrapeClass>;
  defaultName?: string;
}

/** Checks and compiles the blocks; throws naming the class (the operator refuses such a Prometheus CR). */
export function compileScrapeClasses(blocks: readonly ScrapeClassBlock[] | undefined): ScrapeClasses {
  const out: ScrapeClasses = { byName: new Map() };
  for (const b of blocks ?? []) {
    const where = `scrape_class ${JSON.stringify(b.name)}`;
    if (!b.name) throw new Error('scrape_class: name must not be empty');
    if (out.byName.has(b.name)) throw new Error(`${where}: defined more than once`);
    if (b.default) {
      if (out.defaultName !== undefined) throw new Error(`scrape_class: more than one default class (${JSON.stringify(out.defaultName)} and ${JSON.stringify(b.name)})`);
      out.defaultName = b.name;
    }
    const compile = (rules: RuleBlock[] | undefined, block: string) => {
      try {
        return rulesFromConfig(rules);
      } catch (e) {
        throw new Error(`${where}: ${block}: ${(e as Error).message}`);
      }
    };
    try {
      validateTlsConfig(b.tls_config, TLS_ATTRS_NO_MIN_VERSION);
    } catch (e) {
      throw new Error(`${where}: ${(e as Error).message}`);
    }
    out.byName.set(b.name, {
      name: b.name,
      tls: b.tls_config,
      authorization: b.authorization,
      attachNode: b.attach_metadata ? (b.attach_metadata.node ?? false) : undefined,
      relabel: compile(b.relabel_rule, 'relabel_rule'),
      metricRelabel: compile(b.metric_relabel_rule, 'metric_relabel_rule'),
    });
  }
  return out;
}

/** The class a CR gets: the one it names, else the default; throws when the named class does not exist. */
export function classFor(classes: ScrapeClasses, named: string | undefined): ScrapeClass | undefined {
  if (named === undefined) return classes.defaultName === undefined ? undefined : classes.byName.get(classes.defaultName);
  const c = classes.byName.get(named);
  if (!c) {
    const known = [...classes.byName.keys()];
    throw new Error(`spec.scrapeClass: scrape class ${JSON.stringify(named)} is not defined (${known.length ? `defined: ${known.join(', ')}` : 'the component has no scrape_class blocks'})`);
  }
  return c;
}

/** mergeTLSConfigWithScrapeClass: no CR TLS takes the class's; else each of CA, cert and key the CR lacks comes from the class. */
export function mergeTls(own: TlsConfig | undefined, cls: ScrapeClass | undefined): TlsConfig | undefined {
  if (!cls?.tls) return own;
  if (!own) return { ...cls.tls };
  const out = { ...own };
  for (const kind of ['ca', 'cert', 'key'] as const) {
    if (out[`${kind}_file`] === undefined && out[`${kind}_pem`] === undefined) {
      if (cls.tls[`${kind}_file`] !== undefined) out[`${kind}_file`] = cls.tls[`${kind}_file`];
      else if (cls.tls[`${kind}_pem`] !== undefined) (out as Record<string, unknown>)[`${kind}_pem`] = cls.tls[`${kind}_pem`];
    }
  }
  return out;
}

/**
 * mergeAuthorizationWithScrapeClass on the endpoint's client settings: without
 * authorization the class's applies; an authorization without credentials
 * takes the class's credentials. With another credential on the endpoint
 * (basicAuth, oauth2, bearer token) the generated Prometheus config would be
 * refused ("at most one of ..."), so the CR is rejected with that reason.
 */
export function mergeAuthorization(client: HttpClientArgs, cls: ScrapeClass | undefined, at: string): void {
  const a = cls?.authorization;
  if (!a) return;
  const cred = revealString(a.credentials);
  if (!client.authorization) {
    const other = (['bearer_token', 'bearer_token_file', 'basic_auth', 'oauth2'] as const).find((k) => client[k] !== undefined);
    if (other) throw new Error(`${at}: the authorization of scrape class ${JSON.stringify(cls!.name)} cannot be combined with the endpoint's ${other}`);
    client.authorization = { type: a.type ?? 'Bearer', ...(cred !== undefined ? { credentials: cred } : {}), ...(a.credentials_file ? { credentials_file: a.credentials_file } : {}) };
    return;
  }
  const own = client.authorization;
  if (!revealString(own.credentials) && !own.credentials_file) {
    if (cred !== undefined) own.credentials = cred;
    else if (a.credentials_file) {
      delete own.credentials;
      own.credentials_file = a.credentials_file;
    }
  }
}

/** A "safe" TLS config of only zero values (`tlsConfig: {}`) counts as none for the class merge (mergeSafeTLSConfigWithScrapeClass). */
export function isZeroTls(t: TlsSpec | undefined): boolean {
  return t !== undefined && !t.ca && !t.cert && !t.keySecret && !t.serverName && !t.insecureSkipVerify && !t.minVersion && !t.maxVersion;
}

/**
 * A CR's client settings with its scrape class's TLS and authorization merged
 * in (mergeTLSConfigWithScrapeClass, mergeSafeAuthorizationWithScrapeClass);
 * `zeroTls`: the CR's TLS is a safe one of only zero values, which the class's
 * replaces. Used for monitor endpoints, Probes and ScrapeConfigs alike.
 */
export function classClient(c: HttpClientArgs, cls: ScrapeClass | undefined, at: string, zeroTls: boolean): HttpClientArgs {
  if (!cls) return c;
  if (zeroTls && cls.tls) delete c.tls_config;
  const tls = mergeTls(c.tls_config, cls);
  if (tls) c.tls_config = tls;
  mergeAuthorization(c, cls, at);
  return c;
}
