/**
 * The request and response `Cache-Control` directives the semantic cache honours when
 * `cache_control` is on (RFC 7234 §5.2): request `no-store` (neither read nor write the cache),
 * `no-cache` (do not answer from the cache, but store the fresh answer), `max-age=N` (accept
 * only entries at most N seconds old), and `Pragma: no-cache`; response `no-store` / `private`
 * (do not store).
 */
export interface RequestCacheControl {
  noStore: boolean;
  noCache: boolean;
  /** Seconds; null when absent. */
  maxAge: number | null;
}

function directives(header: string | undefined): Map<string, string | null> {
  const out = new Map<string, string | null>();
  if (!header) return out;
  for (const part of header.split(',')) {
    const t = part.trim();
    if (t === '') continue;
    const eq = t.indexOf('=');
    if (eq < 0) out.set(t.toLowerCase(), null);
    else out.set(t.slice(0, eq).trim().toLowerCase(), t.slice(eq + 1).trim().replace(/^"(.*)"$/, '$1'));
  }
  return out;
}

export function parseRequestCacheControl(cacheControl: string | undefined, pragma?: string | undefined): RequestCacheControl {
  const d = directives(cacheControl);
  const age = d.get('max-age');
  const maxAge = age !== undefined && age !== null && /^\d+$/.test(age) ? Number(age) : null;
  const pragmaNoCache = cacheControl === undefined && (pragma ?? '').toLowerCase().includes('no-cache');
  return { noStore: d.has('no-store'), noCache: d.has('no-cache') || pragmaNoCache, maxAge };
}

/** Whether a response's Cache-Control forbids storing it in a shared cache. */
export function responseForbidsStore(cacheControl: string | undefined): boolean {
  const d = directives(cacheControl);
  return d.has('no-store') || d.has('private');
}
