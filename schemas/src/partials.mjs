// Kong's `partials` (EE): shared configuration records that plugins link by id or name, by type.
//   redis-ce, redis-ee (3.10); vectordb, embeddings, model (3.13). Each type's config schema is
//   built into schemas/partials/<type>.json; the plugins that accept a type, and where, are the
//   `x-kong-partials` of their schema (SUPPORTED below, from Kong's `x-supported-partials`).
import { elRec, has, rec } from './dsl.mjs';
import { embeddings, llmChecks, llmFields, modelEntryFields, vectordb } from './llm.mjs';
import { redisCE, redisEE } from './redis.mjs';

/** Partial types: the Kong version that added them and their config record. */
const TYPES = {
  'redis-ce': { since: '3.10', config: () => redisCE('Redis connection (Kong open-source record).') },
  'redis-ee': { since: '3.10', config: () => redisEE('Redis connection (Kong Enterprise record).') },
  vectordb: { since: '3.13', config: () => rec('Vector database.', vectordb(), { required: true }) },
  embeddings: { since: '3.13', config: () => embeddings({ required: true }) },
  model: { since: '3.13', config: () => elRec({ ...llmFields(), ...modelEntryFields() }, { checks: llmChecks() }) },
};

/** The partial types of the profile being built. */
export const partialTypes = () => Object.keys(TYPES).filter((t) => has(TYPES[t].since));

/** The config schema of one partial type, as a schema file (`partials/<type>.json`). */
export function partialSchema(type) {
  const body = TYPES[type].config();
  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    $id: `partials/${type}.json`,
    title: `${type} partial`,
    'x-kong-partial': type,
    ...body,
    type: 'object',
  };
}

/** Which partial types a plugin accepts, and the config path each one fills (Kong 3.14). */
const SUPPORTED = {
  'rate-limiting': { 'redis-ce': 'config.redis' },
  'basic-auth': { 'redis-ce': 'config.brute_force_protection.redis' },
  'rate-limiting-advanced': { 'redis-ee': 'config.redis' },
  'ai-rate-limiting-advanced': { 'redis-ee': 'config.redis' },
  'openid-connect': { 'redis-ee': 'config.redis' },
  'ai-semantic-cache': { embeddings: 'config.embeddings', vectordb: 'config.vectordb' },
  'ai-proxy-advanced': { embeddings: 'config.embeddings', model: 'config.targets[]', vectordb: 'config.vectordb' },
  'ai-request-transformer': { model: 'config.llm' },
  'ai-response-transformer': { model: 'config.llm' },
};

/** `x-kong-partials` of a plugin in the profile being built (only the types it has), or undefined. */
export function supportedPartials(plugin) {
  const own = SUPPORTED[plugin];
  if (own === undefined) return undefined;
  const types = partialTypes();
  const out = Object.fromEntries(Object.entries(own).filter(([t]) => types.includes(t)));
  return Object.keys(out).length > 0 ? out : undefined;
}
