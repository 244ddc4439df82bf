/**
 * basic-auth: `Authorization: Basic …` (or Proxy-Authorization). Passwords match
 * in plain text (state files) or as Kong's stored hash sha1(password .. consumer_id).
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { GatewayContext } from '../../context.js';
import type { KongPlugin } from '../../plugin.js';
import { alreadyAuthenticated, failOrAnonymous, skipPreflight } from '../../consumer-auth.js';

interface BasicAuthConfig {
  anonymous: string | null;
  hideCredentials: boolean;
  realm: string;
}

function decode(header: string | undefined): { username: string; password: string } | null {
  const m = header ? /^\s*basic\s+(\S+)\s*$/i.exec(header) : null;
  if (!m) return null;
  const text = Buffer.from(m[1], 'base64').toString('utf8');
  const i = text.indexOf(':');
  if (i < 0) return null;
  return { username: text.slice(0, i), password: text.slice(i + 1) };
}

function same(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

export const basicAuth: KongPlugin<'basic-auth', BasicAuthConfig> = {
  name: 'basic-auth',
  parse: (c) => ({
    anonymous: (c.anonymous ?? null),
    hideCredentials: (c.hide_credentials ?? false),
    realm: (c.realm ?? 'service'),
  }),
  create(c, deps) {
    const headers = { 'www-authenticate': `Basic realm="${c.realm}"` };
    const fail = (ctx: GatewayContext) => failOrAnonymous(ctx, deps.consumers, c.anonymous, { status: 401, message: 'Unauthorized', headers });
    return {
      access(ctx) {
        if (skipPreflight(ctx, true) || alreadyAuthenticated(ctx, c.anonymous)) return undefined;
        const which = ctx.header('authorization') !== undefined ? 'authorization' : 'proxy-authorization';
        const creds = decode(ctx.header(which));
        if (!creds) return fail(ctx);
        const cred = deps.consumers.basicAuth.get(creds.username);
        if (!cred) return fail(ctx);
        const hashed = createHash('sha1').update(creds.password + cred.consumerId).digest('hex');
        if (!same(creds.password, cred.password) && !same(hashed, cred.password)) return fail(ctx);
        const consumer = deps.consumers.byId.get(cred.consumerId);
        if (!consumer) return fail(ctx);
        if (c.hideCredentials) delete ctx.upstreamHeaders[which];
        ctx.authenticate(consumer, { id: cred.id, consumerId: consumer.id, identifier: cred.username });
        return undefined;
      },
    };
  },
};
