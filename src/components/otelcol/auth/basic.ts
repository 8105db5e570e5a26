// otelcol.auth.basic: HTTP basic authentication for exporters (client_auth) and
// receivers (htpasswd). Mechanism: src/otel/auth/.
import fs from 'node:fs';
import { registerComponent } from '../../../runtime/registry.js';
import { t, type ComponentContext, type ComponentDefinition } from '../../../runtime/types.js';
import { OTELCOL_HANDLER, otelAuthHandler } from '../../../pipeline/otel.js';
import { revealString, type Secret } from '../../../syntax/secret.js';
import { debugMetricsSchema } from '../../../otel/config-schema.js';
import { basicAuthHandler, type BasicClientCredentials } from '../../../otel/auth/handlers.js';
import { Htpasswd } from '../../../otel/auth/htpasswd.js';

export interface BasicAuthArgs {
  username?: string;
  password?: Secret | string;
  client_auth?: { username: string; password: Secret | string; username_file: string; password_file: string };
  htpasswd?: { file: string; inline: string };
}

function build(ctx: ComponentContext, a: BasicAuthArgs): void {
  const deprecated = a.username !== undefined || a.password !== undefined;
  let client: BasicClientCredentials | undefined;
  if (a.client_auth) {
    const c = a.client_auth;
    client = { username: c.username, password: revealString(c.password) ?? '', username_file: c.username_file || undefined, password_file: c.password_file || undefined };
  } else if (deprecated) {
    client = { username: a.username ?? '', password: revealString(a.password) ?? '' };
  }
  let server: Htpasswd | undefined;
  if (a.htpasswd || deprecated) {
    server = new Htpasswd();
    if (a.htpasswd?.file) {
      let text: string;
      try {
        text = fs.readFileSync(a.htpasswd.file, 'utf8');
      } catch (e) {
        throw new Error(`htpasswd.file ${a.htpasswd.file}: cannot read: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
      }
      server.add(text, 'htpasswd.file');
    }
    // Alloy appends the deprecated credentials to the inline content; inline wins over the file.
    let inline = a.htpasswd?.inline ?? '';
    if (deprecated) inline = `${inline}\n${a.username ?? ''}:${revealString(a.password) ?? ''}`;
    server.add(inline, 'htpasswd.inline');
  }
  ctx.setExports({ handler: otelAuthHandler(basicAuthHandler(ctx.id, client, server)) });
}

export const basicAuth: ComponentDefinition<BasicAuthArgs> = {
  name: 'otelcol.auth.basic',
  args: {
    attrs: { username: { type: t.string() }, password: { type: t.secret() } },
    blocks: {
      client_auth: {
        schema: {
          attrs: { username: { type: t.string(), default: '' }, password: { type: t.secret(), default: '' }, username_file: { type: t.string(), default: '' }, password_file: { type: t.string(), default: '' } },
        },
      },
      htpasswd: { schema: { attrs: { file: { type: t.string(), default: '' }, inline: { type: t.string(), default: '' } } } },
      debug_metrics: { schema: debugMetricsSchema },
    },
  },
  exports: { handler: t.capsule(OTELCOL_HANDLER) },
  build: (ctx, args) => {
    build(ctx, args);
    return { update: (a: BasicAuthArgs) => build(ctx, a) };
  },
};

registerComponent(basicAuth);
