/**
 * AWS Bedrock: chat on the Converse API (`/model/{m}/converse`, `converse-stream` framed as AWS
 * event-stream), embeddings on Titan (`/model/{m}/invoke`). Requests are SigV4-signed with
 * credentials from `auth.aws_*` or the AWS environment variables.
 */
import { signV4 } from '../llm/wire/aws-sigv4.js';
import { chatChunk, chatCompletion, embeddingList, unixSeconds, usageChunk, type ChunkMeta } from '../llm/wire/chunks.js';
import { TranslationError, transformationFailed } from '../llm/wire/errors.js';
import { eventJson } from '../llm/wire/framing.js';
import {
  parseToolArguments, asNumber, asObject, asString, isObject, stopList, zeroUsage,
  type CanonicalChunk, type CanonicalRequest, type ChatMessage, type ContentPart, type JsonObject, type ToolCall, type Usage,
} from '../llm/wire/openai-types.js';
import { makeUsage, parseOpenAIUsage } from '../llm/wire/usage.js';
import { pathSegment, resolveEndpoint } from './endpoint.js';
import type { Provider, ProviderContext, StreamTranslator, UpstreamRequest } from './types.js';

const NAME = 'bedrock';

export function bedrockRegion(ctx: ProviderContext): string {
  const region = ctx.options.bedrock?.aws_region ?? ctx.env.AWS_REGION ?? ctx.env.AWS_DEFAULT_REGION;
  if (!region) throw new TranslationError('AWS region not specified anywhere', 500);
  return region;
}

function defaultUrl(ctx: ProviderContext): string {
  const op = ctx.routeType === 'llm/v1/embeddings' ? 'invoke' : ctx.stream ? 'converse-stream' : 'converse';
  return `https://bedrock-runtime.${bedrockRegion(ctx)}.amazonaws.com/model/${pathSegment(ctx.model)}/${op}`;
}

function block(p: ContentPart): JsonObject {
  if (p.type === 'text') return { text: p.text };
  const m = /^data:image\/([^;,]+);base64,(.*)$/s.exec(p.image_url.url);
  if (!m) throw new TranslationError('bedrock only accepts images as base64 data URLs', 400);
  return { image: { format: m[1] === 'jpg' ? 'jpeg' : m[1], source: { bytes: m[2] } } };
}

function blocks(content: ChatMessage['content']): JsonObject[] {
  if (content === null || content === '') return [];
  return typeof content === 'string' ? [{ text: content }] : content.map(block);
}

function toolResultContent(content: ChatMessage['content']): JsonObject[] {
  if (typeof content !== 'string') return blocks(content);
  // a JSON object goes as `json`; anything else (plain text such as "10:00") as text, never lost
  let parsed: unknown;
  try {
    parsed = JSON.parse(content);
  } catch {
    parsed = undefined;
  }
  return isObject(parsed) ? [{ json: parsed }] : [{ text: content }];
}

/** OpenAI messages → Converse `system` + `messages` (same-role turns merged, as Converse requires). */
export function toConverseMessages(messages: ChatMessage[]): { system: JsonObject[]; messages: JsonObject[] } {
  const system: JsonObject[] = [];
  const out: { role: string; content: JsonObject[] }[] = [];
  for (const m of messages) {
    let role = 'user';
    let content: JsonObject[];
    if (m.role === 'system' || m.role === 'developer') {
      system.push(...blocks(m.content));
      continue;
    } else if (m.role === 'assistant') {
      role = 'assistant';
      content = blocks(m.content);
      for (const t of m.tool_calls ?? []) content.push({ toolUse: { toolUseId: t.id, name: t.function.name, input: parseToolArguments(t.function.arguments) } });
    } else if (m.role === 'tool') {
      content = [{ toolResult: { toolUseId: m.tool_call_id ?? '', content: toolResultContent(m.content), status: 'success' } }];
    } else content = blocks(m.content);
    const last = out[out.length - 1];
    if (last !== undefined && last.role === role) last.content.push(...content);
    else out.push({ role, content });
  }
  return { system, messages: out };
}

