/**
 * jwt: tokens from query params, cookies or headers; key lookup by the
 * `key_claim_name` claim; HS*, RS*, PS*, ES* and EdDSA signatures verified with `jose`;
 * `claims_to_verify` (exp, nbf) and `maximum_expiration` with Kong's messages.
 */
import type * as Jose from 'jose';
import type { JWTPayload } from 'jose';
import type { GatewayContext, Reply } from '../../context.js';
import type { JwtCredential } from '../../consumers.js';
import type { KongPlugin } from '../../plugin.js';
import { alreadyAuthenticated, failOrAnonymous, skipPreflight } from '../../consumer-auth.js';

interface JwtConfig {
  uriParamNames: string[];
  cookieNames: string[];
  headerNames: string[];
  keyClaimName: string;
  secretIsBase64: boolean;
  claimsToVerify: string[];
  anonymous: string | null;
  runOnPreflight: boolean;
  maximumExpiration: number;
  realm: string | null;
}

type Found = { token: string } | { multiple: true } | null;

function cookies(ctx: GatewayContext): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of (ctx.header('cookie') ?? '').split(';')) {
    const i = part.indexOf('=');
    if (i > 0) out.set(part.slice(0, i).trim(), part.slice(i + 1).trim());
  }
  return out;
}

function findToken(ctx: GatewayContext, c: JwtConfig): Found {
  const found = new Set<string>();
  for (const n of c.uriParamNames) for (const v of ctx.queryParams().getAll(n)) found.add(v);
  if (c.cookieNames.length) {
    const jar = cookies(ctx);
    for (const n of c.cookieNames) {
      const v = jar.get(n);
      if (v) found.add(v);
    }
  }
  for (const n of c.headerNames) {
    const v = ctx.header(n.toLowerCase());
    if (!v) continue;
    const m = /^\s*bearer\s+(.+?)\s*$/i.exec(v);
    found.add(m ? m[1] : v.trim());
  }
  if (found.size > 1) return { multiple: true };
  const [token] = found;
  return token ? { token } : null;
}

/** jose, loaded when the first token is checked (a gateway without jwt routes does not pay for it). */
let joseModule: Promise<typeof Jose> | null = null;
const jose = (): Promise<typeof Jose> => (joseModule ??= import('jose'));

async function verifyKey(cred: JwtCredential, alg: string, secretIsBase64: boolean): Promise<Uint8Array | Awaited<ReturnType<typeof Jose.importSPKI>>> {
  if (alg.startsWith('HS')) {
    const secret = cred.secret ?? '';
    return secretIsBase64 ? new Uint8Array(Buffer.from(secret, 'base64')) : new TextEncoder().encode(secret);
  }
  return (await jose()).importSPKI(cred.rsaPublicKey ?? '', alg);
}

function checkClaims(payload: JWTPayload, c: JwtConfig, nowSec: number): Record<string, string> | null {
  const errors: Record<string, string> = {};
  for (const claim of c.claimsToVerify) {
    const v = payload[claim];
    if (v === undefined) errors[claim] = `must be a number`;
    else if (typeof v !== 'number') errors[claim] = 'must be a number';
    else if (claim === 'exp' && v <= nowSec) errors.exp = 'token expired';
    else if (claim === 'nbf' && v > nowSec) errors.nbf = 'token not valid yet';
  }
  if (c.maximumExpiration > 0) {
    if (typeof payload.exp !== 'number') errors.exp = 'must be a number';
    else if (payload.exp > nowSec + c.maximumExpiration) errors.exp = 'exceeds maximum allowed expiration';
  }
  return Object.keys(errors).length ? errors : null;
}

export const jwt: KongPlugin<'jwt', JwtConfig> = {
  name: 'jwt',
  parse: (c) => ({
    uriParamNames: Array.isArray(c.uri_param_names) ? (c.uri_param_names ?? []) : ['jwt'],
    cookieNames: (c.cookie_names ?? []),
    headerNames: Array.isArray(c.header_names) ? (c.header_names ?? []) : ['authorization'],
    keyClaimName: (c.key_claim_name ?? 'iss'),
    secretIsBase64: (c.secret_is_base64 ?? false),
    claimsToVerify: (c.claims_to_verify ?? []),
    anonymous: (c.anonymous ?? null),
    runOnPreflight: (c.run_on_preflight ?? true),
    maximumExpiration: (c.maximum_expiration ?? 0),
    realm: (c.realm ?? null),
  }),
  create(c, deps) {
    const www = c.realm ? `Bearer realm="${c.realm}"` : 'Bearer';
    const unauthorized = (ctx: GatewayContext, body: { message: string } | { json: unknown }): Reply | undefined =>
      failOrAnonymous(ctx, deps.consumers, c.anonymous, { status: 401, ...body, headers: { 'www-authenticate': www } });
    return {
      async access(ctx) {
        if (skipPreflight(ctx, c.runOnPreflight) || alreadyAuthenticated(ctx, c.anonymous)) return undefined;
        for (const n of c.uriParamNames) ctx.redactQuery.add(n);
        for (const n of c.headerNames) ctx.redactHeaders.add(n.toLowerCase());
        const found = findToken(ctx, c);
        if (found === null) return unauthorized(ctx, { message: 'Unauthorized' });
        if ('multiple' in found) return unauthorized(ctx, { message: 'Multiple tokens provided' });
        const { compactVerify, decodeJwt, decodeProtectedHeader } = await jose();
        let payload: JWTPayload;
        let alg: string;
        try {
          payload = decodeJwt(found.token);
          alg = String(decodeProtectedHeader(found.token).alg);
        } catch (err) {
          return unauthorized(ctx, { message: `Bad token; ${(err as Error).message}` });
        }
        const key = payload[c.keyClaimName];
        if (typeof key !== 'string') return unauthorized(ctx, { message: `No mandatory '${c.keyClaimName}' in claims` });
        const cred = deps.consumers.jwt.get(key);
        if (!cred) return unauthorized(ctx, { message: `No credentials found for given '${c.keyClaimName}'` });
        if (cred.algorithm !== alg) return unauthorized(ctx, { message: 'Invalid algorithm' });
        try {
          await compactVerify(found.token, await verifyKey(cred, alg, c.secretIsBase64), { algorithms: [cred.algorithm] });
        } catch {
          return unauthorized(ctx, { message: 'Invalid signature' });
        }
        const errors = checkClaims(payload, c, Math.floor(deps.now() / 1000));
        if (errors) return unauthorized(ctx, { json: errors });
        const consumer = deps.consumers.byId.get(cred.consumerId);
        if (!consumer) return unauthorized(ctx, { message: `Could not find consumer for '${c.keyClaimName}=${key}'` });
        ctx.authenticate(consumer, { id: cred.id, consumerId: consumer.id, identifier: cred.key });
        return undefined;
      },
    };
  },
};
