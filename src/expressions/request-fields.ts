/**
 * The values of the router's fields for one request, as kong/router/fields.lua and atc.lua read
 * them: `http.host` is the Host header without its port (as sent, not lower-cased) and the port,
 * when the Host header has one, is `net.dst.port`; `http.path` is the normalised path without
 * the query; `http.path.segments.*` split it on `/` (trailing empty segments dropped; `N_M` joins
 * segments N..M); `http.headers.x_foo` holds every value of the header `X-Foo` (names lower-cased,
 * `-` read as `_`); `http.queries.*` every value of a query argument (`?a` is the empty string).
 * Values are computed on first use and kept for the request.
 */
import { ipOf } from './values.js';
import type { FieldReader, FieldValue } from './evaluate.js';

export interface RequestFacts {
  method: string;
  /** The Host header as received (may carry a port). */
  host: string;
  /** The normalised path, without the query. */
  path: string;
  /** Raw query string, without `?`. */
  query: string;
  /** Header values by lower-case name, each value apart (Node's `headersDistinct`). */
  headers(): Readonly<Record<string, readonly string[] | undefined>>;
  /** `http` or `https`. */
  protocol: string;
  srcIp: string;
  srcPort: number;
  dstIp: string;
  /** The listening port. */
  dstPort: number;
  sni: string | null;
}

const HEADERS = 'http.headers.';
const QUERIES = 'http.queries.';
const SEGMENTS = 'http.path.segments.';

function splitHostPort(host: string): { host: string; port: number | null } {
  const i = host.indexOf(':');
  if (i < 0) return { host, port: null };
  const rest = host.slice(i + 1);
  return /^\d+$/.test(rest) ? { host: host.slice(0, i), port: Number(rest) } : { host, port: null };
}

function segmentsOf(path: string): string[] {
  const parts = path.slice(1).split('/');
  while (parts.length > 0 && parts[parts.length - 1] === '') parts.pop();
  return parts;
}

function segmentField(segments: readonly string[], range: string): string | undefined {
  const us = range.indexOf('_');
  if (us < 0) return segments[Number(range)];
  const a = Number(range.slice(0, us));
  const b = Number(range.slice(us + 1));
  const last = segments.length - 1;
  if (!(a < b) || a > last || b > last) return undefined;
  return segments.slice(a, b + 1).join('/');
}

/** A reader of the router's fields over `facts`; `extra` answers other fields (plugin conditions). */
export function requestFields(facts: RequestFacts, extra?: FieldReader): FieldReader {
  const cache = new Map<string, readonly FieldValue[] | undefined>();
  let headers: Map<string, readonly string[]> | null = null;
  let queries: URLSearchParams | null = null;
  let segments: string[] | null = null;
  const one = <T extends FieldValue>(v: T | null | undefined): readonly FieldValue[] | undefined => (v === null || v === undefined ? undefined : [v]);
  const compute = (field: string): readonly FieldValue[] | undefined => {
    switch (field) {
      case 'http.method': return [facts.method];
      case 'http.host': return [splitHostPort(facts.host).host];
      case 'http.path': return [facts.path];
      case 'http.path.segments.len': return [(segments ??= segmentsOf(facts.path)).length];
      case 'net.protocol': return [facts.protocol];
      case 'tls.sni': return one(facts.sni);
      case 'net.src.ip': return one(ipOf(facts.srcIp));
      case 'net.src.port': return [facts.srcPort];
      case 'net.dst.ip': return one(ipOf(facts.dstIp));
      case 'net.dst.port': return [splitHostPort(facts.host).port ?? facts.dstPort];
    }
    if (field.startsWith(HEADERS)) {
      if (headers === null) {
        headers = new Map();
        for (const [k, v] of Object.entries(facts.headers())) if (v !== undefined) headers.set(k.toLowerCase().replace(/-/g, '_'), v);
      }
      return headers.get(field.slice(HEADERS.length).toLowerCase().replace(/-/g, '_'));
    }
    if (field.startsWith(QUERIES)) {
      queries ??= new URLSearchParams(facts.query);
      const all = queries.getAll(field.slice(QUERIES.length));
      return all.length > 0 ? all : undefined;
    }
    if (field.startsWith(SEGMENTS)) return one(segmentField((segments ??= segmentsOf(facts.path)), field.slice(SEGMENTS.length)));
    return extra?.(field);
  };
  return (field) => {
    if (cache.has(field)) return cache.get(field);
    const v = compute(field);
    cache.set(field, v);
    return v;
  };
}
