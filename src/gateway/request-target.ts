/**
 * The request target as nginx checks it before anything else runs: a path with a `%` that is not
 * followed by two hex digits (`/%E0%A4%A`) is answered 400 on every listener, before routing and
 * before authentication (Kong never sees such a request). The query string is not checked (nginx
 * does not decode it either).
 */

/** Kong's body for a 400 it did not produce itself (kong/error_handlers.lua). */
export const BAD_REQUEST_MESSAGE = 'Bad request';

const BAD_ESCAPE = /%(?![0-9a-fA-F]{2})/;

/** Whether the path of a request target holds a malformed percent-escape. */
export function malformedTarget(target: string | undefined): boolean {
  if (target === undefined || !target.includes('%')) return false;
  const q = target.indexOf('?');
  return BAD_ESCAPE.test(q < 0 ? target : target.slice(0, q));
}

const ABSOLUTE = /^https?:\/\/([^/?#]*)/i;

/**
 * A target in absolute form (`GET http://host/path`, RFC 9112 §3.2.2) as nginx reads it: the path
 * and query in origin form, and the URL's authority as the host (it wins over the Host header).
 */
export function originForm(target: string): { target: string; host: string | null } {
  const m = ABSOLUTE.exec(target);
  if (m === null) return { target, host: null };
  const rest = target.slice(m[0].length);
  return { target: rest.startsWith('/') ? rest : `/${rest}`, host: m[1] === '' ? null : m[1] };
}

/** Node keeps at most `maxHeadersCount` (2,000) raw header lines and drops the rest silently: a request at the cap is refused (431) instead. */
export function tooManyHeaders(rawHeaders: readonly string[], maxHeadersCount = 2000): boolean {
  return rawHeaders.length >= maxHeadersCount;
}

/** What nginx or Node would refuse before anything else runs: a malformed escape (400), too many header lines (431). */
export function earlyRefusal(req: { url?: string; rawHeaders: readonly string[] }): { status: number; message: string } | null {
  if (malformedTarget(req.url)) return { status: 400, message: BAD_REQUEST_MESSAGE };
  if (tooManyHeaders(req.rawHeaders)) return { status: 431, message: 'Request Header Fields Too Large' };
  return null;
}
