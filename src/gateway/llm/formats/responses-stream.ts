/**
 * Canonical chat chunks → the Responses API stream, in the order clients need it (the openai SDK's
 * `responses.stream()` wants `response.created` first and `output_item.added` before any delta;
 * the AI SDK builds text from the deltas and tool calls from `output_item.done`; Codex, the Agents
 * SDK and the AI SDK all wait for `response.completed`):
 *
 *   response.created → response.in_progress →
 *   ( output_item.added(message) → content_part.added → output_text.delta* → output_text.done →
 *     content_part.done → output_item.done
 *   | output_item.added(function_call) → function_call_arguments.delta* → function_call_arguments.done → output_item.done
 *   | output_item.added(custom_tool_call) → custom_tool_call_input.delta → custom_tool_call_input.done → output_item.done )*
 *   → response.completed (or response.incomplete when the answer was cut)
 *
 * Every event has `type` and `sequence_number` and goes out as `event: <type>` + `data: <json>`.
 * A tool call's item is opened once its name is known (custom tool input is sent whole at the end:
 * it arrives as JSON text and is only known once that JSON is complete).
 */
import { asArray, asObject, isObject, type CanonicalChunk, type JsonObject, type Usage } from '../wire/openai-types.js';
import { sseNamedFrame } from '../wire/sse-writer.js';
import type { ResponsesExchange } from './responses-request.js';
import { incompleteDetails, messageItem, messageItemId, callItemId, outputText, responseObject, type ResponseStatus } from './responses-response.js';
import { callItem } from './responses-tools.js';
import type { ClientStream } from './types.js';

interface OpenText { kind: 'text'; id: string; index: number; text: string }
interface OpenCall { kind: 'call'; key: number; id: string; index: number; callId: string; name: string; args: string; opened: boolean; custom: boolean }

export interface ResponsesStreamOptions {
  rid: string;
  model: string;
  exchange: ResponsesExchange | undefined;
}

/** Per-stream state: the items emitted so far and the one being written. */
export class ResponsesEventWriter implements ClientStream {
  private seq = 0;
  private started = false;
  private readonly output: JsonObject[] = [];
  private open: OpenText | OpenCall | null = null;
  private readonly calls = new Map<number, OpenCall>();
  private finish: string | null = null;
  private usage: Usage | null = null;
  private model: string;
  private result: JsonObject | null = null;
  private texts = 0;
  /** From the first chunk's `created` (the provider's clock), else the wall clock. */
  private createdAt: number | null = null;

  constructor(private readonly o: ResponsesStreamOptions) {
    this.model = o.model;
  }

  private ev(type: string, data: JsonObject): string {
    return sseNamedFrame(type, { type, sequence_number: this.seq++, ...data });
  }

  private shell(status: ResponseStatus, output: JsonObject[], usage: Usage | null, extra: Partial<{ incomplete: JsonObject | null; error: JsonObject | null }> = {}): JsonObject {
    this.createdAt ??= Math.floor(Date.now() / 1000);
    return responseObject(this.o.exchange, { rid: this.o.rid, model: this.model, createdAt: this.createdAt, status, output, usage, ...extra });
  }

  private start(): string {
    if (this.started) return '';
    this.started = true;
    const r = this.shell('in_progress', [], null);
    return this.ev('response.created', { response: r }) + this.ev('response.in_progress', { response: r });
  }

  chunk(c: CanonicalChunk): string {
    if (c.model) this.model = c.model;
    if (c.usage) this.usage = c.usage;
    this.createdAt ??= c.created;
    let out = this.start();
    for (const choice of c.choices) {
      if (choice.finish_reason) this.finish = choice.finish_reason;
      const delta = 'delta' in choice ? asObject(choice.delta) : { content: choice.text };
      if (typeof delta.content === 'string' && delta.content !== '') out += this.text(delta.content);
      for (const t of asArray(delta.tool_calls).filter(isObject)) out += this.toolDelta(t);
    }
    return out;
  }

  private text(delta: string): string {
    let out = '';
    if (this.open?.kind !== 'text') {
      out += this.close();
      const id = messageItemId(this.o.rid, this.texts++);
      this.open = { kind: 'text', id, index: this.output.length, text: '' };
      this.output.push(messageItem(id, '', 'in_progress'));
      out += this.ev('response.output_item.added', { output_index: this.open.index, item: messageItem(id, '', 'in_progress') });
      out += this.ev('response.content_part.added', { item_id: id, output_index: this.open.index, content_index: 0, part: outputText('') });
    }
    const o = this.open as OpenText;
    o.text += delta;
    return out + this.ev('response.output_text.delta', { item_id: o.id, output_index: o.index, content_index: 0, delta, logprobs: [] });
  }

