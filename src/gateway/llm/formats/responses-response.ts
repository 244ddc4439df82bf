/**
 * Canonical chat answers → Responses API objects: the `response` body of a buffered reply and the
 * skeleton every stream event carries. Ids derive from the gateway's request id (unique per
 * request, so a store keyed by them never collides): `resp_<rid>`, `msg_<rid>`, `fc_<rid>_<n>`.
 */
import { asObject, type ChatCompletion, type JsonObject, type Usage } from '../wire/openai-types.js';
import { responsesUsage } from '../wire/responses.js';
import type { ResponsesExchange } from './responses-request.js';
import { callItem, type ToolKind } from './responses-tools.js';

export type ResponseStatus = 'in_progress' | 'completed' | 'incomplete' | 'failed';

export const responseId = (rid: string): string => (rid.startsWith('resp_') ? rid : `resp_${rid}`);
export const messageItemId = (rid: string, n: number): string => `msg_${rid}${n === 0 ? '' : `_${n}`}`;
export const callItemId = (rid: string, n: number): string => `fc_${rid}_${n}`;

/** `incomplete_details` for a canonical finish_reason; null when the response completed. */
export function incompleteDetails(finish: string | null): JsonObject | null {
  if (finish === 'length') return { reason: 'max_output_tokens' };
  if (finish === 'content_filter') return { reason: 'content_filter' };
  return null;
}

export interface ResponseShell {
  rid: string;
  model: string;
  createdAt: number;
  status: ResponseStatus;
  output: JsonObject[];
  usage: Usage | null;
  incomplete?: JsonObject | null;
  error?: JsonObject | null;
}

/** The Responses object: what the client sent echoed back (as OpenAI does), with the answer. */
export function responseObject(ex: ResponsesExchange | undefined, s: ResponseShell): JsonObject {
  const b = ex?.body ?? {};
  const echo = (k: string, d: unknown): unknown => (b[k] === undefined ? d : b[k]);
  return {
    id: responseId(s.rid), object: 'response', created_at: s.createdAt, status: s.status, background: false,
    completed_at: s.status === 'completed' ? s.createdAt : null,
    error: s.error ?? null, incomplete_details: s.incomplete ?? null,
    instructions: echo('instructions', null), max_output_tokens: echo('max_output_tokens', null), metadata: echo('metadata', {}),
    model: s.model, output: s.output, parallel_tool_calls: echo('parallel_tool_calls', true),
    previous_response_id: echo('previous_response_id', null), reasoning: { effort: null, summary: null },
    service_tier: 'default', store: echo('store', true), temperature: echo('temperature', 1),
    text: { format: { type: 'text' }, ...asObject(b.text) }, tool_choice: echo('tool_choice', 'auto'), tools: echo('tools', []),
    top_p: echo('top_p', 1), truncation: echo('truncation', 'disabled'),
    usage: s.usage === null ? null : responsesUsage(s.usage), user: echo('user', null),
  };
}

/** An assistant message output item. */
export function messageItem(id: string, text: string, status: 'in_progress' | 'completed'): JsonObject {
  return { id, type: 'message', status, role: 'assistant', content: status === 'in_progress' ? [] : [outputText(text)] };
}

export function outputText(text: string): JsonObject {
  return { type: 'output_text', text, annotations: [], logprobs: [] };
}

/** The output items of a chat completion: its text as one message, then one item per tool call. */
export function outputItems(resp: ChatCompletion, rid: string, kinds: ReadonlyMap<string, ToolKind>): JsonObject[] {
  const m = resp.choices[0]?.message;
  const out: JsonObject[] = [];
  if (typeof m?.content === 'string' && m.content !== '') out.push(messageItem(messageItemId(rid, 0), m.content, 'completed'));
  (m?.tool_calls ?? []).forEach((t, i) => out.push(callItem(kinds, callItemId(rid, i), t.id || `call_${rid}_${i}`, t.function.name, t.function.arguments)));
  return out;
}

/** A buffered chat completion → the Responses object. */
export function chatToResponse(resp: ChatCompletion, ex: ResponsesExchange | undefined, rid: string): JsonObject {
  const finish = resp.choices[0]?.finish_reason ?? null;
  const incomplete = incompleteDetails(finish);
  return responseObject(ex, {
    rid, model: resp.model, createdAt: resp.created, status: incomplete === null ? 'completed' : 'incomplete',
    output: outputItems(resp, rid, ex?.kinds ?? new Map()), usage: resp.usage, incomplete,
  });
}
