/**
 * AWS Signature Version 4 request signing with node:crypto (used for Bedrock). Pure: the clock and
 * the credentials are passed in. Returns the headers to add to the request.
 */
import { createHash, createHmac } from 'node:crypto';

export interface AwsCredentials { accessKeyId: string; secretAccessKey: string; sessionToken?: string }

export interface SignInput {
  method: string;
  url: URL;
  /** Headers to sign (names in any case). `host` is added from the URL when absent. */
  headers: Record<string, string>;
  body: string | Uint8Array;
  region: string;
  service: string;
  credentials: AwsCredentials;
  now: Date;
}

const UNSIGNED = new Set(['authorization', 'user-agent', 'x-amzn-trace-id', 'expect', 'content-length', 'connection']);

/** RFC 3986 encoding as AWS wants it: everything but `A-Za-z0-9-._~` is percent-encoded. */
export function rfc3986(s: string): string {
  return encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

function sha256Hex(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}
function hmac(key: string | Buffer, data: string): Buffer {
  return createHmac('sha256', key).update(data, 'utf8').digest();
}

/** `20150830T123600Z` */
export function amzDate(now: Date): string {
  return now.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
}

/** Canonical URI for non-S3 services: each segment of the (already encoded) path is encoded again. */
function canonicalUri(pathname: string): string {
  if (pathname === '') return '/';
  return pathname.split('/').map(rfc3986).join('/');
}

function canonicalQuery(params: URLSearchParams): string {
  const pairs = [...params.entries()].map(([k, v]) => [rfc3986(k), rfc3986(v)] as const);
  pairs.sort(([ak, av], [bk, bv]) => (ak < bk ? -1 : ak > bk ? 1 : av < bv ? -1 : av > bv ? 1 : 0));
  return pairs.map(([k, v]) => `${k}=${v}`).join('&');
}

/** Signs the request; returns `Authorization`, `X-Amz-Date` and (with a session token) `X-Amz-Security-Token`. */
export function signV4(input: SignInput): Record<string, string> {
  const date = amzDate(input.now);
  const day = date.slice(0, 8);
  const added: Record<string, string> = { 'X-Amz-Date': date };
  if (input.credentials.sessionToken) added['X-Amz-Security-Token'] = input.credentials.sessionToken;
  const all: Record<string, string> = {};
  for (const [k, v] of Object.entries({ host: input.url.host, ...input.headers, ...added })) {
    const name = k.toLowerCase();
    if (!UNSIGNED.has(name)) all[name] = v.trim().replace(/\s+/g, ' ');
  }
  const names = Object.keys(all).sort();
  const signedHeaders = names.join(';');
  const canonical = [
    input.method.toUpperCase(),
    canonicalUri(input.url.pathname),
    canonicalQuery(input.url.searchParams),
    names.map((n) => `${n}:${all[n]}\n`).join(''),
    signedHeaders,
    sha256Hex(input.body),
  ].join('\n');
  const scope = `${day}/${input.region}/${input.service}/aws4_request`;
  const toSign = ['AWS4-HMAC-SHA256', date, scope, sha256Hex(canonical)].join('\n');
  let key = hmac(`AWS4${input.credentials.secretAccessKey}`, day);
  for (const part of [input.region, input.service, 'aws4_request']) key = hmac(key, part);
  const signature = createHmac('sha256', key).update(toSign, 'utf8').digest('hex');
  return {
    Authorization: `AWS4-HMAC-SHA256 Credential=${input.credentials.accessKeyId}/${scope}, SignedHeaders=${signedHeaders}, Signature=${signature}`,
    ...added,
  };
}