  private toolDelta(t: JsonObject): string {
    const key = typeof t.index === 'number' ? t.index : 0;
    const fn = asObject(t.function);
    let out = '';
    let call = this.calls.get(key);
    if (call === undefined) {
      out += this.close();
      call = { kind: 'call', key, id: callItemId(this.o.rid, this.calls.size), index: this.output.length, callId: '', name: '', args: '', opened: false, custom: false };
      this.calls.set(key, call);
      this.output.push({});
      this.open = call;
    }
    if (typeof t.id === 'string' && t.id !== '') call.callId = t.id;
    if (typeof fn.name === 'string') call.name += fn.name;
    const piece = typeof fn.arguments === 'string' ? fn.arguments : '';
    call.args += piece;
    if (!call.opened && call.name !== '') {
      call.opened = true;
      const item = this.item(call, 'in_progress');
      call.custom = item.type !== 'function_call';
      out += this.ev('response.output_item.added', { output_index: call.index, item });
      if (!call.custom && call.args !== '') out += this.ev('response.function_call_arguments.delta', { item_id: call.id, output_index: call.index, delta: call.args });
    } else if (call.opened && !call.custom && piece !== '') {
      out += this.ev('response.function_call_arguments.delta', { item_id: call.id, output_index: call.index, delta: piece });
    }
    return out;
  }

  private item(call: OpenCall, status: 'in_progress' | 'completed'): JsonObject {
    const done = callItem(this.o.exchange?.kinds ?? new Map(), call.id, call.callId || `call_${this.o.rid}_${call.key}`, call.name, call.args || '{}');
    if (status === 'completed') return done;
    if (done.type === 'function_call') return { ...done, status, arguments: '' };
    if (done.type === 'custom_tool_call') return { ...done, status, input: '' };
    return { ...done, status, arguments: {} };
  }

  private close(): string {
    const o = this.open;
    if (o === null) return '';
    this.open = null;
    if (o.kind === 'text') {
      const item = messageItem(o.id, o.text, 'completed');
      this.output[o.index] = item;
      return this.ev('response.output_text.done', { item_id: o.id, output_index: o.index, content_index: 0, text: o.text, logprobs: [] })
        + this.ev('response.content_part.done', { item_id: o.id, output_index: o.index, content_index: 0, part: outputText(o.text) })
        + this.ev('response.output_item.done', { output_index: o.index, item });
    }
    let out = '';
    if (!o.opened) {
      o.opened = true;
      out += this.ev('response.output_item.added', { output_index: o.index, item: this.item(o, 'in_progress') });
    }
    const item = this.item(o, 'completed');
    this.output[o.index] = item;
    if (item.type === 'function_call') {
      out += this.ev('response.function_call_arguments.done', { item_id: o.id, output_index: o.index, ...(item.namespace ? {} : { name: item.name }), arguments: item.arguments });
    } else if (item.type === 'custom_tool_call') {
      out += this.ev('response.custom_tool_call_input.delta', { item_id: item.id, output_index: o.index, delta: item.input });
      out += this.ev('response.custom_tool_call_input.done', { item_id: item.id, output_index: o.index, input: item.input });
    }
    return out + this.ev('response.output_item.done', { output_index: o.index, item });
  }

  end(usage: Usage): string {
    const out = this.start() + this.close();
    const incomplete = incompleteDetails(this.finish);
    const status: ResponseStatus = incomplete === null ? 'completed' : 'incomplete';
    this.result = this.shell(status, this.output, usage, { incomplete });
    return out + this.ev(status === 'completed' ? 'response.completed' : 'response.incomplete', { response: this.result });
  }

  error(message: string): string {
    const out = this.start();
    const failed = this.shell('failed', this.output.filter((i) => Object.keys(i).length > 0), this.usage, { error: { code: 'server_error', message } });
    return out + this.ev('error', { code: 'server_error', message, param: null }) + this.ev('response.failed', { response: failed });
  }

  final(): unknown {
    return this.result;
  }
}
