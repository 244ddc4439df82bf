/**
 * request-termination (Kong `kong/plugins/request-termination/handler.lua`): answers in access with
 * `status_code` and
 *   - `body` (with `content_type`) as is, or
 *   - `{"message": message}` (message defaults to Kong's text for 401/404/405/500/502/503; other
 *     statuses without a message get an empty body), or
 *   - with `echo`, a JSON copy of the request: message, `kong` (node id, pid, hostname), `request`
 *     (scheme, host, port (the listening port), headers, query, body, raw_body, method, path,
 *     uri_captures) and the matched route and service entities.
 * With `trigger`, only requests carrying that header or query argument are terminated (echo or not).
 */
import { hostname } from 'node:os';
import type { GatewayContext, Reply } from '../../context.js';
import { NODE_ID } from '../../node-id.js';
import { queryArgs } from '../../request-args.js';
import type { KongPlugin } from '../../plugin.js';

const DEFAULT_RESPONSE: Readonly<Record<number, string>> = {
  401: 'Unauthorized',
  404: 'Not found',
  405: 'Method not allowed',
  500: 'An unexpected error occurred',
  502: 'Bad Gateway',
  503: 'Service unavailable',
};

interface TerminationConfig {
  status: number;
  message: string | null;
  body: string | null;
  contentType: string | null;
  echo: boolean;
  trigger: string | null;
}

/** Kong's `kong.request.get_body()`: JSON and url-encoded forms are decoded; anything else is absent. */
function parsedBody(contentType: string | undefined, raw: string): unknown {
  const type = (contentType ?? '').split(';')[0].trim().toLowerCase();
  if (type === 'application/json' || type.endsWith('+json')) {
    try {
      return JSON.parse(raw) as unknown;
    } catch {
      return undefined;
    }
  }
  if (type === 'application/x-www-form-urlencoded') return queryArgs(raw);
  return undefined;
}

function uriCaptures(ctx: GatewayContext): { named: Record<string, string>; unnamed: string[] } {
  const named: Record<string, string> = {};
  const unnamed: string[] = [];
  for (const [k, v] of Object.entries(ctx.captures)) {
    // Kong encodes the unnamed captures as an array from 1: the whole match (0) is not in it
    if (/^\d+$/.test(k)) {
      if (k !== '0') unnamed[Number(k) - 1] = v;
    }
    else named[k] = v;
  }
  return { named, unnamed };
}

async function echo(ctx: GatewayContext, c: TerminationConfig): Promise<unknown> {
  const raw = (await ctx.body()).toString('utf8');
  const [host] = ctx.host.split(/:(?=\d+$)/);
  // absent values (no message, no body, no service) are left out, as Kong's JSON encoder does with nil
  return {
    message: c.message ?? DEFAULT_RESPONSE[c.status],
    kong: { node_id: NODE_ID, worker_pid: process.pid, hostname: hostname() },
    request: {
      scheme: 'http',
      host,
      port: ctx.req.socket.localPort,
      headers: ctx.req.headers,
      query: queryArgs(ctx.rawQuery),
      body: parsedBody(ctx.header('content-type'), raw),
      raw_body: raw,
      method: ctx.method,
      path: ctx.path,
      uri_captures: uriCaptures(ctx),
    },
    matched_route: ctx.route?.entity,
    matched_service: ctx.service?.entity,
  };
}

function triggered(ctx: GatewayContext, trigger: string | null): boolean {
  if (trigger === null) return true;
  return ctx.header(trigger.toLowerCase()) !== undefined || ctx.queryParams().has(trigger);
}

export const requestTermination: KongPlugin<'request-termination', TerminationConfig> = {
  name: 'request-termination',
  parse: (c) => ({
    status: c.status_code,
    message: c.message ?? null,
    body: c.body ?? null,
    contentType: c.content_type ?? null,
    echo: c.echo,
    trigger: c.trigger ?? null,
  }),
  create(c) {
    return {
      async access(ctx): Promise<Reply | undefined> {
        if (!triggered(ctx, c.trigger)) return undefined;
        if (c.echo) return { status: c.status, json: await echo(ctx, c) };
        if (c.body !== null) return { status: c.status, body: c.body, headers: c.contentType !== null ? { 'content-type': c.contentType } : {} };
        const message = c.message ?? DEFAULT_RESPONSE[c.status];
        return message === undefined ? { status: c.status, body: '' } : { status: c.status, json: { message } };
      },
    };
  },
};
