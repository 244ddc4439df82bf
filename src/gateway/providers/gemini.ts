/**
 * Google Gemini: the Generative Language API (`generativelanguage.googleapis.com`, key auth) or
 * Vertex AI (`gemini.{api_endpoint,project_id,location_id}`, GCP service-account bearer token).
 * Streams are a JSON array written incrementally (`:streamGenerateContent` without `alt=sse`).
 */
import { chatChunk, chatCompletion, embeddingList, unixSeconds, usageChunk, type ChunkMeta } from '../llm/wire/chunks.js';
import { TranslationError, transformationFailed } from '../llm/wire/errors.js';
import { eventJson } from '../llm/wire/framing.js';
import {
  asArray, parseToolArguments, asNumber, asObject, asString, isObject, stopList, zeroUsage,
  type CanonicalChunk, type CanonicalRequest, type ChatMessage, type ContentPart, type JsonObject, type ToolCall, type Usage,
} from '../llm/wire/openai-types.js';
import { makeUsage } from '../llm/wire/usage.js';
import { pathSegment, resolveEndpoint } from './endpoint.js';
import { applyStaticAuth } from './request-auth.js';
import type { Provider, ProviderContext, StreamTranslator, UpstreamRequest } from './types.js';

const NAME = 'gemini';
export const NO_CANDIDATES = 'no generation candidates received from Gemini, or max_tokens too short';

function operation(ctx: ProviderContext): string {
  if (ctx.routeType === 'llm/v1/embeddings') return ctx.options.gemini?.api_endpoint ? 'predict' : 'batchEmbedContents';
  return ctx.stream ? 'streamGenerateContent' : 'generateContent';
}

function defaultUrl(ctx: ProviderContext): string {
  const g = ctx.options.gemini;
  const model = pathSegment(ctx.model);
  if (g?.api_endpoint && g.project_id && g.location_id) {
    return `https://${g.api_endpoint}/v1/projects/${g.project_id}/locations/${g.location_id}/publishers/google/models/${model}:${operation(ctx)}`;
  }
  return `https://generativelanguage.googleapis.com/v1beta/models/${model}:${operation(ctx)}`;
}

function part(p: ContentPart): JsonObject {
  if (p.type === 'text') return { text: p.text };
  const m = /^data:([^;,]+);base64,(.*)$/s.exec(p.image_url.url);
  if (m) return { inlineData: { mimeType: m[1], data: m[2] } };
  return { fileData: { fileUri: p.image_url.url, mimeType: 'image/generic' } };
}

function parts(content: ChatMessage['content']): JsonObject[] {
  if (content === null || content === '') return [];
  return typeof content === 'string' ? [{ text: content }] : content.map(part);
}

/** OpenAI messages → Gemini `contents` + `systemInstruction`. Tool results are named via the call they answer. */
export function toGeminiContents(messages: ChatMessage[]): { contents: JsonObject[]; system: string[] } {
  const system: string[] = [];
  const contents: { role: string; parts: JsonObject[] }[] = [];
  const callNames = new Map<string, string>();
  for (const m of messages) {
    let role = 'user';
    let ps: JsonObject[];
    if (m.role === 'system' || m.role === 'developer') {
      system.push(typeof m.content === 'string' ? m.content : (m.content ?? []).map((p) => (p.type === 'text' ? p.text : '')).join(''));
      continue;
    } else if (m.role === 'assistant') {
      role = 'model';
      ps = parts(m.content);
      for (const t of m.tool_calls ?? []) {
        callNames.set(t.id, t.function.name);
        ps.push({ functionCall: { name: t.function.name, args: parseToolArguments(t.function.arguments) } });
      }
    } else if (m.role === 'tool') {
      const name = callNames.get(m.tool_call_id ?? '') ?? m.name ?? '';
      ps = [{ functionResponse: { name, response: { content: typeof m.content === 'string' ? m.content : parts(m.content) } } }];
    } else ps = parts(m.content);
    const last = contents[contents.length - 1];
    if (last !== undefined && last.role === role) last.parts.push(...ps);
    else contents.push({ role, parts: ps });
  }
  return { contents, system };
}

function toolConfig(choice: CanonicalRequest['tool_choice']): JsonObject | undefined {
  if (choice === undefined) return undefined;
  if (choice === 'auto') return { functionCallingConfig: { mode: 'AUTO' } };
  if (choice === 'none') return { functionCallingConfig: { mode: 'NONE' } };
  if (choice === 'required') return { functionCallingConfig: { mode: 'ANY' } };
  return { functionCallingConfig: { mode: 'ANY', allowedFunctionNames: [choice.function.name] } };
}

