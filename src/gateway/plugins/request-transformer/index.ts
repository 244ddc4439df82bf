/**
 * request-transformer: remove → rename → replace → add → append on headers,
 * query string and body (JSON or form), `replace.uri`, `http_method`. Values may use the
 * templates `$(headers.x)`, `$(headers["x-y"])`, `$(query_params.x)` and `$(uri_captures.x)`.
 */
import type { GatewayContext } from '../../context.js';
import type { KongPlugin } from '../../plugin.js';

interface Ops {
  body: Array<[string, string]>;
  headers: Array<[string, string]>;
  querystring: Array<[string, string]>;
}

interface TransformerConfig {
  method: string | null;
  remove: Ops;
  rename: Ops;
  replace: Ops & { uri: string | null };
  add: Ops;
  append: Ops;
  touchesBody: boolean;
}

type Group = { body?: string[] | null; headers?: string[] | null; querystring?: string[] | null } | null | undefined;

function pairs(list: string[] | null | undefined, withValue: boolean): Array<[string, string]> {
  return (list ?? []).map((e) => {
    if (!withValue) return [e, ''];
    const i = e.indexOf(':');
    return i < 0 ? [e, ''] : [e.slice(0, i), e.slice(i + 1)];
  });
}

function ops(g: Group, withValue: boolean): Ops {
  return { body: pairs(g?.body, withValue), headers: pairs(g?.headers, withValue), querystring: pairs(g?.querystring, withValue) };
}

const TEMPLATE = /\$\((headers|query_params|uri_captures)(?:\.([\w-]+)|\[["']([^"']+)["']\])\)/g;

function render(ctx: GatewayContext, value: string): string {
  if (!value.includes('$(')) return value;
  return value.replace(TEMPLATE, (_m, src: string, a?: string, b?: string) => {
    const key = (a ?? b ?? '').toString();
    if (src === 'headers') return ctx.header(key.toLowerCase()) ?? '';
    if (src === 'query_params') return ctx.queryParams().get(key) ?? '';
    return ctx.captures[key] ?? '';
  });
}

type Bag = Map<string, string[]>;

function apply(ctx: GatewayContext, bag: Bag, c: TransformerConfig, pick: (o: Ops) => Array<[string, string]>, fold: (n: string) => string): void {
  for (const [n] of pick(c.remove)) bag.delete(fold(n));
  for (const [from, to] of pick(c.rename)) {
    const v = bag.get(fold(from));
    if (v === undefined) continue;
    bag.delete(fold(from));
    bag.set(fold(to), v);
  }
  for (const [n, v] of pick(c.replace)) if (bag.has(fold(n))) bag.set(fold(n), [render(ctx, v)]);
  for (const [n, v] of pick(c.add)) if (!bag.has(fold(n))) bag.set(fold(n), [render(ctx, v)]);
  for (const [n, v] of pick(c.append)) bag.set(fold(n), [...(bag.get(fold(n)) ?? []), render(ctx, v)]);
}

function transformHeaders(ctx: GatewayContext, c: TransformerConfig): void {
  const bag: Bag = new Map(Object.entries(ctx.upstreamHeaders).map(([k, v]) => [k, Array.isArray(v) ? v : [v]]));
  apply(ctx, bag, c, (o) => o.headers, (n) => n.toLowerCase());
  const host = bag.get('host');
  if (host) {
    ctx.upstreamHost = host[host.length - 1];
    bag.delete('host');
  }
  for (const k of Object.keys(ctx.upstreamHeaders)) if (!bag.has(k)) delete ctx.upstreamHeaders[k];
  for (const [k, v] of bag) ctx.upstreamHeaders[k] = v.length === 1 ? v[0] : v;
}

function transformQuery(ctx: GatewayContext, c: TransformerConfig): void {
  const q = new URLSearchParams(ctx.upstreamQuery);
  const bag: Bag = new Map();
  for (const k of new Set(q.keys())) bag.set(k, q.getAll(k));
  apply(ctx, bag, c, (o) => o.querystring, (n) => n);
  const out = new URLSearchParams();
  for (const [k, vs] of bag) for (const v of vs) out.append(k, v);
  ctx.upstreamQuery = out.toString();
}

async function transformBody(ctx: GatewayContext, c: TransformerConfig): Promise<void> {
  const type = ctx.header('content-type') ?? '';
  if (type.includes('application/json')) {
    const v = await ctx.json();
    if (v === null || typeof v !== 'object' || Array.isArray(v)) return;
    const bag: Bag = new Map(Object.entries(v as Record<string, unknown>).map(([k, x]) => [k, [JSON.stringify(x)]]));
    apply(ctx, bag, c, (o) => o.body, (n) => n);
    const out: Record<string, unknown> = {};
    const parse = (s: string): unknown => {
      try {
        return JSON.parse(s);
      } catch {
        return s;
      }
    };
    for (const [k, vs] of bag) out[k] = vs.length === 1 ? parse(vs[0]) : vs.map(parse);
    ctx.setBody(out);
  } else if (type.includes('application/x-www-form-urlencoded')) {
    const q = new URLSearchParams((await ctx.body()).toString('utf8'));
    const bag: Bag = new Map();
    for (const k of new Set(q.keys())) bag.set(k, q.getAll(k));
    apply(ctx, bag, c, (o) => o.body, (n) => n);
    const out = new URLSearchParams();
    for (const [k, vs] of bag) for (const v of vs) out.append(k, v);
    ctx.setBody(Buffer.from(out.toString()));
  }
}

export const requestTransformer: KongPlugin<'request-transformer', TransformerConfig> = {
  name: 'request-transformer',
  parse: (c) => {
    const cfg: TransformerConfig = {
      method: (c.http_method ?? null),
      remove: ops(c.remove, false),
      rename: ops(c.rename, true),
      replace: { ...ops(c.replace, true), uri: c.replace?.uri ?? null },
      add: ops(c.add, true),
      append: ops(c.append, true),
      touchesBody: false,
    };
    cfg.touchesBody = [cfg.remove, cfg.rename, cfg.replace, cfg.add, cfg.append].some((o) => o.body.length > 0);
    return cfg;
  },
  create(c) {
    return {
      async access(ctx) {
        if (c.method) ctx.upstreamMethod = c.method.toUpperCase();
        transformHeaders(ctx, c);
        transformQuery(ctx, c);
        if (c.replace.uri !== null) ctx.upstreamPath = render(ctx, c.replace.uri);
        if (c.touchesBody) await transformBody(ctx, c);
        return undefined;
      },
    };
  },
};
