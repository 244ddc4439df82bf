/**
 * ai-semantic-cache (kong.md §1.9): answers a prompt from earlier answers to
 * prompts that mean the same. Runs after ai-proxy / ai-proxy-advanced (770), which parsed the
 * request and set the upstream handler.
 *
 *   access: Cache-Control (when `cache_control`) ─► prompt of the last `message_countback`
 *           messages ─► exact lookup (`exact_caching`) ─► embeddings ─► nearest entry within
 *           `threshold` in this consumer's scope
 *           ├─ hit  ─► reply from the cache: JSON, or an SSE stream ending in `data: [DONE]`
 *           └─ miss ─► wrap the upstream handler: a 200 answer (buffered or streamed) is stored
 *   log:    `ai.proxy.cache{…}` in the log record and the cache labels of the AI metrics
 *
 * Headers: `X-Cache-Status: Hit|Miss|Bypass|Refresh`, `X-Cache-Key` (exact key), `Age` on hits.
 * Bypass: non-OpenAI client formats, requests without a text prompt, `Cache-Control: no-store`,
 * and embeddings/store failures unless `stop_on_failure` (then 500). Entries are scoped per
 * consumer and model: a consumer never gets an answer cached for another one.
 */
import { randomUUID } from 'node:crypto';
import type { AiSemanticCacheConfig } from '../../../config/generated/plugin-configs.js';
import type { GatewayContext, HeaderMap, Reply, UpstreamResult } from '../../context.js';
import type { Logger } from '../../log.js';
import { ReplyError, type KongPlugin, type PluginDeps } from '../../plugin.js';
import { formatOf } from '../../llm/formats/index.js';
import { AI_ANALYTICS } from '../../llm/call/analytics.js';
import { parseRequestCacheControl, responseForbidsStore, type RequestCacheControl } from './cache-control.js';
import { createEmbedder, type Embedder } from '../../llm/call/embeddings.js';
import { cachePrompt, cacheScope, type CachePrompt } from './prompt.js';
import { fromBuffered, replayJson, replaySse, StreamCollector, type CachedAnswer } from './replay.js';
import { nearestOne, type VectorEntry, type VectorStore } from '../../vectordb/store.js';
import { openVectorStore } from '../../vectordb/open.js';
import { AI_CACHE, type CacheOutcome, type CacheStatus } from './outcome.js';
import { aiError, aiRequest, AI_REQUEST } from '../../llm/formats/request.js';

export { AI_CACHE, type CacheOutcome, type CacheStatus } from './outcome.js';

interface Env {
  c: AiSemanticCacheConfig;
  deps: PluginDeps;
  store: VectorStore;
  embedder: Embedder;
}

function createStore(c: AiSemanticCacheConfig, deps: PluginDeps): VectorStore {
  return openVectorStore(c.vectordb, { plugin: 'semantic-cache', namespace: deps.pluginId, logger: deps.logger, now: deps.now });
}

function outcome(env: Env, status: CacheStatus): CacheOutcome {
  return { cache_status: status, vector_db: env.store.name, embeddings_provider: env.embedder.provider, embeddings_model: env.embedder.model };
}

function mark(ctx: GatewayContext, o: CacheOutcome, key?: string): void {
  ctx.set(AI_CACHE, o);
  ctx.responseHeaders['x-cache-status'] = o.cache_status;
  if (key !== undefined) ctx.responseHeaders['x-cache-key'] = key;
}

/** A store or embeddings failure: 500 with `stop_on_failure`, else serve without the cache. */
function failed(env: Env, ctx: GatewayContext, err: unknown, o: CacheOutcome): void {
  const message = err instanceof Error ? err.message : String(err);
  if (env.c.stop_on_failure) throw aiError(500, `semantic cache failed: ${message}`);
  env.deps.logger.warn('ai-semantic-cache: cache unavailable, serving without it', { error: message, request_id: ctx.requestId });
  mark(ctx, { ...o, cache_status: 'Bypass' });
}

