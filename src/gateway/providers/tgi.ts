/**
 * Text-generation-inference style codec (`{inputs, parameters}` → `[{generated_text}]`, SSE stream of
 * `{token:{text}}`), used by llama2 `raw` format and huggingface completions.
 */
import { chatChunk, chatCompletion, textChunk, textCompletion, unixSeconds, type ChunkMeta } from '../llm/wire/chunks.js';
import { TranslationError, transformationFailed } from '../llm/wire/errors.js';
import { eventJson } from '../llm/wire/framing.js';
import { asObject, contentText, asString, isObject, stopList, zeroUsage, type CanonicalRequest, type JsonObject } from '../llm/wire/openai-types.js';
import { resolveEndpoint } from './endpoint.js';
import { applyStaticAuth } from './request-auth.js';
import type { Provider, ProviderContext, RouteType } from './types.js';

export interface TgiSpec {
  name: string;
  routeTypes: readonly RouteType[];
  url(ctx: ProviderContext): string | null;
  /** The `inputs` string for a request. */
  inputs(ctx: ProviderContext, req: CanonicalRequest): string;
  /** Post-processes `generated_text` (llama2 raw strips the echoed prompt). */
  output(text: string): string;
  /** Extra top-level body fields (huggingface `options`). */
  extra?(ctx: ProviderContext): JsonObject;
}

/** TGI `details.finish_reason` → OpenAI. */
export function mapTgiFinish(reason: unknown): string {
  return reason === 'length' ? 'length' : 'stop';
}

function body(spec: TgiSpec, ctx: ProviderContext, req: CanonicalRequest): JsonObject {
  const parameters: JsonObject = {};
  if (req.max_tokens !== undefined) parameters.max_new_tokens = req.max_tokens;
  for (const k of ['temperature', 'top_p', 'top_k'] as const) if (req[k] !== undefined) parameters[k] = req[k];
  const stop = stopList(req.stop);
  if (stop !== undefined) parameters.stop = stop;
  parameters.return_full_text = false;
  return { inputs: spec.inputs(ctx, req), parameters, stream: ctx.stream, ...(spec.extra?.(ctx) ?? {}) };
}

/** `[{generated_text}]`, `{data:[{generated_text}]}` or `{generated_text}` → the text. */
export function generatedText(name: string, ctx: ProviderContext, raw: unknown): string {
  if (isObject(raw) && raw.error !== undefined) {
    throw new TranslationError(`API error: ${typeof raw.error === 'string' ? raw.error : JSON.stringify(raw.error)}`, 500);
  }
  const list = Array.isArray(raw) ? raw : isObject(raw) && Array.isArray(raw.data) ? raw.data : [raw];
  const text = asString(asObject(list[0]).generated_text);
  if (text === undefined) throw transformationFailed(name, ctx.routeType, `'generated_text' not in ${ctx.routeType} response`);
  return text;
}

export function tgiFormat(spec: TgiSpec): Provider {
  return {
    name: spec.name,
    capabilities: { routeTypes: spec.routeTypes, streaming: true, usageInStream: false },
    endpoint: (ctx) => resolveEndpoint(ctx, spec.url(ctx), spec.name),
    authorize: applyStaticAuth,
    toUpstream: (ctx, req) => ({ body: body(spec, ctx, req) }),
    fromUpstream: (ctx, _status, raw) => {
      const text = spec.output(generatedText(spec.name, ctx, raw));
      const meta: ChunkMeta = { id: ctx.requestId, model: ctx.model, created: unixSeconds(ctx.now()) };
      return ctx.routeType === 'llm/v1/chat'
        ? chatCompletion(meta, text, 'stop', zeroUsage())
        : textCompletion(meta, [text], 'stop', zeroUsage());
    },
    framing: () => 'sse',
    streamTranslator: (ctx) => {
      const meta: ChunkMeta = { id: ctx.requestId, model: ctx.model, created: unixSeconds(ctx.now()) };
      let started = false;
      return {
        onEvent(ev) {
          const e = asObject(eventJson(ev));
          const token = asObject(e.token);
          const text = token.special === true ? '' : asString(token.text) ?? '';
          const details = e.details;
          const fin = isObject(details) ? mapTgiFinish(details.finish_reason) : null;
          if (text === '' && fin === null) return [];
          if (ctx.routeType !== 'llm/v1/chat') return [textChunk(meta, text, fin)];
          const delta = started ? { content: text } : { role: 'assistant' as const, content: text };
          started = true;
          return [chatChunk(meta, delta, fin)];
        },
        onEnd: () => [],
        usage: () => null,
      };
    },
  };
}

/** Llama 2 chat template: `<s>[INST] <<SYS>> sys <</SYS>> user [/INST] assistant </s><s>[INST] …`. */
export function llama2Prompt(req: CanonicalRequest): string {
  if (req.messages === undefined) return `<s>[INST] ${Array.isArray(req.prompt) ? req.prompt.join('\n') : req.prompt ?? ''} [/INST]`;
  const system = req.messages.filter((m) => m.role === 'system' || m.role === 'developer').map((m) => contentText(m.content)).join('\n');
  let out = '';
  let sysPending = system !== '';
  for (const m of req.messages) {
    if (m.role === 'user') {
      const sys = sysPending ? `<<SYS>> ${system} <</SYS>> ` : '';
      sysPending = false;
      out += `<s>[INST] ${sys}${contentText(m.content)} [/INST]`;
    } else if (m.role === 'assistant') out += ` ${contentText(m.content)} </s>`;
  }
  return out;
}

/** Text after the last `[/INST]`, trimmed (kong.md §2.3). */
export function afterLastInst(text: string): string {
  const i = text.lastIndexOf('[/INST]');
  return (i === -1 ? text : text.slice(i + '[/INST]'.length)).trim();
}
