/**
 * The Responses body sent to a provider that serves the Responses API itself (openai, azure): the
 * client's own body, so nothing of it is lost in translation. Only when another AI plugin edited the
 * canonical messages (a decorator's added message, a sanitizer's placeholder, a template's new
 * prompt) is `input` rebuilt: every message left unchanged is sent as the items it came from
 * (reasoning, item references and ids included), every changed or added one is rendered anew.
 */
import { contentText, type CanonicalRequest, type ChatMessage, type ContentPart, type JsonObject } from '../wire/openai-types.js';
import { responsesExchange, type ResponsesExchange } from './responses-request.js';
import { NAMESPACE_SEPARATOR } from './responses-tools.js';

function inputContent(content: ChatMessage['content'], role: string): JsonObject[] {
  const text = role === 'assistant' ? 'output_text' : 'input_text';
  if (content === null) return [];
  if (typeof content === 'string') return [{ type: text, text: content }];
  return content.map((p: ContentPart) => (p.type === 'text' ? { type: text, text: p.text } : { type: 'input_image', image_url: p.image_url.url, detail: p.image_url.detail ?? 'auto' }));
}

function callName(name: string): JsonObject {
  const at = name.indexOf(NAMESPACE_SEPARATOR);
  return at > 0 ? { namespace: name.slice(0, at), name: name.slice(at + NAMESPACE_SEPARATOR.length) } : { name };
}

/** A canonical message as Responses input items. */
export function renderMessage(m: ChatMessage): JsonObject[] {
  if (m.role === 'tool') return [{ type: 'function_call_output', call_id: m.tool_call_id ?? '', output: contentText(m.content) }];
  const role = m.role === 'system' ? 'developer' : m.role;
  const out: JsonObject[] = [];
  if (m.content !== null && !(typeof m.content === 'string' && m.content === '' && m.tool_calls)) {
    out.push({ type: 'message', role, content: inputContent(m.content, role) });
  }
  for (const t of m.tool_calls ?? []) out.push({ type: 'function_call', call_id: t.id, ...callName(t.function.name), arguments: t.function.arguments });
  return out;
}

function rebuild(ex: ResponsesExchange, messages: readonly ChatMessage[]): { input: JsonObject[]; instructions: string | null } {
  const input: JsonObject[] = [];
  let instructions: string | null = null;
  for (const m of messages) {
    const origin = ex.origin.get(m);
    if (m === ex.instructionsMessage) {
      instructions = contentText(m.content);
      continue;
    }
    if (origin !== undefined && JSON.stringify(m) === origin.json) {
      input.push(...origin.items);
      continue;
    }
    // keep what came with it but is not a message of its own (reasoning, references), then the message anew
    input.push(...(origin?.items ?? []).filter((i) => i.type === 'reasoning' || i.type === 'item_reference'));
    input.push(...renderMessage(m));
  }
  input.push(...ex.trailing);
  return { input, instructions };
}

/**
 * The client body to send natively: as sent when the canonical messages are unchanged, else with
 * `input` (and `instructions`) rebuilt from them; a request whose body a plugin replaced entirely
 * (no exchange) is rendered from the canonical request.
 */
export function nativeResponsesBody(canonical: CanonicalRequest): JsonObject {
  const ex = responsesExchange(canonical);
  const messages = canonical.messages ?? [];
  if (ex === undefined) {
    const body: JsonObject = { input: messages.flatMap(renderMessage) };
    if (typeof canonical.model === 'string') body.model = canonical.model;
    return body;
  }
  if (JSON.stringify(messages) === ex.snapshot) return { ...ex.body };
  const { input, instructions } = rebuild(ex, messages);
  const body: JsonObject = { ...ex.body, input };
  if (instructions === null) delete body.instructions;
  else body.instructions = instructions;
  return body;
}
