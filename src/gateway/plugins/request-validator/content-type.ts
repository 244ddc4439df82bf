/**
 * request-validator's `allowed_content_types`: a request's Content-Type matches an entry when type
 * and subtype are equal (or `*`) and, with `content_type_parameter_validation`, its parameters are
 * the same ones with the same values (charset compared without case), as Kong's handler does.
 */
export interface MediaType { type: string; subtype: string; params: Record<string, string> }

export function parseMediaType(text: string): MediaType | null {
  const [main, ...rest] = text.split(';');
  const m = /^\s*([^/\s]+)\/([^/\s]+)\s*$/.exec(main ?? '');
  if (!m) return null;
  const params: Record<string, string> = {};
  for (const p of rest) {
    const i = p.indexOf('=');
    if (i < 0) continue;
    params[p.slice(0, i).trim().toLowerCase()] = p.slice(i + 1).trim().replace(/^"(.*)"$/, '$1');
  }
  return { type: m[1].toLowerCase(), subtype: m[2].toLowerCase(), params };
}

function sameParams(allowed: MediaType, got: MediaType): boolean {
  const a = Object.entries(allowed.params);
  if (a.length !== Object.keys(got.params).length) return false;
  return a.every(([k, v]) => (k === 'charset' ? got.params[k]?.toLowerCase() === v.toLowerCase() : got.params[k] === v));
}

export function contentTypeAllowed(allowed: readonly MediaType[], header: string | undefined, checkParams: boolean): boolean {
  if (header === undefined) return false;
  const got = parseMediaType(header);
  if (!got) return false;
  return allowed.some((a) => (a.type === got.type || a.type === '*') && (a.subtype === got.subtype || a.subtype === '*') && (!checkParams || sameParams(a, got)));
}
