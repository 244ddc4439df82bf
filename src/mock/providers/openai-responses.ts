import { answer, conversation, type Answer, type Conversation, type ToolChoice, type ToolSpec } from '../answer.js';
import { field, isRecord, list, num, str, textOf, type JsonObject } from '../json.js';
import type { MockCall, MockRoute } from '../provider.js';
import { CREATED, jsonReply, sseReply, type Reply, type SseEvent } from '../reply.js';

type ErrorFn = (status: number, message: string) => Reply;

/**
 * OpenAI's Responses API (`POST /v1/responses`, plain and streamed, function tools), as OpenAI
 * and Azure serve it. The mock keeps no state: every response is answered as if `store: false`,
 * so `GET`/`DELETE /v1/responses/{id}` and `…/input_items` answer OpenAI's 404 (a gateway that
 * stores responses itself answers them before the mock is asked).
 *
 * Stream events, in OpenAI's order: response.created, response.in_progress, then per item
 * output_item.added → (content_part.added, output_text.delta…, output_text.done,
 * content_part.done | function_call_arguments.delta…, function_call_arguments.done) →
 * output_item.done, and response.completed (response.incomplete when cut by max_output_tokens).
 */

type Item = JsonObject;

/** The input items of a body (a string input is one user message). */
function items(body: JsonObject): Item[] {
  if (typeof body.input === 'string') return [{ type: 'message', role: 'user', content: body.input }];
  return list(body.input).filter(isRecord);
}

const OUTPUT_ITEM = /_call_output$/;

function toolSpecs(tools: unknown): ToolSpec[] {
  const out: ToolSpec[] = [];
  for (const t of list(tools).filter(isRecord)) {
    if (t.type === 'function' && typeof t.name === 'string') out.push({ name: t.name, schema: t.parameters });
    if (t.type === 'namespace') out.push(...toolSpecs(t.tools));
  }
  return out;
}

function toolChoice(v: unknown): ToolChoice {
  if (v === 'none' || v === 'required') return { mode: v };
  const name = str(field(v, 'name'));
  return name === undefined ? { mode: 'auto' } : { mode: 'named', name };
}

export function responsesConversation(body: JsonObject): Conversation {
  const all = items(body);
  const messages = all.filter((i) => (i.type ?? 'message') === 'message');
  const lastUser = [...messages].reverse().find((m) => m.role === 'user');
  const last = all[all.length - 1];
  const instructions = textOf(body.instructions);
  return conversation({
    texts: [...(instructions === '' ? [] : [instructions]), ...all.map((i) => textOf(i.content ?? i.output ?? i.arguments))],
    lastUser: lastUser === undefined ? '' : textOf(lastUser.content),
    toolResult: last !== undefined && typeof last.type === 'string' && OUTPUT_ITEM.test(last.type) ? textOf(last.output) : undefined,
    tools: toolSpecs(body.tools),
    toolChoice: toolChoice(body.tool_choice),
    maxTokens: num(body.max_output_tokens),
  });
}

function usage(a: Answer): JsonObject {
  return {
    input_tokens: a.promptTokens, input_tokens_details: { cached_tokens: 0 },
    output_tokens: a.completionTokens, output_tokens_details: { reasoning_tokens: 0 },
    total_tokens: a.promptTokens + a.completionTokens,
  };
}

function outputText(text: string): JsonObject {
  return { type: 'output_text', text, annotations: [], logprobs: [] };
}

function outputItem(a: Answer, done: boolean): Item {
  const id = a.digest.slice(0, 24);
  if (a.toolCall === undefined) {
    return { id: `msg_${id}`, type: 'message', status: done ? 'completed' : 'in_progress', role: 'assistant', content: done ? [outputText(a.text)] : [] };
  }
  const t = a.toolCall;
  return { id: `fc_${id}`, type: 'function_call', status: done ? 'completed' : 'in_progress', call_id: `call_${t.id}`, name: t.name, arguments: done ? t.json : '' };
}

