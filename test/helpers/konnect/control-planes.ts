/**
 * Control planes and the org: `GET/POST /v2/control-planes`, `GET /v2/control-planes/{id}`, the legacy
 * `GET /konnect-api/api/runtime_groups` decK still calls, and `GET /v2/organizations/me`.
 *
 * control-planes/v2 openapi: ControlPlane (id, name, description, labels, config{control_plane_endpoint,
 * telemetry_endpoint, cluster_type, auth_type, cloud_gateway, proxy_urls}, created_at, updated_at as ISO
 * strings), ListControlPlanesResponse `{meta:{page:{number,size,total}}, data}`, ControlPlaneFilterParameters
 * (name eq/neq/contains, id eq/oeq, cluster_type eq/neq/oeq), CreateControlPlaneRequest (name 2–256,
 * additionalProperties false) with the problem+json 400/409 examples. Legacy runtime groups: GDR
 * pkg/konnect/runtime_group_service.go + list.go (`?page=&size=` → `{data:[{id,name}], page, pageCount}`,
 * size at most 100). Org: GDR login_service.go OrgUserInfo `{id, name}`.
 * Inferred: the default/maximum `page[size]` (10/100) of the v2 list.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { Propagation, type DataPlaneOptions } from './propagation.js';
import { EntityStore } from './store.js';
import { isObject, problem, problemError, type Json, type JsonObject, type Reply } from './wire.js';

export const CLUSTER_TYPES = [
  'CLUSTER_TYPE_CONTROL_PLANE',
  'CLUSTER_TYPE_K8S_INGRESS_CONTROLLER',
  'CLUSTER_TYPE_CONTROL_PLANE_GROUP',
  'CLUSTER_TYPE_SERVERLESS',
  'CLUSTER_TYPE_KAFKA_NATIVE_EVENT_PROXY',
  'CLUSTER_TYPE_SERVERLESS_V1',
] as const;
export type ClusterType = (typeof CLUSTER_TYPES)[number];

export interface ControlPlaneSeed {
  id?: string;
  name: string;
  description?: string;
  labels?: Record<string, string>;
  cluster_type?: ClusterType;
  auth_type?: 'pinned_client_certs' | 'pki_client_certs';
  cloud_gateway?: boolean;
  proxy_urls?: Array<{ host: string; port: number; protocol: string }>;
  /** Workspaces reachable as `…/core-entities/{ws}/…` (Konnect has none by default). */
  workspaces?: string[];
  /** Simulated data planes (default: two nodes that adopt a change immediately). */
  dataPlanes?: DataPlaneOptions[];
}

export interface ControlPlane {
  id: string;
  name: string;
  clusterType: ClusterType;
  record: JsonObject;
  workspaces: string[];
  stores: Map<string, EntityStore>;
  propagation: Propagation;
}

const CREATE_FIELDS = ['name', 'description', 'cluster_type', 'auth_type', 'cloud_gateway', 'proxy_urls', 'labels'];
const FILTERS: Record<string, string[]> = { name: ['eq', 'neq', 'contains'], id: ['eq', 'oeq'], cluster_type: ['eq', 'neq', 'oeq'] };

function intParam(q: URLSearchParams, key: string, def: number, max: number): number {
  const raw = q.get(key);
  if (raw === null || raw === '') return def;
  const v = Number(raw);
  if (!Number.isInteger(v) || v < 1 || v > max)
    throw problemError(400, 'Bad Request', `Invalid ${key}`, [{ field: key, reason: `must be an integer between 1 and ${max}` }]);
  return v;
}

export class ControlPlanes {
  readonly all: ControlPlane[] = [];

  constructor(
    private readonly org: { id: string; name: string },
    private readonly now: () => number = Date.now,
  ) {}

  add(seed: ControlPlaneSeed): ControlPlane {
    const id = seed.id ?? randomUUID();
    const host = randomBytes(5).toString('hex');
    const at = new Date().toISOString();
    const clusterType = seed.cluster_type ?? 'CLUSTER_TYPE_CONTROL_PLANE';
    const record: JsonObject = {
      id,
      name: seed.name,
      description: seed.description ?? '',
      labels: seed.labels ?? {},
      config: {
        control_plane_endpoint: `https://${host}.us.cp.konghq.com`,
        telemetry_endpoint: `https://${host}.us.tp.konghq.com`,
        cluster_type: clusterType,
        auth_type: seed.auth_type ?? 'pinned_client_certs',
        cloud_gateway: seed.cloud_gateway ?? false,
        proxy_urls: (seed.proxy_urls ?? []) as unknown as Json,
      },
      created_at: at,
      updated_at: at,
    };
    const propagation = new Propagation(id, seed.dataPlanes ?? [{ hostname: 'dp-1' }, { hostname: 'dp-2' }], this.now);
    const stores = new Map<string, EntityStore>();
    for (const ws of ['', ...(seed.workspaces ?? [])]) stores.set(ws, new EntityStore(() => propagation.bump()));
    const cp: ControlPlane = { id, name: seed.name, clusterType, record, workspaces: seed.workspaces ?? [], stores, propagation };
    this.all.push(cp);
    return cp;
  }