function toolChoice(choice: CanonicalRequest['tool_choice']): JsonObject | undefined {
  if (choice === 'auto') return { auto: {} };
  if (choice === 'required') return { any: {} };
  if (choice !== undefined && choice !== 'none') return { tool: { name: choice.function.name } };
  return undefined;
}

function chatBody(req: CanonicalRequest): JsonObject {
  const { system, messages } = toConverseMessages(req.messages ?? []);
  const body: JsonObject = { messages };
  if (system.length > 0) body.system = system;
  const inf: JsonObject = {};
  if (req.max_tokens !== undefined) inf.maxTokens = req.max_tokens;
  const stop = stopList(req.stop);
  if (stop !== undefined) inf.stopSequences = stop;
  if (req.temperature !== undefined) inf.temperature = req.temperature;
  if (req.top_p !== undefined) inf.topP = req.top_p;
  if (Object.keys(inf).length > 0) body.inferenceConfig = inf;
  const extra: JsonObject = { ...asObject(req.additionalModelRequestFields) };
  if (req.top_k !== undefined) extra.top_k = req.top_k;
  if (Object.keys(extra).length > 0) body.additionalModelRequestFields = extra;
  if (isObject(req.guardrailConfig)) body.guardrailConfig = req.guardrailConfig;
  if (req.tools !== undefined && req.tools.length > 0 && req.tool_choice !== 'none') {
    const tools = req.tools.map((t) => ({
      toolSpec: { name: t.function.name, ...(t.function.description ? { description: t.function.description } : {}), inputSchema: { json: t.function.parameters ?? { type: 'object', properties: {} } } },
    }));
    const choice = toolChoice(req.tool_choice);
    body.toolConfig = choice === undefined ? { tools } : { tools, toolChoice: choice };
  }
  return body;
}

function embeddingsBody(req: CanonicalRequest): JsonObject {
  const inputs = typeof req.input === 'string' ? [req.input] : req.input ?? [];
  if (inputs.length !== 1) throw new TranslationError('bedrock embeddings accept exactly one input per request', 400);
  const body: JsonObject = { inputText: inputs[0] };
  if (typeof req.dimensions === 'number') body.dimensions = req.dimensions;
  return body;
}

/** Converse `stopReason` → OpenAI `finish_reason` (kong.md §2.3). */
export function mapBedrockStop(reason: unknown): string {
  switch (reason) {
    case 'max_tokens': return 'length';
    case 'tool_use': return 'tool_calls';
    case 'guardrail_intervened': return 'guardrail_intervened';
    case 'content_filtered': return 'content_filter';
    default: return 'stop';
  }
}

function converseUsage(u: unknown): Usage {
  const o = asObject(u);
  const i = asNumber(o.inputTokens);
  const c = asNumber(o.outputTokens);
  if (i === undefined && c === undefined) return parseOpenAIUsage(u) ?? zeroUsage();
  return makeUsage(i ?? 0, c ?? 0, asNumber(o.totalTokens));
}

function fromUpstream(ctx: ProviderContext, _status: number, body: unknown) {
  const rt = ctx.routeType;
  if (!isObject(body)) throw transformationFailed(NAME, rt, 'response is not a JSON object');
  if (rt === 'llm/v1/embeddings') {
    if (!Array.isArray(body.embedding)) throw transformationFailed(NAME, rt, `'embedding' not in ${rt} response`);
    return embeddingList(ctx.model, [body.embedding.filter((n): n is number => typeof n === 'number')], asNumber(body.inputTextTokenCount) ?? 0);
  }
  const message = asObject(asObject(body.output).message);
  if (!Array.isArray(message.content)) throw transformationFailed(NAME, rt, `'output.message.content' not in ${rt} response`);
  const texts: string[] = [];
  const tools: ToolCall[] = [];
  for (const b of message.content.filter(isObject)) {
    if (typeof b.text === 'string') texts.push(b.text);
    if (isObject(b.toolUse)) {
      tools.push({ id: asString(b.toolUse.toolUseId) ?? '', type: 'function', function: { name: asString(b.toolUse.name) ?? '', arguments: JSON.stringify(b.toolUse.input ?? {}) } });
    }
  }
  const meta: ChunkMeta = { id: ctx.requestId, model: ctx.model, created: unixSeconds(ctx.now()) };
  const resp = chatCompletion(meta, texts.length > 0 ? texts.join('\n') : null, mapBedrockStop(body.stopReason), converseUsage(body.usage), tools);
  if (body.trace !== undefined) resp.trace = body.trace;
  return resp;
}

