// otelcol.auth.bearer: a bearer token sent by exporters and checked by receivers.
// Mechanism: src/otel/auth/handlers.ts.
import { registerComponent } from '../../../runtime/registry.js';
import { t, type ComponentContext, type ComponentDefinition } from '../../../runtime/types.js';
import { OTELCOL_HANDLER, otelAuthHandler } from '../../../pipeline/otel.js';
import { revealString, type Secret } from '../../../syntax/secret.js';
import { debugMetricsSchema } from '../../../otel/config-schema.js';
import { bearerAuthHandler } from '../../../otel/auth/handlers.js';

export interface BearerAuthArgs {
  token: Secret | string;
  header: string;
  scheme: string;
}

function publish(ctx: ComponentContext, a: BearerAuthArgs): void {
  const token = revealString(a.token) ?? '';
  ctx.setExports({ handler: otelAuthHandler(bearerAuthHandler(ctx.id, () => token, a.header, a.scheme)) });
}

export const bearerAuth: ComponentDefinition<BearerAuthArgs> = {
  name: 'otelcol.auth.bearer',
  args: {
    attrs: { token: { type: t.secret(), required: true }, header: { type: t.string(), default: 'Authorization' }, scheme: { type: t.string(), default: 'Bearer' } },
    blocks: { debug_metrics: { schema: debugMetricsSchema } },
  },
  exports: { handler: t.capsule(OTELCOL_HANDLER) },
  build: (ctx, args) => {
    publish(ctx, args);
    return { update: (a: BearerAuthArgs) => publish(ctx, a) };
  },
};

registerComponent(bearerAuth);