function chatBody(ctx: ProviderContext, req: CanonicalRequest): JsonObject {
  const { contents, system } = toGeminiContents(req.messages ?? []);
  if (system.length > 0 && ctx.model.startsWith('gemini-1.0')) {
    throw new TranslationError('system prompts aren\'t supported on gemini-1.0 models', 400);
  }
  const body: JsonObject = { contents };
  if (system.length > 0) body.systemInstruction = { parts: [{ text: system.join('\n') }] };
  const gen: JsonObject = {};
  if (req.max_tokens !== undefined) gen.maxOutputTokens = req.max_tokens;
  const stop = stopList(req.stop);
  if (stop !== undefined) gen.stopSequences = stop;
  if (req.temperature !== undefined) gen.temperature = req.temperature;
  if (req.top_k !== undefined) gen.topK = req.top_k;
  if (req.top_p !== undefined) gen.topP = req.top_p;
  if (Object.keys(gen).length > 0) body.generationConfig = gen;
  if (req.tools !== undefined && req.tools.length > 0) {
    body.tools = [{ function_declarations: req.tools.map((t) => ({ ...t.function })) }];
    const tc = toolConfig(req.tool_choice);
    if (tc !== undefined) body.toolConfig = tc;
  }
  return body;
}

function embeddingsBody(ctx: ProviderContext, req: CanonicalRequest): JsonObject {
  const inputs = typeof req.input === 'string' ? [req.input] : req.input ?? [];
  if (ctx.options.gemini?.api_endpoint) return { instances: inputs.map((content) => ({ content })) };
  return { requests: inputs.map((text) => ({ model: `models/${ctx.model}`, content: { parts: [{ text }] } })) };
}

/** Gemini `finishReason` → OpenAI; STOP with function calls becomes `tool_calls`. */
export function mapGeminiFinish(reason: unknown, hasTools: boolean): string | null {
  if (typeof reason !== 'string') return null;
  switch (reason) {
    case 'STOP': return hasTools ? 'tool_calls' : 'stop';
    case 'MAX_TOKENS': return 'length';
    case 'SAFETY': case 'RECITATION': case 'BLOCKLIST': case 'PROHIBITED_CONTENT': case 'SPII': return 'content_filter';
    default: return reason.toLowerCase();
  }
}

function candidateParts(body: JsonObject): { text: string | null; tools: ToolCall[]; finish: unknown } | null {
  const cand = asArray(body.candidates).find(isObject);
  if (cand === undefined) return null;
  const texts: string[] = [];
  const tools: ToolCall[] = [];
  for (const p of asArray(asObject(cand.content).parts).filter(isObject)) {
    if (typeof p.text === 'string' && p.thought !== true) texts.push(p.text);
    if (isObject(p.functionCall)) {
      tools.push({ id: `call_${tools.length}`, type: 'function', function: { name: asString(p.functionCall.name) ?? '', arguments: JSON.stringify(p.functionCall.args ?? {}) } });
    }
  }
  return { text: texts.length > 0 ? texts.join('') : null, tools, finish: cand.finishReason };
}

/**
 * Gemini's `usageMetadata` as OpenAI's usage. `candidatesTokenCount` leaves the thinking of 2.5+
 * models out (`thoughtsTokenCount`, billed as output tokens), so completion tokens are both, and
 * the thinking is also `completion_tokens_details.reasoning_tokens`: OpenAI's own reasoning
 * accounting, which Google's OpenAI-compatible endpoint reports too. `cachedContentTokenCount` (a
 * part of `promptTokenCount`) is `prompt_tokens_details.cached_tokens`, priced as cache reads.
 * `totalTokenCount` is kept as reported. Kong maps the candidates only (providers/DIFFERENCES.md):
 * token budgets counting completion tokens, and cost, would miss the thinking.
 */
function geminiUsage(u: unknown): Usage {
  const o = asObject(u);
  const p = asNumber(o.promptTokenCount);
  const c = asNumber(o.candidatesTokenCount);
  const thoughts = asNumber(o.thoughtsTokenCount);
  if (p === undefined && c === undefined && thoughts === undefined) return zeroUsage();
  const usage = makeUsage(p ?? 0, (c ?? 0) + (thoughts ?? 0), asNumber(o.totalTokenCount));
  const cached = asNumber(o.cachedContentTokenCount);
  if (cached !== undefined && cached > 0) usage.prompt_tokens_details = { cached_tokens: cached };
  if (thoughts !== undefined) usage.completion_tokens_details = { reasoning_tokens: thoughts };
  return usage;
}

