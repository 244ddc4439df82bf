/**
 * ai-proxy on `route_type: llm/v1/responses` (OpenAI's Responses API, Kong 3.11):
 *
 *   provider serves the Responses API (capabilities: openai, azure) — Kong's semantics:
 *     POST …/responses            ─► the client's body, model and stream decided (native.ts)
 *     GET|DELETE …/responses/{id}, GET …/{id}/input_items, POST …/{id}/cancel ─► passed through
 *   any other provider — aigw's extension, translated through chat (llm/formats/responses*.ts):
 *     POST …/responses            ─► chat call ─► Responses body or events; stored unless `store: false`
 *     GET|DELETE …/responses/{id}, GET …/{id}/input_items ─► answered from this plugin's store
 *
 * What a translation cannot honour (a hosted tool, `background`, an item this gateway never stored…)
 * is a 400 in OpenAI's error shape that names the field (`param`).
 */
import type { GatewayContext, Reply, UpstreamResult } from '../../context.js';
import { ReplyError, type PluginDeps } from '../../plugin.js';
import { getProvider } from '../../providers/index.js';
import { responsesExchange } from '../../llm/formats/responses.js';
import { nativeResponsesBody } from '../../llm/formats/responses-native.js';
import { ResponseStore, type StoredResponse } from '../../llm/formats/responses-store.js';
import { aiError, aiRequest } from '../../llm/formats/request.js';
import { TranslationError } from '../../llm/wire/errors.js';
import { isObject, type CanonicalRequest, type JsonObject } from '../../llm/wire/openai-types.js';
import { openAIErrorBody, responsesOperation, type ResponsesOperation } from '../../llm/wire/responses.js';
import { handler, timeoutsOf } from './call.js';
import { resolveModelFields, targetFor, type AiProxyConfig } from './config.js';
import { answerNative, type NativePlan } from './native-answer.js';
import { chooseModel, chooseStream, effectiveAuth, forwardedHeaders, planRequest } from './request.js';

const ROUTE_TYPE = 'llm/v1/responses';

const refuse = (status: number, message: string, param: string | null = null): ReplyError =>
  new ReplyError({ status, json: openAIErrorBody(status, message, param) });

const notFound = (id: string): ReplyError => refuse(404, `Response with id '${id}' not found.`);

export interface ResponsesRoute {
  /** The store of a translated route (null when the provider keeps the state itself). */
  store: ResponseStore | null;
  access(ctx: GatewayContext): Promise<Reply | undefined>;
}

/** Whether the configured provider serves the Responses API itself. */
export function servesResponses(provider: string): boolean {
  return getProvider(provider)?.capabilities.routeTypes.includes(ROUTE_TYPE) === true;
}

/** Kong's model.options overrides, in the Responses API's field names. */
function withOptions(body: JsonObject, c: AiProxyConfig, options: AiProxyConfig['options']): JsonObject {
  const out = { ...body };
  if (options.max_tokens !== undefined) out.max_output_tokens = options.max_tokens;
  if (options.temperature !== undefined) out.temperature = options.temperature;
  if (options.top_p !== undefined) out.top_p = options.top_p;
  if (c.auth.param_location === 'body' && c.auth.param_name && !c.auth.allow_override) delete out[c.auth.param_name];
  return out;
}

async function planNative(ctx: GatewayContext, c: AiProxyConfig): Promise<NativePlan> {
  const { name, options } = resolveModelFields(ctx, c);
  const ai = await aiRequest(ctx, { maxBodySize: c.maxRequestBodySize, llmFormat: c.llmFormat, plugin: 'ai-proxy' });
  const model = chooseModel(name, ai.body, ai.inputFormat, c.modelAlias);
  const stream = chooseStream(c, ROUTE_TYPE, ai.body);
  const body = withOptions(nativeResponsesBody(ai.body), c, options);
  const auth = effectiveAuth(ctx, c.auth, body);
  return {
    target: targetFor(c, ROUTE_TYPE, name ?? model, options, auth),
    request: ai.body, model, stream, clientWantsUsage: false,
    headers: forwardedHeaders(ctx, auth), inputFormat: ai.inputFormat, ai, body,
  };
}

