import { answer, conversation, type Answer, type Conversation, type ToolChoice, type ToolSpec } from '../answer.js';
import { embedding, embeddingBase64 } from '../embedding.js';
import { field, isRecord, list, num, str, textOf, type JsonObject } from '../json.js';
import { type AuthConfig, type AuthInput, bearer, checkKey, type MockCall, type MockProvider, type MockSettings } from '../provider.js';
import { CREATED, jsonReply, sseReply, type Reply, type SseEvent } from '../reply.js';
import { responsesRoutes } from './openai-responses.js';

/**
 * OpenAI wire format: chat completions (plain, SSE stream with optional usage chunk, tools),
 * legacy completions, embeddings (float or base64) and models. Azure, Mistral and Hugging Face's
 * chat route reuse these bodies through the exported builders.
 */

export type ErrorFn = (status: number, message: string) => Reply;

export { CREATED } from '../reply.js';

const ERROR_KINDS: Record<number, [string, string | null]> = {
  400: ['invalid_request_error', null],
  401: ['invalid_request_error', 'invalid_api_key'],
  403: ['permission_denied', 'unsupported_country_region_territory'],
  404: ['invalid_request_error', 'model_not_found'],
  429: ['requests', 'rate_limit_exceeded'],
  500: ['server_error', null],
  503: ['server_error', 'service_unavailable'],
};

export function openaiError(status: number, message: string): Reply {
  const [type, code] = ERROR_KINDS[status] ?? ['server_error', null];
  return jsonReply(status, { error: { message, type, param: null, code } });
}

function toolSpecs(tools: unknown): ToolSpec[] {
  return list(tools)
    .map((t) => field(t, 'function'))
    .filter(isRecord)
    .map((f) => ({ name: str(f.name) ?? 'tool', schema: f.parameters }));
}

function toolChoice(choice: unknown): ToolChoice {
  if (choice === 'none' || choice === 'required') return { mode: choice };
  const name = str(field(field(choice, 'function'), 'name'));
  return name === undefined ? { mode: 'auto' } : { mode: 'named', name };
}

export function chatConversation(body: JsonObject): Conversation {
  const messages = list(body.messages).filter(isRecord);
  const last = messages[messages.length - 1];
  const lastUser = [...messages].reverse().find((m) => m.role === 'user');
  return conversation({
    texts: messages.map((m) => textOf(m.content)),
    lastUser: lastUser === undefined ? '' : textOf(lastUser.content),
    toolResult: last !== undefined && (last.role === 'tool' || last.role === 'function') ? textOf(last.content) : undefined,
    tools: toolSpecs(body.tools),
    toolChoice: toolChoice(body.tool_choice),
    maxTokens: num(body.max_completion_tokens) ?? num(body.max_tokens),
  });
}

function finishReason(a: Answer): string {
  return a.finish === 'tool' ? 'tool_calls' : a.finish;
}

function usage(a: Answer): JsonObject {
  return { prompt_tokens: a.promptTokens, completion_tokens: a.completionTokens, total_tokens: a.promptTokens + a.completionTokens };
}

/** A chat completion's usage as OpenAI answers it: with the breakdowns its SDKs and clients read (no cache, audio, reasoning or prediction here). */
function chatUsage(a: Answer): JsonObject {
  return {
    ...usage(a),
    prompt_tokens_details: { cached_tokens: 0, audio_tokens: 0 },
    completion_tokens_details: { reasoning_tokens: 0, audio_tokens: 0, accepted_prediction_tokens: 0, rejected_prediction_tokens: 0 },
  };
}

function chatMessage(a: Answer): JsonObject {
  if (a.toolCall === undefined) return { role: 'assistant', content: a.text, refusal: null };
  const call = { id: `call_${a.toolCall.id}`, type: 'function', function: { name: a.toolCall.name, arguments: a.toolCall.json } };
  return { role: 'assistant', content: null, tool_calls: [call], refusal: null };
}

function chatDeltas(a: Answer): JsonObject[] {
  if (a.toolCall === undefined) return [{ role: 'assistant', content: '' }, ...a.pieces.map((p) => ({ content: p }))];
  const call = a.toolCall;
  const first = { role: 'assistant', content: null, tool_calls: [{ index: 0, id: `call_${call.id}`, type: 'function', function: { name: call.name, arguments: '' } }] };
  return [first, ...call.jsonPieces.map((p) => ({ tool_calls: [{ index: 0, function: { arguments: p } }] }))];
}

function chatStream(a: Answer, head: JsonObject, includeUsage: boolean): Reply {
  const extra = includeUsage ? { usage: null } : {};
  const chunk = (delta: JsonObject, finish: string | null): SseEvent => ({
    data: { ...head, object: 'chat.completion.chunk', choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }], ...extra },
  });
  const events = chatDeltas(a).map((d) => chunk(d, null));
  events.push(chunk({}, finishReason(a)));
  if (includeUsage) events.push({ data: { ...head, object: 'chat.completion.chunk', choices: [], usage: chatUsage(a) } });
  return sseReply(events, { done: true });
}

