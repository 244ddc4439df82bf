/**
 * key-auth: API key in a header, the query string or the body.
 */
import type { GatewayContext, Reply } from '../../context.js';
import type { KongPlugin } from '../../plugin.js';
import { alreadyAuthenticated, failOrAnonymous, skipPreflight } from '../../consumer-auth.js';

interface KeyAuthConfig {
  keyNames: string[];
  hideCredentials: boolean;
  anonymous: string | null;
  inHeader: boolean;
  inQuery: boolean;
  inBody: boolean;
  runOnPreflight: boolean;
  realm: string | null;
}

type Found = { key: string; where: 'header' | 'query' | 'body'; name: string } | { duplicate: true } | null;

async function bodyParams(ctx: GatewayContext): Promise<Record<string, unknown> | null> {
  const type = ctx.header('content-type') ?? '';
  if (type.includes('application/json')) {
    const v = await ctx.json();
    return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
  }
  if (type.includes('application/x-www-form-urlencoded')) {
    const params = new URLSearchParams((await ctx.body()).toString('utf8'));
    const out: Record<string, unknown> = {};
    for (const k of new Set(params.keys())) {
      const all = params.getAll(k);
      out[k] = all.length > 1 ? all : all[0];
    }
    return out;
  }
  return null;
}

async function findKey(ctx: GatewayContext, c: KeyAuthConfig): Promise<Found> {
  const body = c.inBody ? await bodyParams(ctx) : null;
  for (const name of c.keyNames) {
    const lower = name.toLowerCase();
    if (c.inHeader) {
      const v = ctx.req.headers[lower];
      // aigw: `key_names: [authorization]` also reads `Authorization: Bearer <key>` (OpenAI/Anthropic SDKs).
      if (typeof v === 'string') return { key: lower === 'authorization' ? v.replace(/^Bearer\s+/i, '') : v, where: 'header', name: lower };
    }
    if (c.inQuery && ctx.rawQuery !== '') {
      const all = ctx.queryParams().getAll(name);
      if (all.length > 1) return { duplicate: true };
      if (all.length === 1) return { key: all[0], where: 'query', name };
    }
    if (body && body[name] !== undefined) {
      const v = body[name];
      if (Array.isArray(v)) return { duplicate: true };
      if (typeof v === 'string') return { key: v, where: 'body', name };
    }
  }
  return null;
}

async function hide(ctx: GatewayContext, found: { where: string; name: string }): Promise<void> {
  if (found.where === 'header') delete ctx.upstreamHeaders[found.name];
  else if (found.where === 'query') {
    const q = new URLSearchParams(ctx.upstreamQuery);
    q.delete(found.name);
    ctx.upstreamQuery = q.toString();
  } else {
    const type = ctx.header('content-type') ?? '';
    if (type.includes('application/json')) {
      const v = { ...((await ctx.json()) as Record<string, unknown>) };
      delete v[found.name];
      ctx.setBody(v);
    } else {
      const q = new URLSearchParams((await ctx.body()).toString('utf8'));
      q.delete(found.name);
      ctx.setBody(Buffer.from(q.toString()));
    }
  }
}

export const keyAuth: KongPlugin<'key-auth', KeyAuthConfig> = {
  name: 'key-auth',
  parse: (c) => ({
    keyNames: (c.key_names ?? []).length ? (c.key_names ?? []) : ['apikey'],
    hideCredentials: (c.hide_credentials ?? false),
    anonymous: (c.anonymous ?? null),
    inHeader: (c.key_in_header ?? true),
    inQuery: (c.key_in_query ?? true),
    inBody: (c.key_in_body ?? false),
    runOnPreflight: (c.run_on_preflight ?? true),
    realm: (c.realm ?? null),
  }),
  create(c, deps) {
    const www = { 'www-authenticate': c.realm ? `Key realm="${c.realm}"` : 'Key' };
    const fail = (ctx: GatewayContext, message: string): Reply | undefined =>
      failOrAnonymous(ctx, deps.consumers, c.anonymous, { status: 401, message, headers: www });
    return {
      async access(ctx) {
        if (skipPreflight(ctx, c.runOnPreflight) || alreadyAuthenticated(ctx, c.anonymous)) return undefined;
        for (const n of c.keyNames) {
          ctx.redactHeaders.add(n.toLowerCase());
          ctx.redactQuery.add(n);
        }
        const found = await findKey(ctx, c);
        if (found === null) return fail(ctx, 'No API key found in request');
        if ('duplicate' in found) return fail(ctx, 'Duplicate API key found');
        const cred = deps.consumers.keyAuth.get(found.key);
        const consumer = cred ? deps.consumers.byId.get(cred.consumerId) : undefined;
        // an expired key is no key (Kong: the credential is gone once its ttl has passed)
        if (!cred || !consumer || (cred.expiresAt !== null && deps.now() >= cred.expiresAt)) return fail(ctx, 'Unauthorized');
        if (c.hideCredentials) await hide(ctx, found);
        ctx.authenticate(consumer, { id: cred.id, consumerId: consumer.id, identifier: cred.id });
        return undefined;
      },
    };
  },
};
