/**
 * Kong's `kong.request.get_query()` / `get_headers()` shape: each name maps to its value, `true`
 * for a bare query name (`?flag`), or the list of values of a repeated name.
 */
export type ArgValue = string | true | Array<string | true>;
export type Args = Readonly<Record<string, ArgValue>>;

function decode(s: string): string {
  try {
    return decodeURIComponent(s.replace(/\+/g, ' '));
  } catch {
    return s;
  }
}

/** A raw query string (or url-encoded form body) as Kong's `kong.request.get_query()` returns it. */
export function queryArgs(raw: string): Record<string, ArgValue> {
  const out: Record<string, ArgValue> = {};
  for (const part of raw.split('&')) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    const name = decode(eq < 0 ? part : part.slice(0, eq));
    const value: string | true = eq < 0 ? true : decode(part.slice(eq + 1));
    const prev = out[name];
    out[name] = prev === undefined ? value : Array.isArray(prev) ? [...prev, value] : [prev, value];
  }
  return out;
}
