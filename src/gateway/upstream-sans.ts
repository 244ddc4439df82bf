/**
 * A service's `tls_sans` (Kong EE): subject alternative names accepted on the upstream certificate
 * besides the host, when `tls_verify` is on. The certificate passes when Node's own hostname check
 * passes, or when it carries one of the listed DNS names (wildcards as Node matches them) or URIs.
 */
import { checkServerIdentity, type PeerCertificate } from 'node:tls';

export interface TlsSans {
  dnsnames: readonly string[];
  uris: readonly string[];
}

const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string' && x !== '') : []);

/** The SANs a service lists, or null when it lists none. */
export function tlsSansOf(service: Readonly<Record<string, unknown>>): TlsSans | null {
  const raw = service.tls_sans;
  if (raw === null || typeof raw !== 'object') return null;
  const r = raw as { dnsnames?: unknown; uris?: unknown };
  const sans = { dnsnames: strings(r.dnsnames), uris: strings(r.uris) };
  return sans.dnsnames.length + sans.uris.length > 0 ? sans : null;
}

function certUris(cert: PeerCertificate): string[] {
  return (cert.subjectaltname ?? '').split(/,\s*/).filter((e) => e.startsWith('URI:')).map((e) => e.slice(4));
}

/** A `checkServerIdentity` that also accepts the listed SANs. */
export function sansIdentityCheck(sans: TlsSans): (host: string, cert: PeerCertificate) => Error | undefined {
  return (host, cert) => {
    const err = checkServerIdentity(host, cert);
    if (err === undefined) return undefined;
    if (sans.dnsnames.some((name) => checkServerIdentity(name, cert) === undefined)) return undefined;
    const uris = certUris(cert);
    if (sans.uris.some((u) => uris.includes(u))) return undefined;
    return err;
  };
}
