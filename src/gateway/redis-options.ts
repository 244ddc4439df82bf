import type { RedisOptions } from 'ioredis';

/** Connection settings shared by every Redis-backed plugin (Kong's `redis` records). */
export interface RedisConnection {
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
 * ioredis options for a plugin's Redis: commands fail fast (no queueing while disconnected, so
 * `fault_tolerant` and fallbacks decide at once) and reconnection backs off up to 2 s.
 */
export function redisClientOptions(s: RedisConnection): RedisOptions {
  return {
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
