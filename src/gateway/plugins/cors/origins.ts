/**
 * Which `Access-Control-Allow-Origin` a response gets, as Kong's cors plugin decides it:
 * - no origins, or exactly `["*"]`: `*` (any origin);
 * - one origin that is plainly a URL/host (`[A-Za-z0-9.:/-]` only): that origin, whatever the request's;
 * - otherwise, for a request with an Origin: `*` when an entry is `*`; an entry with other
 *   characters is a regex (anchored: a leading `^` is dropped, a missing `$` added), matched
 *   against the request origin's host, or its `scheme://host[:port]` when the entry names a port;
 *   a plain entry is compared with the normalised origin (default ports dropped). A match answers
 *   with the normalised request origin; no match, no header.
 * A regex that does not compile never matches (validation refuses it, as Kong's schema does).
 */
import { compileKongRegex } from '../../../config/regex.js';

type Entry = { any: true } | { regex: RegExp | null; byHost: boolean } | { domain: string };

export interface Origins {
  /** `*` for everyone, before looking at the request (no origins, or exactly `*`). */
  allowAll: boolean;
  /** The one plain origin sent whatever the request's. */
  fixed: string | null;
  entries: Entry[];
}

const PLAIN = /^[A-Za-z0-9.:/-]+$/;

interface Normalised { domain: string; host: string }

/** `scheme://host[:port]` without a default port, and the host; the input itself when it has no host. */
export function normaliseOrigin(origin: string): Normalised {
  const m = /^([A-Za-z][A-Za-z0-9+.-]*):\/\/([^/:?#]+)(?::(\d+))?/.exec(origin);
  if (!m) return { domain: origin, host: origin };
  const [, scheme, host, port] = m;
  const defaultPort = (scheme === 'http' && port === '80') || (scheme === 'https' && port === '443');
  return { domain: `${scheme}://${host}${port && !defaultPort ? `:${port}` : ''}`, host };
}

function entryOf(entry: string): Entry {
  if (entry === '*') return { any: true };
  if (PLAIN.test(entry)) return { domain: normaliseOrigin(entry).domain };
  let source = entry.startsWith('^') ? entry.slice(1) : entry;
  if (!source.endsWith('$')) source += '$';
  const compiled = compileKongRegex(source, { anchored: true });
  return { regex: 'regex' in compiled ? compiled.regex : null, byHost: !entry.includes(':') };
}

export function compileOrigins(origins: readonly string[]): Origins {
  const allowAll = origins.length === 0 || (origins.length === 1 && origins[0] === '*');
  const fixed = origins.length === 1 && PLAIN.test(origins[0]) ? origins[0] : null;
  return { allowAll, fixed, entries: allowAll || fixed !== null ? [] : origins.map(entryOf) };
}

/** The ACAO value for a request origin: `*`, an origin, or null (none); `all` when it is `*`. */
export function allowedOrigin(o: Origins, requestOrigin: string | undefined): { value: string | null; all: boolean } {
  if (o.allowAll) return { value: '*', all: true };
  if (o.fixed !== null) return { value: o.fixed, all: false };
  if (requestOrigin === undefined) return { value: null, all: false };
  const req = normaliseOrigin(requestOrigin);
  for (const e of o.entries) {
    if ('any' in e) return { value: '*', all: true };
    const found = 'domain' in e ? e.domain === req.domain : e.regex !== null && e.regex.test(e.byHost ? req.host : req.domain);
    if (found) return { value: req.domain, all: false };
  }
  return { value: null, all: false };
}