function embeddingsFromUpstream(ctx: ProviderContext, body: JsonObject) {
  if (Array.isArray(body.predictions)) {
    let tokens = 0;
    const vectors = body.predictions.map((p) => {
      const e = asObject(asObject(p).embeddings);
      tokens += asNumber(asObject(e.statistics).token_count) ?? 0;
      return asArray(e.values).filter((n): n is number => typeof n === 'number');
    });
    return embeddingList(ctx.model, vectors, tokens);
  }
  const list = Array.isArray(body.embeddings) ? body.embeddings : isObject(body.embedding) ? [body.embedding] : null;
  if (list === null) throw transformationFailed(NAME, ctx.routeType, `'embeddings' not in ${ctx.routeType} response`);
  return embeddingList(ctx.model, list.map((e) => asArray(asObject(e).values).filter((n): n is number => typeof n === 'number')), 0);
}

function fromUpstream(ctx: ProviderContext, _status: number, body: unknown) {
  if (!isObject(body)) throw transformationFailed(NAME, ctx.routeType, 'response is not a JSON object');
  if (ctx.routeType === 'llm/v1/embeddings') return embeddingsFromUpstream(ctx, body);
  const c = candidateParts(body);
  if (c === null) throw new TranslationError(NO_CANDIDATES, 500);
  const meta: ChunkMeta = { id: asString(body.responseId) ?? ctx.requestId, model: asString(body.modelVersion) ?? ctx.model, created: unixSeconds(ctx.now()) };
  return chatCompletion(meta, c.text, mapGeminiFinish(c.finish, c.tools.length > 0), geminiUsage(body.usageMetadata), c.tools);
}

/** Each array element → one chunk; usage is overwritten by every element that carries it. */
export function geminiStreamTranslator(ctx: ProviderContext): StreamTranslator {
  const meta: ChunkMeta = { id: ctx.requestId, model: ctx.model, created: unixSeconds(ctx.now()) };
  let usage: Usage | null = null;
  let toolIndex = 0;
  let started = false;
  return {
    onEvent(ev) {
      const body = asObject(eventJson(ev));
      if (body.usageMetadata !== undefined) usage = geminiUsage(body.usageMetadata);
      const c = candidateParts(body);
      if (c === null) return [];
      meta.model = asString(body.modelVersion) ?? meta.model;
      const out: CanonicalChunk[] = [];
      const delta = started ? {} : { role: 'assistant' as const };
      started = true;
      const tool_calls = c.tools.map((t) => ({ index: toolIndex++, id: `call_${toolIndex - 1}`, type: 'function' as const, function: t.function }));
      out.push(chatChunk(meta, { ...delta, content: c.text ?? '', ...(tool_calls.length > 0 ? { tool_calls } : {}) },
        mapGeminiFinish(c.finish, toolIndex > 0)));
      return out;
    },
    onEnd: () => (usage === null ? [] : [usageChunk(meta, usage, true)]),
    usage: () => usage,
  };
}

async function authorize(ctx: ProviderContext, req: UpstreamRequest): Promise<UpstreamRequest> {
  const withStatic = applyStaticAuth(ctx, req);
  if (!ctx.auth.gcp_use_service_account) return withStatic;
  const json = ctx.auth.gcp_service_account_json ?? ctx.env.GCP_SERVICE_ACCOUNT;
  if (!json || ctx.gcpAccessToken === undefined) throw new TranslationError('LLM request failed before proxying', 500);
  let token: string;
  try {
    token = await ctx.gcpAccessToken(json);
  } catch {
    throw new TranslationError('LLM request failed before proxying', 500);
  }
  return { ...withStatic, headers: { ...withStatic.headers, Authorization: `Bearer ${token}` } };
}

export const gemini: Provider = {
  name: NAME,
  capabilities: { routeTypes: ['llm/v1/chat', 'llm/v1/embeddings'], streaming: true, usageInStream: true },
  endpoint: (ctx) => resolveEndpoint(ctx, defaultUrl(ctx), NAME),
  authorize,
  toUpstream: (ctx, req) => ({
    body: ctx.routeType === 'llm/v1/embeddings' ? embeddingsBody(ctx, req) : chatBody(ctx, req),
    headers: { 'Accept-Encoding': 'identity' },
  }),
  fromUpstream,
  framing: () => 'json-array',
  streamTranslator: geminiStreamTranslator,
};
