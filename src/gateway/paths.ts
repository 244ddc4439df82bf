/**
 * Request and upstream paths as Kong's router and proxy handle them: the normalisation a request
 * path gets before matching, and the join of a service's path with what the route leaves of it.
 */

/**
 * Join the service path and the (possibly stripped) request path. v0 joins with exactly one `/`;
 * an empty remainder keeps the service path as is.
 */
export function joinUpstreamPath(servicePath: string | null, rest: string, handling: 'v0' | 'v1'): string {
  const base = servicePath === null || servicePath === '' ? '/' : servicePath;
  if (rest === '') return base;
  if (base === '/') return rest.startsWith('/') ? rest : `/${rest}`;
  if (handling === 'v1') return base.endsWith('/') && rest.startsWith('/') ? base + rest.slice(1) : base + rest;
  return `${base.endsWith('/') ? base.slice(0, -1) : base}/${rest.startsWith('/') ? rest.slice(1) : rest}`;
}

const UNRESERVED = /%(2[dDeE]|3[0-9]|[46][1-9a-fA-F]|[57][0-9aA]|5[fF]|7[eE])/g;

/**
 * Path normalisation before matching, as Kong/nginx do: percent-decoding of unreserved
 * characters, merged slashes, and `.`/`..` segments resolved. Cheap when nothing needs doing.
 */
export function normalizePath(path: string): string {
  if (!path.includes('%') && !path.includes('//') && !path.includes('/.')) return path;
  const decoded = path.replace(UNRESERVED, (m) => String.fromCharCode(parseInt(m.slice(1), 16)));
  const out: string[] = [];
  const parts = decoded.split('/');
  for (let i = 1; i < parts.length; i++) {
    const seg = parts[i];
    const last = i === parts.length - 1;
    if (seg === '..') {
      out.pop();
      if (last) out.push('');
    } else if (seg === '.' || (seg === '' && !last)) {
      if (last) out.push('');
    } else out.push(seg);
  }
  return `/${out.join('/')}`;
}
