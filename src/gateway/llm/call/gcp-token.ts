/**
 * GCP service-account access tokens for Gemini on Vertex (`auth.gcp_use_service_account`): the
 * OAuth 2.0 JWT-bearer grant (RS256 assertion signed with the account's private key, posted to its
 * `token_uri`), cached per account until a minute before expiry. Used as
 * the LLM caller's GCP token source (caller.ts); failures surface as Kong's 500 "LLM request failed before proxying".
 */
import type { Dispatcher } from 'undici';
import type { GcpTokenSource } from './call-types.js';

const SCOPE = 'https://www.googleapis.com/auth/cloud-platform';
const DEFAULT_TOKEN_URI = 'https://oauth2.googleapis.com/token';

interface Cached { token: string; expiresAt: number }

export interface GcpTokenOptions {
  dispatcher?: Dispatcher;
  /** Wall clock in ms (tests). */
  now?: () => number;
}

function account(json: string): { email: string; key: string; tokenUri: string } {
  const v: unknown = JSON.parse(json);
  if (typeof v !== 'object' || v === null) throw new Error('service account JSON is not an object');
  const o = v as Record<string, unknown>;
  if (typeof o.client_email !== 'string' || typeof o.private_key !== 'string') throw new Error('service account JSON lacks client_email or private_key');
  return { email: o.client_email, key: o.private_key, tokenUri: typeof o.token_uri === 'string' ? o.token_uri : DEFAULT_TOKEN_URI };
}

/** A token source with its own cache (the LLM caller owns one). */
export function gcpTokenSource(opts: GcpTokenOptions = {}): GcpTokenSource {
  const cache = new Map<string, Cached>();
  const now = opts.now ?? Date.now;
  return async (json) => {
    const hit = cache.get(json);
    if (hit && hit.expiresAt > now()) return hit.token;
    const sa = account(json);
    const iat = Math.floor(now() / 1000);
    const { importPKCS8, SignJWT } = await import('jose');
    const assertion = await new SignJWT({ scope: SCOPE })
      .setProtectedHeader({ alg: 'RS256', typ: 'JWT' })
      .setIssuer(sa.email).setAudience(sa.tokenUri).setIssuedAt(iat).setExpirationTime(iat + 3600)
      .sign(await importPKCS8(sa.key, 'RS256'));
    const form = new URLSearchParams({ grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer', assertion }).toString();
    const { request } = await import('undici'); // not at start: only Vertex with a service account asks for a token
    const res = await request(sa.tokenUri, {
      method: 'POST', body: form, headers: { 'content-type': 'application/x-www-form-urlencoded' },
      headersTimeout: 10_000, bodyTimeout: 10_000, ...(opts.dispatcher ? { dispatcher: opts.dispatcher } : {}),
    });
    const body: unknown = await res.body.json();
    const b = typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : {};
    if (res.statusCode !== 200 || typeof b.access_token !== 'string') throw new Error(`token endpoint answered ${res.statusCode}`);
    const ttl = typeof b.expires_in === 'number' ? b.expires_in : 3600;
    cache.set(json, { token: b.access_token, expiresAt: now() + Math.max(0, ttl - 60) * 1000 });
    return b.access_token;
  };
}
