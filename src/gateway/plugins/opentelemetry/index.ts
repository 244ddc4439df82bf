/**
 * opentelemetry: W3C trace context propagation and a trace per request, exported over OTLP/HTTP.
 *
 *   start   read `traceparent` (propagation / header_type), decide sampling, write `traceparent`
 *           (and `tracestate`) for the upstream or LLM, the trace id response header; turn on
 *           phase timing (ctx.phases) for sampled requests
 *   log     build the request's spans (spans.ts) and queue them for export (exporter.ts)
 *
 * aigw instruments every request (Kong needs `tracing_instrumentations`); `sampling_rate` unset
 * means every request is traced (Kong falls back to kong.conf's `tracing_sampling_rate`, 0.01).
 */
import { resourceFromAttributes } from '@opentelemetry/resources';
import { Slot, type GatewayContext } from '../../context.js';
import type { KongPlugin } from '../../plugin.js';
import { VERSION } from '../../../version.js';
import { parseOtelConfig, type OtelConfig } from './config.js';
import { SpanExporter } from './exporter.js';
import { requestSpans, type SpanSource } from './spans.js';
import { decide, readTraceparent, startTrace, traceparentOf, type TraceContext } from './trace-context.js';

export const TRACE = new Slot<TraceContext>('opentelemetry.trace');

function start(c: OtelConfig, ctx: GatewayContext): void {
  const parent = c.extract ? readTraceparent(ctx.req.headers.traceparent) : null;
  const state = parent ? ctx.req.headers.tracestate : undefined;
  const t = startTrace(parent, typeof state === 'string' ? state : null, decide(parent, c.samplingStrategy, c.samplingRate));
  ctx.set(TRACE, t);
  const h = ctx.upstreamHeaders;
  for (const name of c.clear) delete h[name];
  if (c.inject) {
    h.traceparent = traceparentOf(t);
    if (t.tracestate !== null) h.tracestate = t.tracestate;
    else delete h.tracestate;
  }
  if (c.traceIdHeader) ctx.responseHeaders[c.traceIdHeader] = t.traceId;
  if (t.sampled) ctx.phases ??= [];
}

export const opentelemetry: KongPlugin<'opentelemetry', OtelConfig> = {
  name: 'opentelemetry',
  parse: parseOtelConfig,
  create(c, deps) {
    if (deps.scope.consumer !== null) {
      throw new Error('opentelemetry: a consumer-scoped instance is not supported by aigw serve: the trace starts before authentication; scope it to a route, a service or globally');
    }
    const exporter = deps.store.get('exporter', () => new SpanExporter({ endpoint: c.endpoint, headers: c.headers, connectTimeout: c.connectTimeout, sendTimeout: c.sendTimeout, readTimeout: c.readTimeout, queue: c.queue }, deps.logger), (e) => e.close());
    const src: SpanSource = {
      resource: resourceFromAttributes({ 'service.name': 'kong', 'service.version': VERSION, 'telemetry.sdk.name': 'aigw', ...c.resourceAttributes }),
      scope: { name: 'kong', version: VERSION },
    };
    return {
      start: (ctx) => start(c, ctx),
      log(ctx) {
        const t = ctx.get(TRACE);
        if (t?.sampled) exporter.add(requestSpans(src, t, ctx));
      },
    };
  },
};