function hitReply(ctx: GatewayContext, entry: VectorEntry, stream: boolean, now: number): Reply | null {
  let answer: CachedAnswer;
  try {
    answer = JSON.parse(entry.payload) as CachedAnswer;
  } catch {
    return null;
  }
  const age = String(Math.max(0, Math.floor((now - entry.createdAt) / 1000)));
  const headers = { age, 'x-cache-status': 'Hit', 'x-cache-key': entry.exactKey };
  if (stream) {
    return { status: 200, body: replaySse(answer, ctx.requestId), headers: { ...headers, 'content-type': 'text/event-stream', 'cache-control': 'no-cache' } };
  }
  return { status: 200, body: replayJson(answer, ctx.requestId), headers: { ...headers, 'content-type': 'application/json' } };
}

function fresh(entry: VectorEntry | null, cc: RequestCacheControl, now: number): entry is VectorEntry {
  if (entry === null) return false;
  return cc.maxAge === null || (now - entry.createdAt) / 1000 <= cc.maxAge;
}

interface Lookup {
  prompt: CachePrompt;
  scope: string;
  stream: boolean;
  cc: RequestCacheControl;
}

/** Exact then semantic lookup; returns the reply of a hit, or the vector to store on a miss. */
async function lookup(env: Env, ctx: GatewayContext, l: Lookup, o: CacheOutcome): Promise<{ reply: Reply } | { vector: number[] }> {
  const { c, store } = env;
  const now = env.deps.now();
  if (c.exact_caching && !l.cc.noCache) {
    const t0 = performance.now();
    const exact = await store.findExact(l.scope, l.prompt.exactKey, now);
    o.fetch_latency = Math.round(performance.now() - t0);
    const reply = fresh(exact, l.cc, now) ? hitReply(ctx, exact, l.stream, now) : null;
    if (reply) return { reply };
  }
  const t1 = performance.now();
  const vector = await env.embedder.embed(l.prompt.text, { requestId: ctx.requestId });
  o.embeddings_latency = Math.round(performance.now() - t1);
  if (l.cc.noCache) return { vector };
  const t2 = performance.now();
  // an unset threshold (optional since Kong 3.13) is refused at startup: gateway/not-served.ts
  const hit = await nearestOne(store, l.scope, vector, c.vectordb.distance_metric, c.vectordb.threshold ?? 0, now);
  o.fetch_latency = (o.fetch_latency ?? 0) + Math.round(performance.now() - t2);
  const reply = hit && fresh(hit.entry, l.cc, now) ? hitReply(ctx, hit.entry, l.stream, now) : null;
  return reply ? { reply } : { vector };
}

function header(h: HeaderMap, name: string): string | undefined {
  const v = h[name];
  return Array.isArray(v) ? v[0] : v;
}

function save(env: Env, scope: string, prompt: CachePrompt, vector: number[], answer: CachedAnswer | null): void {
  if (answer === null) return;
  const now = env.deps.now();
  const entry: VectorEntry = {
    id: randomUUID(), exactKey: prompt.exactKey, vector, payload: JSON.stringify(answer),
    createdAt: now, expiresAt: now + env.c.cache_ttl * 1000,
  };
  env.store.put(scope, entry).catch((err: unknown) => warnStore(env.deps.logger, err));
}

function warnStore(logger: Logger, err: unknown): void {
  logger.warn('ai-semantic-cache: could not store the answer', { error: err instanceof Error ? err.message : String(err) });
}

async function* collecting(chunks: AsyncIterable<Buffer | string>, onEnd: (c: StreamCollector) => void): AsyncGenerator<Buffer | string> {
  const collector = new StreamCollector();
  for await (const chunk of chunks) {
    collector.feed(chunk);
    yield chunk;
  }
  onEnd(collector);
}

