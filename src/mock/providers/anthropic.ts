import { answer, conversation, type Answer, type Conversation, type ToolChoice } from '../answer.js';
import { isRecord, list, num, str, textOf, type JsonObject } from '../json.js';
import { type AuthConfig, type AuthInput, bearer, checkKey, header, type MockCall, type MockProvider } from '../provider.js';
import { jsonReply, sseReply, type Reply, type SseEvent } from '../reply.js';

/**
 * Anthropic: POST /v1/messages (plain and SSE stream with the exact event sequence), POST
 * /v1/messages/count_tokens, POST /v1/complete (legacy). Auth: `x-api-key` (or a Bearer token);
 * the `anthropic-version` header is required.
 */

const ERROR_TYPES: Record<number, string> = {
  400: 'invalid_request_error',
  401: 'authentication_error',
  403: 'permission_error',
  404: 'not_found_error',
  413: 'request_too_large',
  429: 'rate_limit_error',
  500: 'api_error',
  529: 'overloaded_error',
};

export function anthropicError(status: number, message: string): Reply {
  return jsonReply(status, { type: 'error', error: { type: ERROR_TYPES[status] ?? 'api_error', message } });
}

function authenticate(req: AuthInput, { requireKey }: AuthConfig): Reply | undefined {
  const key = (header(req.headers, 'x-api-key') ?? '').trim() || bearer(req.headers);
  const rejected = checkKey(key, requireKey, (reason) => anthropicError(401, reason === 'missing' ? 'x-api-key header is required' : 'invalid x-api-key'));
  if (rejected !== undefined) return rejected;
  if (!header(req.headers, 'anthropic-version')) return anthropicError(400, 'anthropic-version: header is required');
  return undefined;
}

function toolChoice(choice: unknown): ToolChoice {
  if (!isRecord(choice)) return { mode: 'auto' };
  if (choice.type === 'any') return { mode: 'required' };
  if (choice.type === 'none') return { mode: 'none' };
  if (choice.type === 'tool' && typeof choice.name === 'string') return { mode: 'named', name: choice.name };
  return { mode: 'auto' };
}

function trailingToolResult(message: JsonObject | undefined): string | undefined {
  if (message === undefined || message.role !== 'user') return undefined;
  const results = list(message.content).filter((b) => isRecord(b) && b.type === 'tool_result');
  return results.length === 0 ? undefined : textOf(results);
}

export function messagesConversation(body: JsonObject): Conversation {
  const messages = list(body.messages).filter(isRecord);
  const users = messages.filter((m) => m.role === 'user');
  const system = textOf(body.system);
  return conversation({
    texts: [...(system === '' ? [] : [system]), ...messages.map((m) => textOf(m.content))],
    lastUser: users.length === 0 ? '' : textOf(users[users.length - 1].content),
    toolResult: trailingToolResult(messages[messages.length - 1]),
    tools: list(body.tools)
      .filter(isRecord)
      .map((t) => ({ name: str(t.name) ?? 'tool', schema: t.input_schema })),
    toolChoice: toolChoice(body.tool_choice),
    maxTokens: num(body.max_tokens),
  });
}

function stopReason(a: Answer): string {
  return a.finish === 'tool' ? 'tool_use' : a.finish === 'length' ? 'max_tokens' : 'end_turn';
}

function contentBlocks(a: Answer): JsonObject[] {
  if (a.toolCall === undefined) return [{ type: 'text', text: a.text }];
  return [{ type: 'tool_use', id: `toolu_${a.toolCall.id}`, name: a.toolCall.name, input: a.toolCall.args }];
}

/** The body of a Messages API reply (also served by Bedrock's InvokeModel for Claude models). */
export function messageBody(a: Answer, model: string): JsonObject {
  return {
    id: `msg_${a.digest.slice(0, 24)}`,
    type: 'message',
    role: 'assistant',
    model,
    content: contentBlocks(a),
    stop_reason: stopReason(a),
    stop_sequence: null,
    usage: { input_tokens: a.promptTokens, output_tokens: a.completionTokens },
  };
}