function responseBody(body: JsonObject, model: string, a: Answer, done: boolean): JsonObject {
  const incomplete = done && a.finish === 'length';
  return {
    id: `resp_${a.digest.slice(0, 24)}`, object: 'response', created_at: CREATED,
    status: done ? (incomplete ? 'incomplete' : 'completed') : 'in_progress',
    error: null, incomplete_details: incomplete ? { reason: 'max_output_tokens' } : null,
    instructions: body.instructions ?? null, max_output_tokens: body.max_output_tokens ?? null, model,
    output: done ? [outputItem(a, true)] : [], parallel_tool_calls: body.parallel_tool_calls ?? true,
    previous_response_id: body.previous_response_id ?? null, store: body.store ?? true,
    temperature: body.temperature ?? 1, text: { format: { type: 'text' } }, tool_choice: body.tool_choice ?? 'auto',
    tools: body.tools ?? [], top_p: body.top_p ?? 1, truncation: 'disabled', usage: done ? usage(a) : null, metadata: body.metadata ?? {},
  };
}

function itemEvents(a: Answer, ev: (type: string, data: JsonObject) => SseEvent): SseEvent[] {
  const added = outputItem(a, false);
  const done = outputItem(a, true);
  const at = { item_id: added.id, output_index: 0 };
  const out = [ev('response.output_item.added', { output_index: 0, item: added })];
  if (a.toolCall === undefined) {
    out.push(ev('response.content_part.added', { ...at, content_index: 0, part: outputText('') }));
    for (const delta of a.pieces) out.push(ev('response.output_text.delta', { ...at, content_index: 0, delta, logprobs: [] }));
    out.push(ev('response.output_text.done', { ...at, content_index: 0, text: a.text, logprobs: [] }));
    out.push(ev('response.content_part.done', { ...at, content_index: 0, part: outputText(a.text) }));
  } else {
    for (const delta of a.toolCall.jsonPieces) out.push(ev('response.function_call_arguments.delta', { ...at, delta }));
    out.push(ev('response.function_call_arguments.done', { ...at, name: a.toolCall.name, arguments: a.toolCall.json }));
  }
  out.push(ev('response.output_item.done', { output_index: 0, item: done }));
  return out;
}

function stream(body: JsonObject, model: string, a: Answer): Reply {
  let seq = 0;
  const ev = (type: string, data: JsonObject): SseEvent => ({ event: type, data: { type, sequence_number: seq++, ...data } });
  const start = responseBody(body, model, a, false);
  const end = responseBody(body, model, a, true);
  return sseReply([
    ev('response.created', { response: start }),
    ev('response.in_progress', { response: start }),
    ...itemEvents(a, ev),
    ev(end.status === 'incomplete' ? 'response.incomplete' : 'response.completed', { response: end }),
  ]);
}

/** POST …/responses. `fallbackModel` names the model when the body has none (Azure's deployment). */
export function createResponse(body: unknown, fallbackModel: string | undefined, fail: ErrorFn): Reply {
  if (!isRecord(body)) return fail(400, 'We could not parse the JSON body of your request.');
  const model = str(body.model) ?? fallbackModel;
  if (model === undefined) return fail(400, "Missing required parameter: 'model'.");
  if (body.input === undefined && body.previous_response_id === undefined) return fail(400, "Missing required parameter: 'input'.");
  if (typeof body.previous_response_id === 'string') return fail(400, `Previous response with id '${body.previous_response_id}' not found.`);
  const a = answer(responsesConversation(body));
  return body.stream === true ? stream(body, model, a) : jsonReply(200, responseBody(body, model, a, true));
}

/** The Responses API's routes under `prefix` (a regexp source: `\/v1`, `\/openai(?:\/v1)?`). */
export function responsesRoutes(prefix: string, fail: ErrorFn, fallbackModel?: (c: MockCall) => string | undefined): MockRoute[] {
  const notFound = (c: MockCall): Reply => fail(404, `Response with id '${c.params[0]}' not found.`);
  return [
    { method: 'POST', pattern: new RegExp(`^${prefix}\\/responses$`), handle: (c) => createResponse(c.body, fallbackModel?.(c), fail) },
    { method: 'GET', pattern: new RegExp(`^${prefix}\\/responses\\/([^/]+)(?:\\/input_items)?$`), handle: notFound },
    { method: 'DELETE', pattern: new RegExp(`^${prefix}\\/responses\\/([^/]+)$`), handle: notFound },
  ];
}