/** Wraps the upstream handler so a 200 answer is stored once complete. */
function storeOnMiss(env: Env, ctx: GatewayContext, scope: string, prompt: CachePrompt, vector: number[]): void {
  const inner = ctx.upstreamHandler;
  if (!inner) return;
  ctx.upstreamHandler = async (x): Promise<UpstreamResult> => {
    const r = await inner(x);
    if (r.status !== 200) return r;
    if (env.c.cache_control && responseForbidsStore(header(r.headers, 'cache-control'))) return r;
    if (r.kind === 'buffered') {
      save(env, scope, prompt, vector, fromBuffered(r.body));
      return r;
    }
    return { ...r, chunks: collecting(r.chunks, (c) => save(env, scope, prompt, vector, c.result())) };
  };
}

/**
 * A hit is answered in place of the LLM call (not as an access-phase reply), so the response and
 * chunk phases still run on it: the sanitizer restores its placeholders in cached answers too, and
 * cached answers never hold the values it redacted.
 */
function replayed(reply: Reply): UpstreamResult {
  const body = Buffer.isBuffer(reply.body) ? reply.body : Buffer.from(reply.body ?? '');
  const headers: HeaderMap = { ...(reply.headers ?? {}) };
  if (headers['content-type'] === 'text/event-stream') {
    return { kind: 'stream', status: reply.status, headers, chunks: (async function* () { yield body; })() };
  }
  return { kind: 'buffered', status: reply.status, headers, body };
}

async function access(env: Env, ctx: GatewayContext): Promise<Reply | undefined> {
  const o = outcome(env, 'Bypass');
  if (!ctx.upstreamHandler) return void mark(ctx, o);
  const ai = ctx.get(AI_REQUEST) ?? (await aiRequest(ctx, { maxBodySize: 8192, llmFormat: env.c.llm_format }));
  const cc = env.c.cache_control ? parseRequestCacheControl(ctx.header('cache-control'), ctx.header('pragma')) : { noStore: false, noCache: false, maxAge: null };
  const prompt = formatOf(ai.inputFormat).identity && !cc.noStore
    ? cachePrompt(ai.body, {
      messageCountback: env.c.message_countback, ignoreSystem: env.c.ignore_system_prompts,
      ignoreAssistant: env.c.ignore_assistant_prompts, ignoreTool: env.c.ignore_tool_prompts,
    })
    : null;
  if (prompt === null) return void mark(ctx, o);
  const scope = cacheScope(ctx.consumer?.id ?? null, typeof ai.body.model === 'string' ? ai.body.model : undefined);
  let found;
  try {
    found = await lookup(env, ctx, { prompt, scope, stream: ai.body.stream === true, cc }, o);
  } catch (err) {
    if (err instanceof ReplyError) throw err;
    return void failed(env, ctx, err, o);
  }
  if ('reply' in found) {
    ctx.set(AI_CACHE, { ...o, cache_status: 'Hit' });
    ctx.upstreamHandler = async () => replayed(found.reply);
    return undefined;
  }
  mark(ctx, { ...o, cache_status: cc.noCache ? 'Refresh' : 'Miss' }, prompt.exactKey);
  storeOnMiss(env, ctx, scope, prompt, found.vector);
  return undefined;
}

export const aiSemanticCache: KongPlugin<'ai-semantic-cache'> = {
  name: 'ai-semantic-cache',
  create(c, deps) {
    const store = deps.store.get<VectorStore>('vectors', () => createStore(c, deps), (s) => s.close());
    const env: Env = { c, deps, store, embedder: createEmbedder(c.embeddings, c.vectordb.dimensions, deps.llm) };
    return {
      access: (ctx) => access(env, ctx),
      log(ctx, record) {
        const o = ctx.get(AI_CACHE);
        if (!o) return;
        const a = ctx.get(AI_ANALYTICS);
        if (a) a.cache = { cache_status: o.cache_status, vector_db: o.vector_db, embeddings_provider: o.embeddings_provider, embeddings_model: o.embeddings_model };
        const ai = record.ai ?? (record.ai = {});
        const prev = ai.proxy;
        ai.proxy = { ...(prev !== null && typeof prev === 'object' ? prev : {}), cache: { ...o } };
      },
    };
  },
};