  byId(id: string): ControlPlane | undefined {
    return this.all.find((c) => c.id === id);
  }

  byName(name: string): ControlPlane | undefined {
    return this.all.find((c) => c.name === name);
  }

  list(q: URLSearchParams): Reply {
    const size = intParam(q, 'page[size]', 10, 100);
    const number = intParam(q, 'page[number]', 1, 1_000_000);
    const matching = this.all.filter((cp) => this.matchesFilters(cp, q));
    const data = matching.slice((number - 1) * size, number * size).map((c) => c.record);
    return { status: 200, body: { meta: { page: { number, size, total: matching.length } }, data } };
  }

  private matchesFilters(cp: ControlPlane, q: URLSearchParams): boolean {
    for (const [key, value] of q) {
      if (!key.startsWith('filter[')) continue;
      const m = /^filter\[(\w+)\](?:\[(\w+)\])?$/.exec(key);
      const [field, op = 'eq'] = m ? [m[1] as string, m[2]] : ['', ''];
      if (!FILTERS[field]?.includes(op)) throw problemError(400, 'Bad Request', 'Invalid filter', [{ field: key, rule: 'invalid', reason: 'unknown filter' }]);
      const actual = field === 'cluster_type' ? cp.clusterType : field === 'id' ? cp.id : cp.name;
      const ok =
        op === 'eq' ? actual === value : op === 'neq' ? actual !== value : op === 'contains' ? actual.includes(value) : value.split(',').includes(actual);
      if (!ok) return false;
    }
    return true;
  }

  get(id: string): Reply {
    const cp = this.byId(id);
    return cp ? { status: 200, body: cp.record } : problem(404, 'Not Found', 'The requested control plane was not found.');
  }

  create(body: Json | undefined): Reply {
    if (!isObject(body)) return problem(400, 'Bad Request', 'Invalid request format', [{ field: 'body', reason: 'request format is invalid' }]);
    const unknown = Object.keys(body).filter((k) => !CREATE_FIELDS.includes(k));
    if (unknown.length)
      return problem(
        400,
        'Bad Request',
        'Request contains unknown property',
        unknown.map((k) => ({ field: k, rule: 'unknown_property', reason: `property ${k} should not exist` })),
      );
    const name = typeof body.name === 'string' ? body.name : '';
    if (name.trim() === '') return problem(400, 'Bad Request', 'Request cannot be empty', [{ field: 'name', reason: 'cannot be blank' }]);
    if (name.length < 2 || name.length > 256)
      return problem(400, 'Bad Request', 'Invalid name', [
        { field: 'name', rule: name.length < 2 ? 'min_length' : 'max_length', reason: 'must have between 2 and 256 characters' },
      ]);
    const type = body.cluster_type;
    if (type !== undefined && !CLUSTER_TYPES.includes(type as ClusterType))
      return problem(400, 'Bad Request', 'Invalid cluster_type', [
        { field: 'cluster_type', rule: 'enum', reason: `must be one of ${CLUSTER_TYPES.join(', ')}` },
      ]);
    if (this.byName(name)) return problem(409, 'Conflict', 'Control Plane with provided name already exists.');
    const cp = this.add({ ...(body as unknown as ControlPlaneSeed), name });
    return { status: 201, body: cp.record };
  }

  /** decK's lookup: all pages of `{data:[{id,name}], page, pageCount}`. */
  runtimeGroups(q: URLSearchParams): Reply {
    const page = Math.max(1, Number(q.get('page') ?? 1) || 1);
    const size = Math.min(100, Math.max(1, Number(q.get('size') ?? 100) || 100));
    const pageCount = Math.max(1, Math.ceil(this.all.length / size));
    const data = this.all.slice((page - 1) * size, page * size).map((c) => ({ id: c.id, name: c.name }));
    return { status: 200, body: { data, page, pageCount } };
  }

  organization(): Reply {
    return { status: 200, body: { id: this.org.id, name: this.org.name } };
  }
}