function messageStream(a: Answer, model: string): Reply {
  const start = { ...messageBody(a, model), content: [], stop_reason: null, usage: { input_tokens: a.promptTokens, output_tokens: 1 } };
  const block = a.toolCall === undefined ? { type: 'text', text: '' } : { type: 'tool_use', id: `toolu_${a.toolCall.id}`, name: a.toolCall.name, input: {} };
  const deltas =
    a.toolCall === undefined
      ? a.pieces.map((text) => ({ type: 'text_delta', text }))
      : a.toolCall.jsonPieces.map((partial_json) => ({ type: 'input_json_delta', partial_json }));
  const ev = (event: string, data: JsonObject): SseEvent => ({ event, data: { type: event, ...data } });
  return sseReply([
    ev('message_start', { message: start }),
    ev('content_block_start', { index: 0, content_block: block }),
    ev('ping', {}),
    ...deltas.map((delta) => ev('content_block_delta', { index: 0, delta })),
    ev('content_block_stop', { index: 0 }),
    ev('message_delta', { delta: { stop_reason: stopReason(a), stop_sequence: null }, usage: { output_tokens: a.completionTokens } }),
    ev('message_stop', {}),
  ]);
}

/** The Messages API's validation message for a body, or undefined when it is acceptable. */
function invalid(body: JsonObject, needMaxTokens: boolean): string | undefined {
  if (typeof body.model !== 'string') return 'model: Field required';
  if (!Array.isArray(body.messages)) return 'messages: Field required';
  if (needMaxTokens && typeof body.max_tokens !== 'number') return 'max_tokens: Field required';
  return undefined;
}

const NOT_JSON = 'There was an issue with the format of the request body.';

function messages(c: MockCall): Reply {
  const body = c.body;
  if (!isRecord(body)) return anthropicError(400, NOT_JSON);
  const problem = invalid(body, true);
  if (problem !== undefined) return anthropicError(400, problem);
  const a = answer(messagesConversation(body));
  const model = String(body.model);
  return body.stream === true ? messageStream(a, model) : jsonReply(200, messageBody(a, model));
}

function countTokens(c: MockCall): Reply {
  const body = c.body;
  if (!isRecord(body)) return anthropicError(400, NOT_JSON);
  const problem = invalid(body, false);
  if (problem !== undefined) return anthropicError(400, problem);
  return jsonReply(200, { input_tokens: answer(messagesConversation(body)).promptTokens });
}

function complete(c: MockCall): Reply {
  const body = c.body;
  if (!isRecord(body) || typeof body.prompt !== 'string') return anthropicError(400, 'prompt: Field required');
  if (typeof body.max_tokens_to_sample !== 'number') return anthropicError(400, 'max_tokens_to_sample: Field required');
  const human = body.prompt.split(/\n\nHuman:/).pop() ?? '';
  const question = human.split(/\n\nAssistant:/)[0].trim();
  const a = answer(conversation({ texts: [body.prompt], lastUser: question, maxTokens: body.max_tokens_to_sample }));
  const stop = a.finish === 'length' ? 'max_tokens' : 'stop_sequence';
  const head = { type: 'completion', id: `compl_${a.digest.slice(0, 24)}`, model: str(body.model) ?? 'claude-2.1', log_id: a.digest.slice(0, 32) };
  if (body.stream === true) {
    const events = a.pieces.map((p, i): SseEvent => ({ event: 'completion', data: { ...head, completion: i === 0 ? ` ${p}` : p, stop_reason: null, stop: null } }));
    events.push({ event: 'completion', data: { ...head, completion: '', stop_reason: stop, stop: a.finish === 'stop' ? '\n\nHuman:' : null } });
    return sseReply(events);
  }
  return jsonReply(200, { ...head, completion: ` ${a.text}`, stop_reason: stop, stop: a.finish === 'stop' ? '\n\nHuman:' : null });
}

export const anthropic: MockProvider = {
  name: 'anthropic',
  base: '/v1/messages',
  authenticate,
  error: anthropicError,
  routes: [
    { method: 'POST', pattern: /^\/v1\/messages$/, handle: messages },
    { method: 'POST', pattern: /^\/v1\/messages\/count_tokens$/, handle: countTokens },
    { method: 'POST', pattern: /^\/v1\/complete$/, handle: complete },
  ],
};
