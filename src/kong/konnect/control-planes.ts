/**
 * Finding a Konnect control plane by name, and the organisation behind a token.
 *
 *   GET {addr}/v2/control-planes?filter[name][eq]=<name>&page[size]=10   (control-planes/v2 openapi)
 *   GET {global}/v2/organizations/me                                      (ping; GDR login_service.go)
 *
 * decK lists the legacy `/konnect-api/api/runtime_groups` and matches names client-side; the
 * documented v2 filter is one call. KIC-managed control planes and control-plane groups are refused
 * for writes: Konnect answers them with 403 usage constraint errors, after a plan was printed.
 */
import { AigwError } from '../../errors.js';
import { AdminApiError, type AdminClient } from '../client.js';
import { describeKonnectError, parseKonnectError } from './errors.js';

export interface ControlPlane {
  id: string;
  name: string;
  clusterType: string;
}

const isObj = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/** Turn a platform-API failure into an AigwError that never carries the token. */
export function platformError(err: unknown, what: string): unknown {
  if (!(err instanceof AdminApiError)) return err;
  if (err.status === 0) return new AigwError('AIGW_CONNECT', `${what}: Konnect could not be reached: ${err.kongMessage}`, { cause: err });
  if (err.status === 401 || err.status === 403) {
    return new AigwError('AIGW_KONNECT_AUTH', `${what}: the Konnect token was rejected (HTTP ${err.status}); check --konnect-token / DECK_KONNECT_TOKEN and the region in --konnect-addr`, { cause: err });
  }
  const parsed = parseKonnectError(err.body);
  return new AigwError('AIGW_KONNECT', `${what}: HTTP ${err.status}: ${parsed === null ? err.kongMessage : describeKonnectError(parsed)}`, { cause: err });
}

/** The control plane named `name` (exact match), or AigwError with decK's `control plane not found: <name>`. */
export async function findControlPlane(platform: AdminClient, name: string): Promise<ControlPlane> {
  const q = new URLSearchParams({ 'filter[name][eq]': name, 'page[size]': '10' });
  let body: unknown;
  try {
    body = await platform.get(`/v2/control-planes?${q.toString()}`);
  } catch (err) {
    throw platformError(err, `looking up control plane '${name}'`);
  }
  const data = isObj(body) && Array.isArray(body.data) ? body.data.filter(isObj) : [];
  const hit = data.find((cp) => cp.name === name && typeof cp.id === 'string');
  if (hit === undefined) throw new AigwError('AIGW_KONNECT', `control plane not found: ${name}`);
  const config = isObj(hit.config) ? hit.config : {};
  return { id: hit.id as string, name, clusterType: typeof config.cluster_type === 'string' ? config.cluster_type : 'CLUSTER_TYPE_CONTROL_PLANE' };
}

/** Why a control plane cannot be a sync target, or null. */
export function refusal(cp: ControlPlane): string | null {
  if (cp.clusterType === 'CLUSTER_TYPE_K8S_INGRESS_CONTROLLER') {
    return `control plane '${cp.name}' is managed by the Kong Ingress Controller (${cp.clusterType}): Konnect refuses writes to it; change it through your Kubernetes resources instead`;
  }
  if (cp.clusterType === 'CLUSTER_TYPE_CONTROL_PLANE_GROUP') {
    return `control plane '${cp.name}' is a control plane group (${cp.clusterType}): its configuration is the union of its members; sync one of its member control planes instead`;
  }
  return null;
}

/**
 * The global API address for an address: `https://us.api.konghq.com` → `https://global.api.konghq.com`
 * (likewise `svc.konghq` for PrivateLink), as GDR does; any other address (a test server) is its own.
 */
export function globalAddress(addr: string): string {
  const u = new URL(addr);
  for (const domain of ['api.konghq', 'svc.konghq']) {
    const at = u.host.indexOf(domain);
    if (at >= 0) return `${u.protocol}//global.${u.host.slice(at)}`;
  }
  return `${u.protocol}//${u.host}`;
}

export interface Organization {
  id: string;
  name: string;
}

export async function organization(global: AdminClient): Promise<Organization> {
  try {
    const body = await global.get('/v2/organizations/me');
    const o = isObj(body) ? body : {};
    return { id: typeof o.id === 'string' ? o.id : '', name: typeof o.name === 'string' ? o.name : '' };
  } catch (err) {
    throw platformError(err, 'reading the organization');
  }
}
