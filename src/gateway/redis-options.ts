import { createRequire } from 'node:module';
import type * as IORedis from 'ioredis';
import type { RedisOptions } from 'ioredis';
import type { EnterpriseRedis } from '../config/generated/plugin-configs.js';

/**
 * Connection settings shared by every Redis-backed plugin (Kong's `redis` records): rate-limiting,
 * ai-rate-limiting-advanced budgets, the semantic cache's vector store. `sslVerify` follows Kong's
 * schema default (false) everywhere; the semantic cache used to read an explicit `ssl_verify: null`
 * as true, and now reads it as the default like the others.
 */
export interface RedisConnection {
  /** Omitted for sentinel and cluster connections, which name their nodes. */
  host?: string;
  port?: number;
  username: string | null;
  password: string | null;
  database: number;
  connectTimeout: number;
  commandTimeout: number;
  ssl: boolean;
  sslVerify: boolean;
  serverName: string | null;
}

/**
 * THE ioredis options builder: commands fail fast (no retries per request, so `fault_tolerant` and
 * fallbacks decide at once) and reconnection backs off up to 2 s.
 */
export function redisClientOptions(s: RedisConnection): RedisOptions {
  return {
    ...(s.host !== undefined ? { host: s.host } : {}),
    ...(s.port !== undefined ? { port: s.port } : {}),
    username: s.username ?? undefined,
    password: s.password ?? undefined,
    db: s.database,
    connectTimeout: s.connectTimeout,
    commandTimeout: s.commandTimeout,
    maxRetriesPerRequest: 0,
    retryStrategy: (times) => Math.min(times * 100, 2000),
    tls: s.ssl ? { rejectUnauthorized: s.sslVerify, servername: s.serverName ?? undefined } : undefined,
  };
}

/** Kong EE's `redis` record (ai-semantic-cache `vectordb.redis`) as a connection; sentinel and cluster are not read here. */
export function enterpriseRedis(c: EnterpriseRedis | null | undefined): RedisConnection {
  return {
    host: c?.host ?? '127.0.0.1',
    port: c?.port ?? 6379,
    username: c?.username ?? null,
    password: c?.password ?? null,
    database: c?.database ?? 0,
    connectTimeout: c?.connect_timeout ?? 2000,
    commandTimeout: Math.max(c?.read_timeout ?? 2000, c?.send_timeout ?? 2000),
    ssl: c?.ssl ?? false,
    sslVerify: c?.ssl_verify ?? false,
    serverName: c?.server_name ?? null,
  };
}

let ioredisModule: typeof IORedis | null = null;

/**
 * ioredis, loaded on first use (a plugin with a Redis policy being built): it pulls in tls, net and
 * crypto and costs 6–14 MiB of RSS that a gateway without Redis should not pay. Plugin `create` is
 * synchronous, hence `require` (ioredis is CommonJS).
 */
export function ioredis(): typeof IORedis {
  ioredisModule ??= createRequire(import.meta.url)('ioredis') as typeof IORedis;
  return ioredisModule;
}