function nativeCall(c: AiProxyConfig, deps: PluginDeps, plan: NativePlan | null, op: ResponsesOperation) {
  return async (ctx: GatewayContext): Promise<UpstreamResult> => {
    const suffix = op.op === 'create' ? '' : op.op === 'other' ? op.suffix
      : `/${encodeURIComponent(op.id)}${op.op === 'input_items' ? '/input_items' : op.op === 'cancel' ? '/cancel' : ''}`;
    const auth = effectiveAuth(ctx, c.auth, {});
    const { name, options } = resolveModelFields(ctx, c);
    const target = plan?.target ?? targetFor(c, ROUTE_TYPE, name ?? 'responses', options, auth);
    try {
      const result = await deps.llm.native(target, {
        method: ctx.method === 'GET' || ctx.method === 'DELETE' ? ctx.method : 'POST', suffix, ...(plan ? { body: plan.body } : {}),
      }, {
        stream: plan?.stream ?? false, requestId: ctx.requestId, timeouts: timeoutsOf(ctx), signal: ctx.clientSignal(),
        clientQuery: ctx.queryParams(), headers: plan?.headers ?? forwardedHeaders(ctx, auth),
      });
      return answerNative({ ctx, config: c, pluginId: deps.pluginId }, plan, result);
    } catch (err) {
      if (err instanceof TranslationError) throw aiError(err.status, err.message);
      throw err;
    }
  };
}

/** `GET …/input_items`: OpenAI's list shape, `order` (default desc), `limit` (1–100, default 20) and `after`. */
function inputItemsPage(r: StoredResponse, query: URLSearchParams): JsonObject {
  const all = query.get('order') === 'asc' ? [...r.input] : [...r.input].reverse();
  const after = query.get('after');
  const from = after === null ? 0 : all.findIndex((i) => i.id === after) + 1;
  const limit = Math.min(100, Math.max(1, Number(query.get('limit') ?? 20) || 20));
  const data = all.slice(from, from + limit);
  return { object: 'list', data, first_id: data[0]?.id ?? null, last_id: data.at(-1)?.id ?? null, has_more: from + limit < all.length };
}

function storedReply(store: ResponseStore, ctx: GatewayContext, op: ResponsesOperation): Reply {
  const owner = ctx.consumer?.id ?? null;
  if (op.op === 'other') throw refuse(404, `Invalid URL (${ctx.method} ${ctx.path}): this Responses route translates for a provider without the Responses API and serves create, retrieve, delete and input_items`);
  if (op.op === 'create') throw refuse(405, `Use POST to create a response (${ctx.method} is not served)`);
  if (op.op === 'cancel') throw refuse(400, 'Only background responses can be cancelled.');
  const r = store.get(op.id, owner);
  if (r === undefined) throw notFound(op.id);
  if (op.op === 'delete') {
    store.delete(op.id, owner);
    return { status: 200, json: { id: op.id, object: 'response.deleted', deleted: true } };
  }
  return { status: 200, json: op.op === 'retrieve' ? r.response : inputItemsPage(r, ctx.queryParams()) };
}

/** Stores a translated answer unless the client said `store: false`. */
function storer(store: ResponseStore, ctx: GatewayContext, request: CanonicalRequest) {
  return (answer: unknown): void => {
    const ex = responsesExchange(request);
    if (!isObject(answer) || typeof answer.id !== 'string' || ex?.body.store === false) return;
    const previous = ex?.body.previous_response_id;
    store.put({ id: answer.id, owner: ctx.consumer?.id ?? null, response: answer, input: ex?.input ?? [], previous: typeof previous === 'string' ? previous : null });
  };
}

async function translatedCreate(ctx: GatewayContext, c: AiProxyConfig, deps: PluginDeps, store: ResponseStore): Promise<void> {
  // what cannot be translated is named before any other check (planRequest reuses the parsed request)
  const ai = await aiRequest(ctx, { maxBodySize: c.maxRequestBodySize, llmFormat: c.llmFormat, plugin: 'ai-proxy' });
  const issue = responsesExchange(ai.body)?.issues[0];
  if (issue !== undefined) throw refuse(400, `${issue.message} (provider ${c.provider})`, issue.param);
  const plan = await planRequest(ctx, c, 'llm/v1/chat');
  ctx.upstreamHandler = handler(c, plan, deps, storer(store, ctx, plan.request));
}

export function responsesRoute(c: AiProxyConfig, deps: PluginDeps): ResponsesRoute {
  const native = servesResponses(c.provider);
  const store = native ? null : deps.store.get('responses', () => new ResponseStore());
  return {
    store,
    async access(ctx) {
      const op = responsesOperation(ctx.method, ctx.path);
      if (op.op === 'create' && ctx.method !== 'POST') {
        throw refuse(405, `Use POST to create a response (${ctx.method} is not served; the Responses API's WebSocket mode is not implemented by aigw)`);
      }
      if (native) {
        ctx.upstreamHandler = nativeCall(c, deps, op.op === 'create' ? await planNative(ctx, c) : null, op);
        return undefined;
      }
      if (op.op === 'create') {
        await translatedCreate(ctx, c, deps, store as ResponseStore);
        return undefined;
      }
      return storedReply(store as ResponseStore, ctx, op);
    },
  };
}
