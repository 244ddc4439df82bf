/**
 * ai-rag-injector (Kong 3.10): retrieval-augmented prompts over the plugin's knowledge base.
 *
 *   Admin API (Kong's): POST /ai-rag-injector/{id}/ingest_chunk {content, metadata?}
 *                       → {metadata: {chunk_id, ingest_duration, embeddings_tokens_count}}
 *                       POST /ai-rag-injector/{id}/lookup_chunks {prompt, exclude_contents?}
 *                       → {contents?, metadata: {chunk_ids}}
 *   access: the last user message is embedded; the `fetch_chunks_count` nearest chunks of
 *           `vectordb_namespace` (within `vectordb.threshold` when set) that the consumer may read
 *           fill `inject_template` (<CONTEXT>: the chunks, blank-line separated; <PROMPT>: the
 *           message). As `inject_as_role: user` the result replaces that message; as system or
 *           assistant it is inserted before it.
 *
 * Chunks live in the `vectordb` (memory: in the gateway process, kept across reloads while the
 * plugin's config is unchanged; redis: shared and persistent). ACLs (3.13): a chunk's
 * `metadata.collection` selects `collection_acl_config[collection]`, else `global_acl_config`; the
 * consumer's subjects (`consumer_identifier`) must not be denied and, when the list has entries,
 * must be allowed; once any ACL is configured an empty global list admits nobody. Failures
 * (embeddings, store) pass the request on unchanged, or answer 500 with `stop_on_failure`.
 */
import { randomUUID } from 'node:crypto';
import type { PluginConfigs } from '../../../config/generated/plugin-configs.js';
import { Slot, type GatewayContext } from '../../context.js';
import type { Consumers } from '../../consumers.js';
import { aiLog, messageText, promptRequest, syncBody } from '../../llm/formats/prompt.js';
import { aiError } from '../../llm/formats/request.js';
import { createEmbedder, type Embedder } from '../../llm/call/embeddings.js';
import { isObject, type ChatMessage, type JsonObject } from '../../llm/wire/openai-types.js';
import type { DistanceMetric } from '../../llm/wire/vector.js';
import type { KongPlugin, PluginAdminReply, PluginDeps } from '../../plugin.js';
import { openVectorStore } from '../../vectordb/open.js';
import type { VectorStore } from '../../vectordb/store.js';

type Config = PluginConfigs['ai-rag-injector'];
interface Acl { allow: readonly string[]; deny: readonly string[] }

const MAX_BODY = 1_048_576;
const OUTCOME = new Slot<Record<string, unknown>>('ai-rag-injector.outcome');

interface Env { c: Config; deps: PluginDeps; store: VectorStore; embedder: Embedder }

function subjects(c: Config, consumers: Consumers, ctx: GatewayContext): string[] {
  const who = ctx.consumer;
  if (!who) return [];
  switch (c.consumer_identifier ?? 'consumer_group') {
    case 'consumer_id': return [who.id];
    case 'custom_id': return who.custom_id ? [who.custom_id] : [];
    case 'username': return who.username ? [who.username] : [];
    default: return [...consumers.consumerGroups(who.id)];
  }
}

/** Whether a consumer with `subs` may read a chunk with `metadata` (see the header). */
export function readable(c: Config, subs: readonly string[], metadata: JsonObject | null): boolean {
  const global: Acl = { allow: c.global_acl_config?.allow ?? [], deny: c.global_acl_config?.deny ?? [] };
  const perCollection = c.collection_acl_config ?? {};
  const configured = global.allow.length > 0 || global.deny.length > 0 || Object.keys(perCollection).length > 0;
  if (!configured) return true;
  const collection = metadata && typeof metadata.collection === 'string' ? metadata.collection : null;
  const own = collection !== null ? perCollection[collection] : undefined;
  const acl: Acl = own ? { allow: own.allow ?? [], deny: own.deny ?? [] } : global;
  if (subs.some((s) => acl.deny.includes(s))) return false;
  if (acl.allow.length === 0) return own !== undefined;
  return subs.some((s) => acl.allow.includes(s));
}

