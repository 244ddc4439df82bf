import { answer, conversation, type Answer, type Conversation, type ToolSpec } from '../answer.js';
import { embedding } from '../embedding.js';
import { isRecord, list, num, str, textOf, type JsonObject } from '../json.js';
import { type AuthConfig, type AuthInput, bearer, checkKey, type MockCall, type MockProvider } from '../provider.js';
import { jsonReply, ndjsonReply, sseReply, type Reply, type SseEvent } from '../reply.js';
import { chatConversation } from './openai.js';

/**
 * Cohere: POST /v1/chat (v1 format; NDJSON stream stream-start / text-generation /
 * tool-calls-generation / stream-end), POST /v2/chat (v2 format; SSE stream message-start …
 * message-end), POST /v1/generate, POST /v1/embed. Auth: `Authorization: Bearer`.
 */

function cohereError(status: number, message: string): Reply {
  return jsonReply(status, { message });
}

function authenticate(req: AuthInput, { requireKey }: AuthConfig): Reply | undefined {
  return checkKey(bearer(req.headers), requireKey, (reason) => cohereError(401, reason === 'missing' ? 'no api key supplied' : 'invalid api token'));
}

/** A UUID-shaped id derived from the answer digest. */
function uuid(d: string, salt = 0): string {
  const h = d.slice(salt, salt + 32).padEnd(32, '0');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

function finish(a: Answer): string {
  return a.finish === 'tool' ? 'TOOL_CALL' : a.finish === 'length' ? 'MAX_TOKENS' : 'COMPLETE';
}

function units(a: Answer): JsonObject {
  return { input_tokens: a.promptTokens, output_tokens: a.completionTokens };
}

function v1Tools(tools: unknown): ToolSpec[] {
  return list(tools)
    .filter(isRecord)
    .map((t) => {
      const defs = isRecord(t.parameter_definitions) ? t.parameter_definitions : {};
      const properties: JsonObject = {};
      const required: string[] = [];
      for (const [k, d] of Object.entries(defs)) {
        properties[k] = { type: isRecord(d) && d.type === 'int' ? 'integer' : (isRecord(d) ? str(d.type) : undefined) ?? 'string' };
        if (isRecord(d) && d.required === true) required.push(k);
      }
      return { name: str(t.name) ?? 'tool', schema: { type: 'object', properties, required } };
    });
}

function v1Conversation(body: JsonObject): Conversation {
  const history = list(body.chat_history).filter(isRecord);
  const message = str(body.message) ?? '';
  const results = list(body.tool_results);
  return conversation({
    texts: [str(body.preamble) ?? '', ...history.map((m) => textOf(m.message)), message],
    lastUser: message,
    toolResult: results.length > 0 ? JSON.stringify(results.map((r) => (isRecord(r) ? r.outputs : r))) : undefined,
    tools: v1Tools(body.tools),
    maxTokens: num(body.max_tokens),
  });
}

function v1Body(a: Answer, body: JsonObject): JsonObject {
  const out: JsonObject = {
    response_id: uuid(a.digest, 16),
    text: a.text,
    generation_id: uuid(a.digest),
    chat_history: [...list(body.chat_history), { role: 'USER', message: str(body.message) ?? '' }, { role: 'CHATBOT', message: a.text }],
    finish_reason: finish(a),
    meta: { api_version: { version: '1' }, billed_units: units(a), tokens: units(a) },
  };
  if (a.toolCall !== undefined) out.tool_calls = [{ name: a.toolCall.name, parameters: a.toolCall.args }];
  return out;
}

function chatV1(c: MockCall): Reply {
  const body = c.body;
  if (!isRecord(body) || typeof body.message !== 'string') return cohereError(400, 'invalid request: message must be a string');
  const a = answer(v1Conversation(body));
  const full = v1Body(a, body);
  if (body.stream !== true) return jsonReply(200, full);
  const events: JsonObject[] = [{ is_finished: false, event_type: 'stream-start', generation_id: full.generation_id }];
  for (const text of a.pieces) events.push({ is_finished: false, event_type: 'text-generation', text });
  if (full.tool_calls !== undefined) events.push({ is_finished: false, event_type: 'tool-calls-generation', text: '', tool_calls: full.tool_calls });
  events.push({ is_finished: true, event_type: 'stream-end', finish_reason: finish(a), response: full });
  return ndjsonReply(events, 'application/stream+json');
}

function v2Message(a: Answer): JsonObject {
  if (a.toolCall === undefined) return { role: 'assistant', content: [{ type: 'text', text: a.text }] };
  const call = { id: `${a.toolCall.name}_${a.toolCall.id.slice(0, 8)}`, type: 'function', function: { name: a.toolCall.name, arguments: a.toolCall.json } };
  return { role: 'assistant', tool_plan: `I will use the ${a.toolCall.name} tool.`, tool_calls: [call] };
}

function v2Events(a: Answer, id: string): SseEvent[] {
  const ev = (type: string, data: JsonObject): SseEvent => ({ event: type, data: { type, ...data } });
  const out = [ev('message-start', { id, delta: { message: { role: 'assistant', content: [], tool_plan: '', tool_calls: [], citations: [] } } })];
  if (a.toolCall === undefined) {
    out.push(ev('content-start', { index: 0, delta: { message: { content: { type: 'text', text: '' } } } }));
    for (const text of a.pieces) out.push(ev('content-delta', { index: 0, delta: { message: { content: { text } } } }));
    out.push(ev('content-end', { index: 0 }));
  } else {
    const call = { id: `${a.toolCall.name}_${a.toolCall.id.slice(0, 8)}`, type: 'function', function: { name: a.toolCall.name, arguments: '' } };
    out.push(ev('tool-call-start', { index: 0, delta: { message: { tool_calls: call } } }));
    for (const p of a.toolCall.jsonPieces) out.push(ev('tool-call-delta', { index: 0, delta: { message: { tool_calls: { function: { arguments: p } } } } }));
    out.push(ev('tool-call-end', { index: 0 }));
  }
  out.push(ev('message-end', { delta: { finish_reason: finish(a), usage: { billed_units: units(a), tokens: units(a) } } }));
  return out;
}

function chatV2(c: MockCall): Reply {
  const body = c.body;
  if (!isRecord(body) || typeof body.model !== 'string' || !Array.isArray(body.messages)) return cohereError(400, 'invalid request: model and messages are required');
  const choice = typeof body.tool_choice === 'string' ? body.tool_choice.toLowerCase() : undefined;
  const a = answer(chatConversation({ ...body, tool_choice: choice }));
  const id = uuid(a.digest);
  if (body.stream === true) return sseReply(v2Events(a, id));
  return jsonReply(200, { id, finish_reason: finish(a), message: v2Message(a), usage: { billed_units: units(a), tokens: units(a) } });
}

function generate(c: MockCall): Reply {
  const body = c.body;
  if (!isRecord(body) || typeof body.prompt !== 'string') return cohereError(400, 'invalid request: prompt must be a string');
  const a = answer(conversation({ texts: [body.prompt], lastUser: body.prompt, maxTokens: num(body.max_tokens) }));
  const full = {
    id: uuid(a.digest, 16),
    generations: [{ id: uuid(a.digest), text: a.text, finish_reason: finish(a) }],
    prompt: body.prompt,
    meta: { api_version: { version: '1' }, billed_units: units(a) },
  };
  if (body.stream !== true) return jsonReply(200, full);
  const events: JsonObject[] = a.pieces.map((text) => ({ text, is_finished: false }));
  events.push({ is_finished: true, finish_reason: finish(a), response: full });
  return ndjsonReply(events, 'application/stream+json');
}

function embed(c: MockCall): Reply {
  const body = c.body;
  const texts = isRecord(body) ? list(body.texts).filter((t): t is string => typeof t === 'string') : [];
  if (texts.length === 0) return cohereError(400, 'invalid request: texts must be a non-empty list of strings');
  const vectors = texts.map((t) => embedding(t, c.settings.embeddingDims));
  const tokens = texts.reduce((n, t) => n + (t.match(/\S+/g)?.length ?? 0), 0);
  const byType = isRecord(body) && Array.isArray(body.embedding_types);
  return jsonReply(200, {
    id: uuid(tokens.toString(16).padStart(32, '0')),
    texts,
    embeddings: byType ? { float: vectors } : vectors,
    meta: { api_version: { version: '1' }, billed_units: { input_tokens: tokens } },
    response_type: byType ? 'embeddings_by_type' : 'embeddings_floats',
  });
}

export const cohere: MockProvider = {
  name: 'cohere',
  base: '/v1 (chat, generate, embed), /v2/chat',
  authenticate,
  error: cohereError,
  routes: [
    { method: 'POST', pattern: /^\/v1\/chat$/, handle: chatV1 },
    { method: 'POST', pattern: /^\/v2\/chat$/, handle: chatV2 },
    { method: 'POST', pattern: /^\/v1\/generate$/, handle: generate },
    { method: 'POST', pattern: /^\/v1\/embed$/, handle: embed },
  ],
};