/** `converse-stream` events (`:event-type` header) → canonical chunks. */
export function bedrockStreamTranslator(ctx: ProviderContext): StreamTranslator {
  const meta: ChunkMeta = { id: ctx.requestId, model: ctx.model, created: unixSeconds(ctx.now()) };
  let usage: Usage | null = null;
  const toolIndex = new Map<number, number>();
  return {
    onEvent(ev): CanonicalChunk[] {
      if (ev.kind !== 'aws') return [];
      const type = ev.headers[':event-type'];
      if (ev.headers[':message-type'] === 'exception') {
        throw new TranslationError(`bedrock stream error: ${String(ev.headers[':exception-type'] ?? '')} ${ev.payload.toString('utf8')}`.trim(), 500);
      }
      const e = asObject(eventJson(ev));
      const blockIdx = asNumber(e.contentBlockIndex) ?? 0;
      switch (type) {
        case 'messageStart': return [chatChunk(meta, { role: 'assistant', content: '' })];
        case 'contentBlockStart': {
          const tu = asObject(asObject(e.start).toolUse);
          if (tu.toolUseId === undefined) return [];
          const index = toolIndex.size;
          toolIndex.set(blockIdx, index);
          return [chatChunk(meta, { tool_calls: [{ index, id: asString(tu.toolUseId) ?? '', type: 'function', function: { name: asString(tu.name) ?? '', arguments: '' } }] })];
        }
        case 'contentBlockDelta': {
          const d = asObject(e.delta);
          if (typeof d.text === 'string') return [chatChunk(meta, { content: d.text })];
          const input = asString(asObject(d.toolUse).input);
          if (input === undefined || input === '') return [];
          return [chatChunk(meta, { tool_calls: [{ index: toolIndex.get(blockIdx) ?? 0, function: { arguments: input } }] })];
        }
        case 'messageStop': return [chatChunk(meta, {}, mapBedrockStop(e.stopReason))];
        case 'metadata':
          usage = converseUsage(e.usage);
          return [usageChunk(meta, usage, true)];
        default: return [];
      }
    },
    onEnd: () => [],
    usage: () => usage,
  };
}

function authorize(ctx: ProviderContext, req: UpstreamRequest): UpstreamRequest {
  const accessKeyId = ctx.auth.aws_access_key_id ?? ctx.env.AWS_ACCESS_KEY_ID;
  const secretAccessKey = ctx.auth.aws_secret_access_key ?? ctx.env.AWS_SECRET_ACCESS_KEY;
  if (!accessKeyId || !secretAccessKey) throw new TranslationError('LLM request failed before proxying', 500);
  const sessionToken = ctx.auth.aws_access_key_id ? undefined : ctx.env.AWS_SESSION_TOKEN;
  const body = typeof req.body === 'string' ? req.body : JSON.stringify(req.body);
  const signed = signV4({
    method: req.method, url: req.url, headers: { 'Content-Type': req.headers['Content-Type'] ?? 'application/json' }, body,
    region: bedrockRegion(ctx), service: 'bedrock', credentials: { accessKeyId, secretAccessKey, ...(sessionToken ? { sessionToken } : {}) }, now: ctx.now(),
  });
  return { ...req, body, headers: { ...req.headers, ...signed } };
}

export const bedrock: Provider = {
  name: NAME,
  capabilities: { routeTypes: ['llm/v1/chat', 'llm/v1/embeddings'], streaming: true, usageInStream: true },
  endpoint: (ctx) => resolveEndpoint(ctx, ctx.options.upstream_url ? null : defaultUrl(ctx), NAME),
  authorize,
  toUpstream: (ctx, req) => ({
    body: ctx.routeType === 'llm/v1/embeddings' ? embeddingsBody(req) : chatBody(req),
    headers: { 'Accept-Encoding': 'gzip, identity' },
  }),
  fromUpstream,
  framing: () => 'aws-eventstream',
  streamTranslator: bedrockStreamTranslator,
};
