/**
 * Hugging Face Inference API: chat on the OpenAI-compatible `/models/{m}/v1/chat/completions`,
 * completions on the text-generation task, embeddings on the feature-extraction pipeline.
 */
import { embeddingList } from '../llm/wire/chunks.js';
import { TranslationError, transformationFailed } from '../llm/wire/errors.js';
import { asArray, isObject, type JsonObject } from '../llm/wire/openai-types.js';
import { modelPath, resolveEndpoint } from './endpoint.js';
import { openAICompatible, openAIResponse } from './openai-compatible.js';
import { applyStaticAuth } from './request-auth.js';
import { selectVariant } from './select.js';
import { tgiFormat } from './tgi.js';
import type { Provider, ProviderContext } from './types.js';

const NAME = 'huggingface';
const BASE = 'https://api-inference.huggingface.co';

function hfOptions(ctx: ProviderContext): JsonObject {
  const o = ctx.options.huggingface;
  const out: JsonObject = {};
  if (o?.use_cache !== undefined) out.use_cache = o.use_cache;
  if (o?.wait_for_model !== undefined) out.wait_for_model = o.wait_for_model;
  return Object.keys(out).length > 0 ? { options: out } : {};
}

/** `{"error": …}` in a 200 body → Kong's `API error: …`. */
function rejectApiError(body: unknown): void {
  if (isObject(body) && body.error !== undefined && !Array.isArray(body.choices)) {
    throw new TranslationError(`API error: ${typeof body.error === 'string' ? body.error : JSON.stringify(body.error)}`, 500);
  }
}

const chatBase = openAICompatible({
  name: NAME, routeTypes: ['llm/v1/chat'],
  streamUsage: false, // not every TGI version accepts stream_options; usage is estimated
  url: (ctx) => `${BASE}/models/${modelPath(ctx.model)}/v1/chat/completions`,
});
const chat: Provider = {
  ...chatBase,
  fromUpstream: (ctx, _status, body) => {
    rejectApiError(body);
    return openAIResponse(NAME, ctx.routeType, body);
  },
};

const completions = tgiFormat({
  name: NAME, routeTypes: ['llm/v1/completions'],
  url: (ctx) => `${BASE}/models/${modelPath(ctx.model)}`,
  inputs: (_ctx, req) => (Array.isArray(req.prompt) ? req.prompt.join('\n') : req.prompt ?? ''),
  output: (text) => text,
  extra: hfOptions,
});

/** Mean-pools token-level vectors (`number[][]` per input) into one vector. */
function pool(v: unknown): number[] {
  const rows = asArray(v);
  if (rows.every((n) => typeof n === 'number')) return rows.filter((n): n is number => typeof n === 'number');
  const vectors = rows.map((r) => asArray(r).filter((n): n is number => typeof n === 'number'));
  const width = vectors[0]?.length ?? 0;
  return Array.from({ length: width }, (_, i) => vectors.reduce((s, r) => s + (r[i] ?? 0), 0) / vectors.length);
}

const embeddings: Provider = {
  name: NAME,
  capabilities: { routeTypes: ['llm/v1/embeddings'], streaming: false, usageInStream: false },
  endpoint: (ctx) => resolveEndpoint(ctx, `${BASE}/pipeline/feature-extraction/${modelPath(ctx.model)}`, NAME),
  authorize: applyStaticAuth,
  toUpstream: (ctx, req) => ({ body: { inputs: req.input ?? [], ...hfOptions(ctx) } }),
  fromUpstream: (ctx, _status, body) => {
    rejectApiError(body);
    if (!Array.isArray(body)) throw transformationFailed(NAME, ctx.routeType, 'feature-extraction response is not an array');
    const single = body.every((n) => typeof n === 'number');
    return embeddingList(ctx.model, single ? [pool(body)] : body.map(pool), 0);
  },
  framing: () => 'sse',
  streamTranslator: chatBase.streamTranslator,
};

export const huggingface = selectVariant(NAME,
  { routeTypes: ['llm/v1/chat', 'llm/v1/completions', 'llm/v1/embeddings'], streaming: true, usageInStream: false },
  (ctx) => (ctx.routeType === 'llm/v1/chat' ? chat : ctx.routeType === 'llm/v1/completions' ? completions : embeddings));
