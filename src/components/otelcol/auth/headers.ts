// otelcol.auth.headers: sets, updates or deletes headers of exporters' outgoing
// requests, from fixed values, request metadata or auth attributes
// (the Collector's headers_setter extension). Mechanism: src/otel/auth/handlers.ts.
import { registerComponent } from '../../../runtime/registry.js';
import { t, type ComponentContext, type ComponentDefinition } from '../../../runtime/types.js';
import { OTELCOL_HANDLER, otelAuthHandler } from '../../../pipeline/otel.js';
import { revealString, type Secret } from '../../../syntax/secret.js';
import { debugMetricsSchema } from '../../../otel/config-schema.js';
import { headersSetterHandler, type HeaderRule } from '../../../otel/auth/handlers.js';

interface HeaderBlock {
  key: string;
  action: HeaderRule['action'];
  value?: Secret | string;
  from_context?: string;
  from_attribute?: string;
}

export interface HeadersAuthArgs {
  header: HeaderBlock[];
}

const ACTIONS = ['insert', 'update', 'upsert', 'delete'];

function publish(ctx: ComponentContext, a: HeadersAuthArgs): void {
  const rules: HeaderRule[] = a.header.map((h) => {
    const v = h.value === undefined ? undefined : revealString(h.value) ?? '';
    return { key: h.key, action: h.action, value: v === undefined ? undefined : () => v, from_context: h.from_context, from_attribute: h.from_attribute };
  });
  ctx.setExports({ handler: otelAuthHandler(headersSetterHandler(ctx.id, rules)) });
}

export const headersAuth: ComponentDefinition<HeadersAuthArgs> = {
  name: 'otelcol.auth.headers',
  args: {
    blocks: {
      header: {
        multiple: true,
        required: true,
        schema: {
          attrs: {
            key: { type: t.string(), required: true },
            action: { type: t.string(), default: 'upsert' },
            value: { type: t.secret() },
            from_context: { type: t.string() },
            from_attribute: { type: t.string() },
          },
          validate: (h: HeaderBlock) => {
            if (!ACTIONS.includes(h.action)) throw new Error(`action: ${JSON.stringify(h.action)} (want one of ${ACTIONS.join(', ')})`);
            const sources = [h.value, h.from_context, h.from_attribute].filter((x) => x !== undefined).length;
            if (h.action !== 'delete' && sources !== 1) throw new Error(`header ${JSON.stringify(h.key)}: exactly one of value, from_context or from_attribute must be set`);
          },
        },
      },
      debug_metrics: { schema: debugMetricsSchema },
    },
  },
  exports: { handler: t.capsule(OTELCOL_HANDLER) },
  build: (ctx, args) => {
    publish(ctx, args);
    return { update: (a: HeadersAuthArgs) => publish(ctx, a) };
  },
};

registerComponent(headersAuth);
