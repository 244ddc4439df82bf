/**
 * ai-rate-limiting-advanced configuration, narrowed from the validated plugin config.
 */
import { field, record } from '../../plugin.js';
import { isObject } from '../../llm/wire/openai-types.js';
import type { RedisBudgetSettings } from './budget-store.js';
import type { WindowType } from './windows.js';
import type { Identifier } from './identify.js';
import type { InputFormat } from '../../llm/formats/request.js';
import { CANONICAL_FORMAT } from '../../llm/formats/index.js';
import { parsePolicies, type CountStrategy, type Policy } from './policies.js';

export type { CountStrategy } from './policies.js';

export const REQUEST_PROMPT = 'requestPrompt';

export interface ProviderLimit {
  name: string;
  /** Only requests for this model count (aigw extension); null: every model of the provider. */
  model: string | null;
  windows: Array<{ size: number; limit: number }>;
}

export interface BudgetConfig {
  /** `llm_providers` (empty when the plugin uses policies). */
  providers: ProviderLimit[];
  /** Kong 3.14 `policies` (null when the plugin uses llm_providers). */
  policies: Policy[] | null;
  strategy: 'local' | 'redis';
  windowType: WindowType;
  identifier: Identifier;
  headerName: string | null;
  path: string | null;
  countStrategy: CountStrategy;
  redis: RedisBudgetSettings;
  hideClientHeaders: boolean;
  jitterMax: number;
  errorCode: number;
  errorMessage: string;
  hideProviders: boolean;
  disablePenalty: boolean;
  llmFormat: InputFormat;
  /** Kong 3.11 `namespace`: counters shared by the plugin instances that name it (redis); null: the plugin's own. */
  namespace: string | null;
}

function numbers(v: unknown): number[] {
  return Array.isArray(v) ? v.filter((x): x is number => typeof x === 'number') : [];
}

const listed = (v: unknown): boolean => Array.isArray(v) && v.length > 0;

function providers(v: unknown): ProviderLimit[] {
  const out: ProviderLimit[] = [];
  for (const p of Array.isArray(v) ? v : []) {
    if (!isObject(p) || typeof p.name !== 'string') continue;
    const limits = numbers(p.limit);
    const sizes = numbers(p.window_size);
    if (limits.length !== sizes.length) throw new Error('You must provide the same number of windows and limits');
    if (sizes.some((s) => !(s > 0))) throw new Error('window_size values must be greater than 0');
    const model = typeof p.model === 'string' && p.model !== '' ? p.model : null;
    out.push({ name: p.name, model, windows: sizes.map((size, i) => ({ size, limit: limits[i] })) });
  }
  if (out.length === 0) throw new Error("'policies' (or the deprecated 'llm_providers') must list at least one limit: without them the plugin limits nothing");
  return out;
}

function nodes(v: unknown, hostKey: 'host' | 'ip'): Array<{ host: string; port: number }> {
  if (!Array.isArray(v)) return [];
  return v.filter(isObject).map((n) => ({
    host: typeof n[hostKey] === 'string' ? (n[hostKey] as string) : '127.0.0.1',
    port: typeof n.port === 'number' ? n.port : 6379,
  }));
}

/** The `redis` record of Kong EE's rate-limiting plugins, as connection settings (shared with rate-limiting-advanced). */
export function redisSettings(c: Readonly<Record<string, unknown>>): RedisBudgetSettings {
  const r = record(c, 'redis');
  const role = field<string | null>(r, 'sentinel_role', null);
  return {
    host: field(r, 'host', '127.0.0.1'),
    port: field(r, 'port', 6379),
    connectTimeout: field(r, 'connect_timeout', 2000),
    commandTimeout: Math.max(field(r, 'send_timeout', 2000), field(r, 'read_timeout', 2000)),
    username: field<string | null>(r, 'username', null),
    password: field<string | null>(r, 'password', null),
    database: field(r, 'database', 0),
    ssl: field(r, 'ssl', false),
    sslVerify: field(r, 'ssl_verify', false),
    serverName: field<string | null>(r, 'server_name', null),
    sentinelMaster: field<string | null>(r, 'sentinel_master', null),
    sentinelRole: role === 'slave' ? 'slave' : role === null ? null : 'master',
    sentinelNodes: nodes(r.sentinel_nodes, 'host'),
    sentinelUsername: field<string | null>(r, 'sentinel_username', null),
    sentinelPassword: field<string | null>(r, 'sentinel_password', null),
    clusterNodes: nodes(r.cluster_nodes, 'ip'),
  };
}

/** Kong 3.13/3.14 features `aigw serve` refuses at startup rather than ignore. */
function refuseUnsupported(c: Readonly<Record<string, unknown>>, strategy: string): void {
  if (listed(c.policies) && listed(c.llm_providers)) throw new Error("only one or none of these fields must be set: 'llm_providers', 'policies'");
  if (typeof c.custom_cost_count_function === 'string' || (Array.isArray(c.llm_providers) && c.llm_providers.some((p) => isObject(p) && p.name === 'customCost'))) {
    throw new Error('custom_cost_count_function: Lua code cannot run in aigw serve (provider customCost)');
  }
  if (typeof c.namespace === 'string' && strategy !== 'redis') {
    throw new Error("namespace: aigw keeps local counters per plugin instance; share counters through strategy 'redis'");
  }
}

export function parseBudgetConfig(c: Readonly<Record<string, unknown>>): BudgetConfig {
  const strategy = field<string>(c, 'strategy', 'local');
  refuseUnsupported(c, strategy);
  if (strategy === 'cluster') throw new Error("strategy 'cluster' needs a Kong database cluster; use 'local' or 'redis'");
  const identifier = field<Identifier>(c, 'identifier', 'consumer');
  const headerName = field<string | null>(c, 'header_name', null);
  const path = field<string | null>(c, 'path', null);
  if (identifier === 'header' && !headerName) throw new Error("'header_name' is required when 'identifier' is 'header'");
  if (identifier === 'path' && !path) throw new Error("'path' is required when 'identifier' is 'path'");
  const windowType = field<WindowType>(c, 'window_type', 'sliding');
  const countStrategy = field<CountStrategy>(c, 'tokens_count_strategy', 'total_tokens');
  const policies = listed(c.policies) ? parsePolicies(c.policies, windowType, countStrategy) : null;
  return {
    providers: policies ? [] : providers(c.llm_providers),
    policies,
    strategy: strategy === 'redis' ? 'redis' : 'local',
    windowType,
    identifier,
    headerName,
    path,
    countStrategy,
    redis: redisSettings(c),
    hideClientHeaders: field(c, 'hide_client_headers', false),
    jitterMax: field(c, 'retry_after_jitter_max', 0),
    errorCode: field(c, 'error_code', 429),
    errorMessage: field(c, 'error_message', 'AI token rate limit exceeded for provider(s): '),
    hideProviders: field(c, 'error_hide_providers', false),
    disablePenalty: field(c, 'disable_penalty', false),
    llmFormat: field(c, 'llm_format', CANONICAL_FORMAT),
    namespace: field<string | null>(c, 'namespace', null),
  };
}