/** POST …/chat/completions. `fallbackModel` names the model when the body has none (Azure, HF). */
export function chatCompletion(body: unknown, fallbackModel: string | undefined, fail: ErrorFn): Reply {
  if (!isRecord(body)) return fail(400, 'We could not parse the JSON body of your request.');
  const model = str(body.model) ?? fallbackModel;
  if (model === undefined) return fail(400, "Missing required parameter: 'model'.");
  if (list(body.messages).length === 0) return fail(400, "Missing required parameter: 'messages'.");
  const a = answer(chatConversation(body));
  const head = { id: `chatcmpl-${a.digest.slice(0, 24)}`, created: CREATED, model, system_fingerprint: 'fp_mock' };
  if (body.stream === true) return chatStream(a, head, field(body.stream_options, 'include_usage') === true);
  const choice = { index: 0, message: chatMessage(a), logprobs: null, finish_reason: finishReason(a) };
  return jsonReply(200, { ...head, object: 'chat.completion', choices: [choice], usage: chatUsage(a) });
}

/** POST …/completions (legacy text completions). */
export function textCompletion(body: unknown, fallbackModel: string | undefined, fail: ErrorFn): Reply {
  if (!isRecord(body)) return fail(400, 'We could not parse the JSON body of your request.');
  const model = str(body.model) ?? fallbackModel;
  if (model === undefined) return fail(400, "Missing required parameter: 'model'.");
  if (body.prompt === undefined) return fail(400, "Missing required parameter: 'prompt'.");
  const prompt = Array.isArray(body.prompt) ? body.prompt.map((p) => textOf(p)).join('\n') : textOf(body.prompt);
  const a = answer(conversation({ texts: [prompt], lastUser: prompt, maxTokens: num(body.max_tokens) }));
  const head = { id: `cmpl-${a.digest.slice(0, 24)}`, object: 'text_completion', created: CREATED, model };
  if (body.stream === true) {
    const events = a.pieces.map((p): SseEvent => ({ data: { ...head, choices: [{ text: p, index: 0, logprobs: null, finish_reason: null }] } }));
    events.push({ data: { ...head, choices: [{ text: '', index: 0, logprobs: null, finish_reason: a.finish }] } });
    return sseReply(events, { done: true });
  }
  return jsonReply(200, { ...head, choices: [{ text: a.text, index: 0, logprobs: null, finish_reason: a.finish }], usage: usage(a) });
}

function embeddingInputs(input: unknown): string[] {
  if (typeof input === 'string') return [input];
  if (Array.isArray(input) && input.every((i) => typeof i === 'number')) return [JSON.stringify(input)];
  return list(input).map((i) => (typeof i === 'string' ? i : JSON.stringify(i)));
}

/** POST …/embeddings: one deterministic vector per input; `dimensions` and `encoding_format` honoured. */
export function embeddings(body: unknown, fallbackModel: string | undefined, settings: MockSettings, fail: ErrorFn): Reply {
  if (!isRecord(body)) return fail(400, 'We could not parse the JSON body of your request.');
  const model = str(body.model) ?? fallbackModel;
  if (model === undefined) return fail(400, "Missing required parameter: 'model'.");
  const inputs = embeddingInputs(body.input);
  if (inputs.length === 0) return fail(400, "Missing required parameter: 'input'.");
  const dims = num(body.dimensions) ?? settings.embeddingDims;
  if (!Number.isInteger(dims) || dims < 1 || dims > 8192) return fail(400, `Invalid value for 'dimensions': ${dims}.`);
  const base64 = body.encoding_format === 'base64';
  const data = inputs.map((text, index) => {
    const vector = embedding(text, dims);
    return { object: 'embedding', index, embedding: base64 ? embeddingBase64(vector) : vector };
  });
  const tokens = inputs.reduce((n, t) => n + (t.match(/\S+/g)?.length ?? 0), 0);
  return jsonReply(200, { object: 'list', data, model, usage: { prompt_tokens: tokens, total_tokens: tokens } });
}

const MODELS = ['gpt-4o', 'gpt-4o-mini', 'gpt-3.5-turbo-instruct', 'text-embedding-3-small'].map((id) => ({ id, object: 'model', created: CREATED, owned_by: 'aigw-mock' }));
const MODELS_REPLY = jsonReply(200, { object: 'list', data: MODELS });

function authenticate(req: AuthInput, { requireKey }: AuthConfig): Reply | undefined {
  return checkKey(bearer(req.headers), requireKey, (reason) =>
    openaiError(
      401,
      reason === 'missing'
        ? "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY)."
        : 'Incorrect API key provided. You can find your API key at https://platform.openai.com/account/api-keys.',
    ),
  );
}

export const openai: MockProvider = {
  name: 'openai',
  base: '/v1',
  authenticate,
  error: openaiError,
  routes: [
    { method: 'POST', pattern: /^\/v1\/chat\/completions$/, handle: (c: MockCall) => chatCompletion(c.body, undefined, openaiError) },
    { method: 'POST', pattern: /^\/v1\/completions$/, handle: (c: MockCall) => textCompletion(c.body, undefined, openaiError) },
    { method: 'POST', pattern: /^\/v1\/embeddings$/, handle: (c: MockCall) => embeddings(c.body, undefined, c.settings, openaiError) },
    ...responsesRoutes('\\/v1', openaiError),
    { method: 'GET', pattern: /^\/v1\/models$/, handle: () => MODELS_REPLY },
    {
      method: 'GET',
      pattern: /^\/v1\/models\/([^/]+)$/,
      handle: (c: MockCall) => jsonReply(200, { id: c.params[0], object: 'model', created: CREATED, owned_by: 'aigw-mock' }),
    },
  ],
};
