/**
 * THE hop-by-hop headers (RFC 9110 §7.6.1, plus the de-facto `proxy-connection` and `keep-alive`):
 * meaningful for one connection only, so never copied from one side of the proxy to the other.
 * Each copy point adds what else it must not copy (host, lengths, encodings).
 */
export const HOP_BY_HOP: ReadonlySet<string> = new Set([
  'connection', 'keep-alive', 'proxy-connection', 'te', 'trailer', 'transfer-encoding', 'upgrade',
]);

/** HOP_BY_HOP plus `extra`. */
export function hopByHopAnd(...extra: string[]): ReadonlySet<string> {
  return new Set([...HOP_BY_HOP, ...extra]);
}