async function nearest(env: Env, prompt: string, requestId: string, subs: readonly string[] | null): Promise<Array<{ id: string; content: string }>> {
  const vector = await env.embedder.embed(prompt, { requestId });
  const threshold = env.c.vectordb.threshold ?? Number.POSITIVE_INFINITY;
  const hits = await env.store.nearest(env.c.vectordb_namespace, vector, {
    metric: env.c.vectordb.distance_metric as DistanceMetric,
    threshold,
    limit: env.c.fetch_chunks_count,
    ...(subs ? { filter: (m: JsonObject | null) => readable(env.c, subs, m) } : {}),
  }, env.deps.now());
  return hits.map((h) => ({ id: h.entry.id, content: h.entry.payload }));
}

function lastUser(messages: ChatMessage[]): number {
  for (let i = messages.length - 1; i >= 0; i--) if (messages[i].role === 'user') return i;
  return -1;
}

async function inject(env: Env, ctx: GatewayContext): Promise<undefined> {
  const req = await promptRequest(ctx, MAX_BODY);
  const messages = Array.isArray(req.body.messages) ? req.body.messages : [];
  const at = lastUser(messages);
  const prompt = at >= 0 ? messageText(messages[at]) : null;
  if (prompt === null || prompt.trim() === '') return undefined;
  let chunks: Array<{ id: string; content: string }>;
  try {
    chunks = await nearest(env, prompt, ctx.requestId, subjects(env.c, env.deps.consumers, ctx));
  } catch (err) {
    ctx.set(OUTCOME, { error: (err as Error).message });
    env.deps.logger.warn('ai-rag-injector: cannot fetch chunks', { request_id: ctx.requestId, error: (err as Error).message });
    if (env.c.stop_on_failure) throw aiError(500, 'failed to fetch chunks for the prompt');
    return undefined;
  }
  ctx.set(OUTCOME, { chunk_ids: chunks.map((x) => x.id), injected: chunks.length > 0 });
  if (chunks.length === 0) return undefined;
  const text = env.c.inject_template.split('<CONTEXT>').join(chunks.map((x) => x.content).join('\n\n')).split('<PROMPT>').join(prompt);
  if (env.c.inject_as_role === 'user') messages[at] = { ...messages[at], content: text };
  else messages.splice(at, 0, { role: env.c.inject_as_role, content: text } as ChatMessage);
  syncBody(ctx, req);
  return undefined;
}

async function admin(env: Env, action: string, body: Record<string, unknown>): Promise<PluginAdminReply | undefined> {
  const requestId = `admin-${randomUUID()}`;
  if (action === 'ingest_chunk') {
    if (typeof body.content !== 'string' || body.content.trim() === '') return { status: 400, body: { message: "'content' is required" } };
    const t0 = performance.now();
    const vector = await env.embedder.embed(body.content, { requestId });
    const id = randomUUID();
    await env.store.put(env.c.vectordb_namespace, {
      id, exactKey: '', vector, payload: body.content, metadata: isObject(body.metadata) ? body.metadata : null,
      createdAt: env.deps.now(), expiresAt: Number.POSITIVE_INFINITY,
    });
    return { status: 200, body: { metadata: { chunk_id: id, ingest_duration: Math.round(performance.now() - t0), embeddings_tokens_count: body.content.split(/\s+/).filter(Boolean).length } } };
  }
  if (action === 'lookup_chunks') {
    if (typeof body.prompt !== 'string' || body.prompt.trim() === '') return { status: 400, body: { message: "'prompt' is required" } };
    const chunks = await nearest(env, body.prompt, requestId, null);
    const metadata = { chunk_ids: chunks.map((x) => x.id) };
    return { status: 200, body: body.exclude_contents === true ? { metadata } : { contents: chunks.map((x) => x.content), metadata } };
  }
  return undefined;
}

export const aiRagInjector: KongPlugin<'ai-rag-injector'> = {
  name: 'ai-rag-injector',
  create(c: Config, deps) {
    const store = deps.store.get('chunks', () => openVectorStore(c.vectordb, {
      plugin: 'ai-rag-injector', namespace: deps.pluginId, logger: deps.logger, now: deps.now, maxEntries: 100_000, whenFull: 'refuse',
    }), (s) => s.close());
    const env: Env = { c, deps, store, embedder: createEmbedder(c.embeddings, c.vectordb.dimensions, deps.llm) };
    return {
      access: (ctx) => inject(env, ctx),
      admin: (action, body) => admin(env, action, body),
      log(ctx, record) {
        const o = ctx.get(OUTCOME);
        if (o) aiLog(record)['rag-injector'] = o;
      },
    };
  },
};
