/**
 * What proxy-cache may cache (kong/plugins/proxy-cache/handler.lua): the request method, the
 * response status, its Content-Type matched exactly against `content_type` (type, subtype and
 * every parameter: `application/json; charset=utf-8` does not match `application/json`), and with
 * `cache_control` the RFC 7234 directives Kong honours.
 */

/** Kong's `parse_directive_header`: lower-cased names; numeric values as numbers; bare names `true`. */
export type Directives = ReadonlyMap<string, number | string | true>;

export function directives(header: string | string[] | number | undefined): Directives {
  const out = new Map<string, number | string | true>();
  if (header === undefined) return out;
  const value = Array.isArray(header) ? header.join(', ') : String(header);
  for (const part of value.split(',')) {
    const m = /^\s*([^=]+)(?:=(.+))?/.exec(part);
    if (!m) continue;
    const raw = m[2];
    const n = raw === undefined ? NaN : Number(raw.trim());
    out.set(m[1].toLowerCase(), raw === undefined ? true : raw.trim() !== '' && Number.isFinite(n) ? n : raw);
  }
  return out;
}

/** A numeric directive (Kong compares only numbers). */
export function seconds(d: Directives, name: string): number | undefined {
  const v = d.get(name);
  return typeof v === 'number' ? v : undefined;
}

interface MediaType {
  type: string;
  subtype: string;
  params: Map<string, string>;
}

const TOKEN = "[!#$%&'*+.^_`|~0-9A-Za-z-]+";
const MEDIA = new RegExp(`^(${TOKEN})/(${TOKEN})((?:[ \\t]*;[ \\t]*${TOKEN}=(?:${TOKEN}|"(?:[^"\\\\]|\\\\.)*"))*)$`);
const PARAM = new RegExp(`;[ \\t]*(${TOKEN})=(${TOKEN}|"(?:[^"\\\\]|\\\\.)*")`, 'g');

/** Kong's `parse_mime_type` (case kept); `*` alone is `*`/`*`. */
export function mediaType(value: string): MediaType | null {
  if (value === '*') return { type: '*', subtype: '*', params: new Map() };
  const m = MEDIA.exec(value);
  if (!m) return null;
  const params = new Map<string, string>();
  for (const p of m[3].matchAll(PARAM)) params.set(p[1], p[2].startsWith('"') ? p[2].slice(1, -1).replace(/\\(.)/g, '$1') : p[2]);
  return { type: m[1], subtype: m[2], params };
}

export function contentTypeMatches(contentType: string, accepted: readonly MediaType[]): boolean {
  const t = mediaType(contentType);
  if (t === null) return false;
  return accepted.some((e) => {
    if (!((e.type === '*' || e.type === t.type) && (e.subtype === '*' || e.subtype === t.subtype))) return false;
    if (e.params.size !== t.params.size) return false;
    for (const [k, v] of e.params) if (t.params.get(k) !== v) return false;
    return true;
  });
}

/** Kong's `calculate_resource_ttl`: s-maxage, else max-age, else Expires − now; never below 0. */
export function resourceTtl(cc: Directives, expires: string | undefined, nowMs: number): number {
  let maxAge = seconds(cc, 's-maxage') ?? seconds(cc, 'max-age');
  if (maxAge === undefined && expires !== undefined) {
    const at = Date.parse(expires);
    if (Number.isFinite(at)) maxAge = Math.floor(at / 1000) - Math.floor(nowMs / 1000);
  }
  return maxAge === undefined ? 0 : Math.max(maxAge, 0);
}
