/**
 * What the ai-proxy pipeline calls, once per request, for any provider:
 *
 *   client body ─► parseCanonicalRequest ─► mergeModelOptions ─► prepareUpstream ─► (network)
 *   200 body    ─► translateResponse  (usage filled with estimates when the upstream gave none)
 *   stream      ─► StreamSession.feed(bytes)… end()  (deframe → translate → accumulate usage)
 *
 * Non-200 upstream replies are passed through raw by the pipeline and never reach these functions.
 */
import { createDeframer, framingForContentType, type Deframer } from '../wire/framing.js';
import {
  CLIENT_STATE, type CanonicalChunk, type ChunkDelta, type CanonicalRequest, type CanonicalResponse, type ChatCompletion,
  type TextCompletion, type ToolCall, type Usage,
} from '../wire/openai-types.js';
import { chatCompletion, textCompletion, unixSeconds } from '../wire/chunks.js';
import { estimatePromptTokens, resolveUsage } from '../wire/usage.js';
import type { Provider, ProviderContext, StreamTranslator, UpstreamRequest } from '../../providers/types.js';
import { editableCopy } from '../wire/shallow-copy.js';

/** Plugin `model.options` sampling values override the client's (kong.md §0); model and stream are fixed. */
export function mergeModelOptions(ctx: ProviderContext, req: CanonicalRequest): CanonicalRequest {
  const out: CanonicalRequest = editableCopy(req);
  out.model = ctx.model;
  // named reads (one shape each), not a keyed loop: this runs on every AI request
  const o = ctx.options;
  if (o.max_tokens !== undefined) out.max_tokens = o.max_tokens;
  if (o.temperature !== undefined) out.temperature = o.temperature;
  if (o.top_p !== undefined) out.top_p = o.top_p;
  if (o.top_k !== undefined) out.top_k = o.top_k;
  if (ctx.routeType === 'llm/v1/embeddings') {
    delete out.stream;
    if (out.dimensions === undefined && ctx.options.embeddings_dimensions !== undefined) out.dimensions = ctx.options.embeddings_dimensions;
  } else out.stream = ctx.stream;
  return out;
}

/**
 * Builds the signed/authorised upstream request for an already merged canonical request: a Promise
 * only when the provider signs asynchronously (static keys cost no extra microtask); failures are
 * always a rejected Promise.
 */
export function prepareUpstream(provider: Provider, ctx: ProviderContext, req: CanonicalRequest): Promise<UpstreamRequest> | UpstreamRequest {
  try {
    // what a client format keeps beside the request (CLIENT_STATE) is never the provider's to see;
    // without it the request goes as it is (toUpstream never modifies its body: no copy)
    let plain = req;
    if (CLIENT_STATE in req) {
      plain = editableCopy(req);
      delete plain[CLIENT_STATE];
    }
    const { body, headers } = provider.toUpstream(ctx, plain);
    const base: UpstreamRequest = {
      method: 'POST',
      url: provider.endpoint(ctx),
      headers: { 'Content-Type': 'application/json', ...(headers ?? {}) },
      body,
    };
    return provider.authorize(ctx, base);
  } catch (err) {
    return Promise.reject(err);
  }
}

function responseText(resp: CanonicalResponse): string {
  if (resp.object === 'list') return '';
  if (resp.object === 'chat.completion') return resp.choices.map((c) => c.message.content ?? '').join('');
  return resp.choices.map((c) => c.text).join('');
}

/** A 200 upstream body → canonical response with usage never missing (upstream first, else estimates). */
export function translateResponse(
  provider: Provider, ctx: ProviderContext, req: CanonicalRequest, status: number, body: unknown,
): CanonicalResponse {
  const resp = provider.fromUpstream(ctx, status, body);
  if (resp.object === 'list') {
    if (resp.usage.prompt_tokens === 0) {
      const estimate = estimatePromptTokens(req, false);
      resp.usage = { prompt_tokens: estimate, total_tokens: estimate };
    }
    return resp;
  }
  // The estimates are only read when the upstream did not report prompt tokens.
  const up = resp.usage;
  resp.usage = up !== null && up.prompt_tokens > 0 ? resolveUsage(up, 0, '') : resolveUsage(up, estimatePromptTokens(req, false), responseText(resp));
  return resp;
}

interface Accumulated { id: string; model: string; text: string; finish: string | null; tools: ToolCall[] }

/** One streamed upstream reply: deframes bytes, translates events, tracks text and usage. */
export class StreamSession {
  private readonly deframer: Deframer;
  private readonly translator: StreamTranslator;
  private readonly promptEstimate: number;
  private readonly acc: Accumulated;

  /** `contentType`: the upstream reply's Content-Type, which overrides the provider's expected framing. */
  constructor(provider: Provider, private readonly ctx: ProviderContext, req: CanonicalRequest, contentType?: string) {
    this.deframer = createDeframer(framingForContentType(contentType, provider.framing(ctx)));
    this.translator = provider.streamTranslator(ctx);
    this.promptEstimate = estimatePromptTokens(req, true);
    this.acc = { id: ctx.requestId, model: ctx.model, text: '', finish: null, tools: [] };
  }

  /** Raw upstream bytes → canonical chunks. Throws StreamFramingError on corrupt framing, TranslationError on an upstream error event. */
  feed(bytes: Uint8Array): CanonicalChunk[] {
    const out: CanonicalChunk[] = [];
    for (const ev of this.deframer.feed(bytes)) out.push(...this.translator.onEvent(ev));
    return this.track(out);
  }

  end(): CanonicalChunk[] {
    const out: CanonicalChunk[] = [];
    for (const ev of this.deframer.end()) out.push(...this.translator.onEvent(ev));
    out.push(...this.translator.onEnd());
    return this.track(out);
  }

  /** Final usage: the upstream's when it reported any, else Kong's estimates. */
  usage(): Usage {
    return resolveUsage(this.translator.usage(), this.promptEstimate, this.acc.text);
  }

  /** The composite response (joined text, last finish_reason, usage) for logging and later plugins. */
  composite(): ChatCompletion | TextCompletion {
    const meta = { id: this.acc.id, model: this.acc.model, created: unixSeconds(this.ctx.now()) };
    if (this.ctx.routeType === 'llm/v1/completions') return textCompletion(meta, [this.acc.text], this.acc.finish, this.usage());
    return chatCompletion(meta, this.acc.text, this.acc.finish, this.usage(), this.acc.tools);
  }

  private track(chunks: CanonicalChunk[]): CanonicalChunk[] {
    for (const c of chunks) {
      if (c.id) this.acc.id = c.id;
      if (c.model) this.acc.model = c.model;
      for (const choice of c.choices) {
        if (choice.finish_reason) this.acc.finish = choice.finish_reason;
        if ('text' in choice) this.acc.text += choice.text;
        else this.trackDelta(choice.delta);
      }
    }
    return chunks;
  }

  private trackDelta(delta: ChunkDelta): void {
    if (typeof delta.content === 'string') this.acc.text += delta.content;
    for (const t of delta.tool_calls ?? []) {
      const slot = this.acc.tools[t.index] ?? (this.acc.tools[t.index] = { id: '', type: 'function', function: { name: '', arguments: '' } });
      if (t.id) slot.id = t.id;
      if (t.function.name) slot.function.name += t.function.name;
      if (t.function.arguments) slot.function.arguments += t.function.arguments;
    }
  }
}
