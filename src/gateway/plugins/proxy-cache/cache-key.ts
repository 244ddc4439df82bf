/**
 * proxy-cache's cache key, as Kong computes it (kong/plugins/proxy-cache/cache_key.lua):
 *   sha256_hex("<prefix>|<method>|<uri>|<params>|<headers>")
 *   prefix   "<consumer id>:<route id>", "<route id>" or "default"
 *   uri      nginx's `$request` ("GET /p?q HTTP/1.1") with everything from the first `?` removed
 *            (so "GET /p" with a query, "GET /p HTTP/1.1" without: Kong's quirk, kept so keys
 *            match), lower-cased with `ignore_uri_case`
 *   params   "name=value" pairs joined by ':' for `vary_query_params` (all names, sorted, when
 *            unset); repeated names give "name=v1,v2" (sorted values), a bare name gives "name"
 *   headers  the same over `vary_headers` (nothing when unset)
 * aigw extension: a request with a body (POST, PUT, PATCH with content) appends "|<sha256 of the
 * body>", so two prompts sent to the same chat route are two cache entries (Kong's key ignores it).
 */
import { createHash } from 'node:crypto';
import type { ArgValue, Args } from '../../request-args.js';


export interface KeyInput {
  consumerId: string | null;
  routeId: string | null;
  method: string;
  /** The raw request target (path and query as received). */
  target: string;
  httpVersion: string;
  query: Args;
  headers: Args;
  /** The request body; a non-empty one adds its digest (aigw). */
  body: Buffer | null;
}

export interface KeyConfig {
  varyQueryParams: readonly string[] | null;
  varyHeaders: readonly string[] | null;
  ignoreUriCase: boolean;
}

const sha256 = (s: string | Buffer): string => createHash('sha256').update(s).digest('hex');

function keyFrom(args: Args, fields: readonly string[]): string {
  const out: string[] = [];
  for (const field of fields) {
    const arg = args[field];
    if (arg === undefined) continue;
    if (Array.isArray(arg)) out.push(`${field}=${arg.map(String).sort().join(',')}`);
    else if (arg === true) out.push(field);
    else out.push(`${field}=${arg}`);
  }
  return out.join(':');
}

export function paramsKey(query: Args, vary: readonly string[] | null): string {
  if (vary === null || vary.length === 0) return keyFrom(query, Object.keys(query).sort());
  return keyFrom(query, vary);
}

export function headersKey(headers: Args, vary: readonly string[] | null): string {
  if (vary === null || vary.length === 0) return '';
  // Kong's request headers table is case-insensitive
  const lower: Record<string, ArgValue> = {};
  for (const [k, v] of Object.entries(headers)) lower[k.toLowerCase()] = v;
  return keyFrom(Object.fromEntries(vary.map((f) => [f, lower[f.toLowerCase()]]).filter(([, v]) => v !== undefined)), vary);
}

function prefix(consumerId: string | null, routeId: string | null): string {
  if (consumerId !== null && routeId !== null) return `${consumerId}:${routeId}`;
  return routeId ?? 'default';
}

export function cacheKey(input: KeyInput, c: KeyConfig): string {
  let uri = `${input.method} ${input.target} HTTP/${input.httpVersion}`.replace(/\?.*$/s, '');
  if (c.ignoreUriCase) uri = uri.toLowerCase();
  const base = `${prefix(input.consumerId, input.routeId)}|${input.method}|${uri}|${paramsKey(input.query, c.varyQueryParams)}|${headersKey(input.headers, c.varyHeaders)}`;
  return sha256(input.body !== null && input.body.length > 0 ? `${base}|${sha256(input.body)}` : base);
}
