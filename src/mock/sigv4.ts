import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';

/**
 * AWS Signature Version 4, server side: parse the `Authorization` header and recompute the
 * signature from the request as received.
 *
 *   canonical request = METHOD \n URI (each raw path segment URI-encoded again: AWS double-encodes
 *     for every service but S3) \n sorted query \n signed headers "name:value\n"… \n
 *     signed header names \n payload hash (x-amz-content-sha256, else sha256(body))
 *   string to sign    = AWS4-HMAC-SHA256 \n X-Amz-Date \n date/region/service/aws4_request \n sha256(canonical request)
 *   signing key       = HMAC(HMAC(HMAC(HMAC("AWS4" + secret, date), region), service), "aws4_request")
 */

export interface SigV4Auth {
  accessKeyId: string;
  date: string;
  region: string;
  service: string;
  signedHeaders: string[];
  signature: string;
}

export interface SignedRequest {
  method: string;
  /** Raw path as received (percent-encoded once by the client). */
  path: string;
  /** Raw query string without '?'. */
  queryString: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

const AUTH = /^AWS4-HMAC-SHA256\s+Credential=([^/,\s]+)\/(\d{8})\/([a-z0-9-]+)\/([a-z0-9-]+)\/aws4_request,\s*SignedHeaders=([a-z0-9;._-]+),\s*Signature=([0-9a-f]{64})$/;

export function parseSigV4(authorization: string): SigV4Auth | undefined {
  const m = AUTH.exec(authorization.trim());
  if (m === null) return undefined;
  return { accessKeyId: m[1], date: m[2], region: m[3], service: m[4], signedHeaders: m[5].split(';'), signature: m[6] };
}

/** RFC 3986 encoding, as SigV4 wants it (unreserved: A-Z a-z 0-9 - _ . ~). */
function encode(s: string): string {
  return encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

function decode(s: string): string {
  try {
    return decodeURIComponent(s.replace(/\+/g, '%20'));
  } catch {
    return s;
  }
}

function canonicalQuery(queryString: string): string {
  if (queryString === '') return '';
  return queryString
    .split('&')
    .filter((p) => p !== '')
    .map((p) => {
      const i = p.indexOf('=');
      return [encode(decode(i < 0 ? p : p.slice(0, i))), encode(decode(i < 0 ? '' : p.slice(i + 1)))];
    })
    .sort((a, b) => (a[0] === b[0] ? (a[1] < b[1] ? -1 : 1) : a[0] < b[0] ? -1 : 1))
    .map(([k, v]) => `${k}=${v}`)
    .join('&');
}

function headerValue(headers: IncomingHttpHeaders, name: string): string {
  const v = headers[name];
  const joined = Array.isArray(v) ? v.join(',') : (v ?? '');
  return joined.trim().replace(/\s+/g, ' ');
}

function hmac(key: Buffer | string, data: string): Buffer {
  return createHmac('sha256', key).update(data, 'utf8').digest();
}

export function expectedSignature(req: SignedRequest, auth: SigV4Auth, secret: string): string {
  const payloadHash = headerValue(req.headers, 'x-amz-content-sha256') || createHash('sha256').update(req.body).digest('hex');
  const canonical = [
    req.method,
    req.path.split('/').map(encode).join('/') || '/',
    canonicalQuery(req.queryString),
    auth.signedHeaders.map((h) => `${h}:${headerValue(req.headers, h)}\n`).join(''),
    auth.signedHeaders.join(';'),
    payloadHash,
  ].join('\n');
  const scope = `${auth.date}/${auth.region}/${auth.service}/aws4_request`;
  const amzDate = headerValue(req.headers, 'x-amz-date') || headerValue(req.headers, 'date');
  const toSign = ['AWS4-HMAC-SHA256', amzDate, scope, createHash('sha256').update(canonical, 'utf8').digest('hex')].join('\n');
  const key = hmac(hmac(hmac(hmac(`AWS4${secret}`, auth.date), auth.region), auth.service), 'aws4_request');
  return createHmac('sha256', key).update(toSign, 'utf8').digest('hex');
}

export function signatureMatches(req: SignedRequest, auth: SigV4Auth, secret: string): boolean {
  const want = Buffer.from(expectedSignature(req, auth, secret), 'hex');
  const got = Buffer.from(auth.signature, 'hex');
  return want.length === got.length && timingSafeEqual(want, got);
}
