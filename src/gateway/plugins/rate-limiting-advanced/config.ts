/**
 * rate-limiting-advanced configuration, narrowed from the validated plugin config. What aigw serve
 * cannot run is refused here (the gateway does not start): the `cluster` strategy and throttling.
 * `consumer_groups` without `enforce_consumer_groups` changes nothing in Kong either (the deprecated
 * consumer-group policy overrides apply only when enforced).
 */
import { field, record, strings } from '../../plugin.js';
import { redisSettings } from '../ai-rate-limiting-advanced/config.js';
import type { RedisBudgetSettings } from '../ai-rate-limiting-advanced/budget-store.js';
import type { Identifier, IdentifyConfig } from '../ai-rate-limiting-advanced/identify.js';
import type { WindowType } from '../ai-rate-limiting-advanced/windows.js';

export interface RlaWindow { size: number; limit: number }

export interface RlaConfig extends IdentifyConfig {
  /** `compound_identifier`: the key combines these; null: `identifier` alone. */
  compound: Identifier[] | null;
  windows: RlaWindow[];
  windowType: WindowType;
  /** Where counters live: redis only for strategy redis with a sync_rate of 0 or more (Kong: -1/null keep them in memory). */
  store: 'local' | 'redis';
  redis: RedisBudgetSettings;
  namespace: string | null;
  hideClientHeaders: boolean;
  jitterMax: number;
  errorCode: number;
  errorMessage: string;
  disablePenalty: boolean;
  /** Kong EE's legacy consumer-group policy overrides: `enforce_consumer_groups` with these groups (names or ids), in order. */
  enforceConsumerGroups: boolean;
  consumerGroups: string[];
}

/** The limits a consumer-group policy override replaces (Kong EE consumer_group_plugins config). */
export interface RlaLimits { windows: RlaWindow[]; windowType: WindowType; jitterMax: number }

/** A policy override's config (validated on load and by the Admin API) as limits. */
export function parseOverride(c: Readonly<Record<string, unknown>>): RlaLimits {
  return { windows: windows(c), windowType: field<WindowType>(c, 'window_type', 'sliding'), jitterMax: field(c, 'retry_after_jitter_max', 0) };
}

function numbers(v: unknown): number[] {
  return Array.isArray(v) ? v.filter((x): x is number => typeof x === 'number') : [];
}

function windows(c: Readonly<Record<string, unknown>>): RlaWindow[] {
  const limits = numbers(c.limit);
  const sizes = numbers(c.window_size);
  if (limits.length !== sizes.length) throw new Error('You must provide the same number of windows and limits');
  if (sizes.length === 0) throw new Error("'window_size' must list at least one window");
  if (sizes.some((s) => !(s > 0))) throw new Error('window_size values must be greater than 0');
  return sizes.map((size, i) => ({ size, limit: limits[i] }));
}

/** "host:port" strings of the deprecated sentinel_addresses / cluster_addresses. */
function addresses(v: unknown, hostKey: 'host' | 'ip'): Array<Record<string, unknown>> | null {
  if (!Array.isArray(v) || v.length === 0) return null;
  return v.filter((a): a is string => typeof a === 'string').map((a) => {
    const i = a.lastIndexOf(':');
    const port = i > 0 ? Number(a.slice(i + 1)) : NaN;
    if (!Number.isInteger(port)) throw new Error(`redis: invalid address '${a}': expected host:port`);
    return { [hostKey]: a.slice(0, i), port };
  });
}

/** The redis record with Kong's deprecated shorthands translated (a new field set explicitly wins). */
function redisWithShorthands(c: Readonly<Record<string, unknown>>): RedisBudgetSettings {
  const r: Record<string, unknown> = { ...record(c, 'redis') };
  if (typeof r.timeout === 'number') {
    for (const k of ['connect_timeout', 'send_timeout', 'read_timeout']) r[k] = r.timeout;
  }
  r.sentinel_nodes ??= addresses(r.sentinel_addresses, 'host');
  r.cluster_nodes ??= addresses(r.cluster_addresses, 'ip');
  return redisSettings({ redis: r });
}

function refuseUnsupported(c: Readonly<Record<string, unknown>>): void {
  if (c.strategy === 'cluster') throw new Error("strategy 'cluster' cannot run in aigw serve: no Kong database cluster; use 'local' or 'redis'");
  if (record(c, 'throttling').enabled === true) throw new Error('throttling cannot run in aigw serve: denied requests are refused at once, not queued');
}

export function parseRlaConfig(c: Readonly<Record<string, unknown>>): RlaConfig {
  refuseUnsupported(c);
  const identifier = field<Identifier>(c, 'identifier', 'consumer');
  const compound = strings(c, 'compound_identifier') as Identifier[];
  const uses = (i: Identifier) => identifier === i || compound.includes(i);
  const headerName = field<string | null>(c, 'header_name', null);
  const path = field<string | null>(c, 'path', null);
  if (uses('header') && !headerName) throw new Error("'header_name' is required when 'identifier' is 'header'");
  if (uses('path') && !path) throw new Error("'path' is required when 'identifier' is 'path'");
  const syncRate = field<number>(c, 'sync_rate', -1);
  return {
    identifier,
    headerName,
    path,
    compound: compound.length > 0 ? compound : null,
    windows: windows(c),
    windowType: field<WindowType>(c, 'window_type', 'sliding'),
    store: c.strategy === 'redis' && syncRate >= 0 ? 'redis' : 'local',
    redis: redisWithShorthands(c),
    namespace: field<string | null>(c, 'namespace', null),
    hideClientHeaders: field(c, 'hide_client_headers', false),
    jitterMax: field(c, 'retry_after_jitter_max', 0),
    errorCode: field(c, 'error_code', 429),
    errorMessage: field(c, 'error_message', 'API rate limit exceeded'),
    disablePenalty: field(c, 'disable_penalty', false),
    enforceConsumerGroups: field(c, 'enforce_consumer_groups', false),
    consumerGroups: strings(c, 'consumer_groups'),
  };
}
