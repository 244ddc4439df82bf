/**
 * A Responses API request (`POST /v1/responses`) → the canonical chat request every plugin and
 * provider understands. The conversion never throws for what only a translation cannot honour:
 * such fields are collected as `issues` in the exchange (the Responses request kept beside the
 * canonical one under CLIENT_STATE), and a translated call refuses the first with a 400 naming its
 * `param`; a native (OpenAI) upstream gets the client's own body and ignores them.
 *
 *   instructions                 → a system message first
 *   previous_response_id         → the stored conversation (its inputs and outputs), then the input
 *   message (user|system|developer|assistant; input_text, input_image, output_text, refusal)
 *                                → chat messages (developer → system)
 *   function_call, custom_tool_call, tool_search_call → the assistant message's tool_calls
 *   *_call_output                → tool messages (images in an output follow as a user message)
 *   reasoning                    → dropped (OpenAI's reasoning state; no other provider can use it)
 *   item_reference               → the stored item it names
 *   hosted tool items, input_file, input_audio → issues
 */
import { TranslationError } from '../wire/errors.js';
import {
  asArray, asNumber, asObject, asString, CLIENT_STATE, isObject,
  type CanonicalRequest, type ChatMessage, type ContentPart, type JsonObject, type ToolCall,
} from '../wire/openai-types.js';
import { canonicalToolName, toolChoice, toolTable, type ToolKind, type Untranslatable } from './responses-tools.js';
import type { FormatEnv } from './types.js';

/** What the responses format keeps beside the canonical request (under CLIENT_STATE). */
export interface ResponsesExchange {
  /** The gateway's request id: the response and its items are named after it. */
  rid: string;
  /** The client's Responses body, as sent. */
  body: JsonObject;
  /** This request's input items, each with an `id` (given or minted), for storage and `input_items`. */
  input: JsonObject[];
  /** What a translation cannot honour; the first is a 400 on a translated route. */
  issues: Untranslatable[];
  /** Canonical tool name → the Responses tool it came from. */
  kinds: Map<string, ToolKind>;
  /** The canonical messages as converted (JSON), to tell whether a plugin edited them. */
  snapshot: string;
  /** Each converted message → the items it came from (empty: synthesised, nothing to resend) and its JSON. */
  origin: WeakMap<ChatMessage, { items: JsonObject[]; json: string }>;
  /** The system message made of `instructions`, when there was one. */
  instructionsMessage: ChatMessage | null;
  /** Items that made no message after the last one (reasoning, references a native upstream resolves). */
  trailing: JsonObject[];
}

const bad = (message: string): TranslationError => new TranslationError(message, 400);

/** The exchange kept on a canonical request converted from a Responses request. */
export function responsesExchange(req: CanonicalRequest): ResponsesExchange | undefined {
  const s = req[CLIENT_STATE];
  return isObject(s) && Array.isArray(s.input) && s.kinds instanceof Map ? (s as unknown as ResponsesExchange) : undefined;
}

function textPart(text: string): ContentPart {
  return { type: 'text', text };
}

/** Message content (string or parts) → canonical parts; untranslatable parts are issues. */
function parts(content: unknown, param: string, issues: Untranslatable[]): ContentPart[] {
  if (typeof content === 'string') return [textPart(content)];
  const out: ContentPart[] = [];
  asArray(content).forEach((p, i) => {
    const o = asObject(p);
    const at = `${param}[${i}]`;
    if (o.type === 'input_text' || o.type === 'output_text' || o.type === 'text') out.push(textPart(asString(o.text) ?? ''));
    else if (o.type === 'refusal') out.push(textPart(asString(o.refusal) ?? ''));
    else if (o.type === 'input_image' && typeof o.image_url === 'string') {
      const detail = asString(o.detail);
      out.push({ type: 'image_url', image_url: detail === undefined || detail === 'auto' ? { url: o.image_url } : { url: o.image_url, detail } });
    } else if (o.type === 'input_image') issues.push({ param: at, message: `${at}: an image given by file_id lives in OpenAI's file store and cannot be translated; send image_url` });
    else issues.push({ param: at, message: `${at}: '${asString(o.type) ?? 'unknown'}' content cannot be translated for this provider` });
  });
  return out;
}

function simplify(p: ContentPart[]): string | ContentPart[] {
  return p.every((x) => x.type === 'text') ? p.map((x) => (x.type === 'text' ? x.text : '')).join('') : p;
}

/** Tool output (string or parts) → the tool message's text, and any images (sent after it as a user message). */
function toolOutput(output: unknown, param: string, issues: Untranslatable[]): { text: string; images: ContentPart[] } {
  if (typeof output === 'string') return { text: output, images: [] };
  if (!Array.isArray(output)) return { text: output === undefined || output === null ? '' : JSON.stringify(output), images: [] };
  const all = parts(output, param, issues);
  const images = all.filter((p) => p.type === 'image_url');
  const text = all.map((p) => (p.type === 'text' ? p.text : '')).join('');
  return { text: images.length > 0 && text === '' ? '(see the image below)' : text, images };
}

const HOSTED_ITEMS = /^(web_search_call|file_search_call|computer_call|computer_call_output|code_interpreter_call|image_generation_call|local_shell_call|local_shell_call_output|shell_call|shell_call_output|apply_patch_call|apply_patch_call_output|mcp_call|mcp_list_tools|mcp_approval_request|mcp_approval_response|compaction|program|program_output)$/;

/** Walks input items in order, building chat messages. */
class Converter {
  readonly messages: ChatMessage[] = [];
  readonly origin = new WeakMap<ChatMessage, { items: JsonObject[]; json: string }>();
  readonly loadedTools: unknown[] = [];
  private assistant: ChatMessage | null = null;
  private carry: JsonObject[] = [];
  private readonly sources = new Map<ChatMessage, JsonObject[]>();

  constructor(readonly issues: Untranslatable[], private readonly env: FormatEnv) {}

  /** A message made from `items` (plus whatever items without a message preceded it). */
  push(m: ChatMessage, items: JsonObject[]): void {
    this.assistant = null;
    this.messages.push(m);
    this.sources.set(m, [...this.carry, ...items]);
    this.carry = [];
  }

  private addToAssistant(item: JsonObject, text: string | null, call: ToolCall | null): void {
    let m = this.assistant;
    if (m === null || (text !== null && (m.tool_calls?.length ?? 0) > 0)) {
      m = { role: 'assistant', content: null };
      this.push(m, []);
      this.assistant = m;
    }
    this.sources.get(m)?.push(item);
    if (text !== null) m.content = (typeof m.content === 'string' ? m.content : '') + text;
    if (call !== null) (m.tool_calls ??= []).push(call);
  }

  item(raw: unknown, param: string, depth = 0): void {
    if (!isObject(raw)) {
      this.issues.push({ param, message: `${param}: an input item must be an object` });
      return;
    }
    const type = raw.type ?? 'message';
    if (type === 'message') this.message(raw, param);
    else if (type === 'function_call' || type === 'custom_tool_call') {
      const args = type === 'custom_tool_call' ? JSON.stringify({ input: asString(raw.input) ?? '' }) : asString(raw.arguments) ?? '{}';
      this.addToAssistant(raw, null, { id: asString(raw.call_id) ?? '', type: 'function', function: { name: canonicalToolName(raw), arguments: args } });
    } else if (type === 'tool_search_call') {
      const args = typeof raw.arguments === 'string' ? raw.arguments : JSON.stringify(raw.arguments ?? {});
      this.addToAssistant(raw, null, { id: asString(raw.call_id) ?? '', type: 'function', function: { name: 'tool_search', arguments: args } });
    } else if (type === 'function_call_output' || type === 'custom_tool_call_output' || type === 'tool_search_output') {
      this.output(raw, param);
    } else if (type === 'item_reference') this.reference(raw, param, depth);
    else if (type === 'reasoning') this.carry.push(raw);
    else if (typeof type === 'string' && HOSTED_ITEMS.test(type)) {
      this.carry.push(raw);
      this.issues.push({ param, message: `${param}: '${type}' items come from OpenAI's hosted tools and cannot be translated for this provider` });
    } else this.issues.push({ param, message: `${param}: unknown input item type '${String(type)}'` });
  }

  private message(raw: JsonObject, param: string): void {
    const role = asString(raw.role);
    if (role === 'assistant') {
      const text = parts(raw.content, `${param}.content`, this.issues).map((p) => (p.type === 'text' ? p.text : '')).join('');
      this.addToAssistant(raw, text, null);
      return;
    }
    if (role !== 'user' && role !== 'system' && role !== 'developer') throw bad(`${param}.role: must be one of user, assistant, system, developer`);
    this.push({ role: role === 'developer' ? 'system' : role, content: simplify(parts(raw.content, `${param}.content`, this.issues)) }, [raw]);
  }

  private output(raw: JsonObject, param: string): void {
    const { text, images } = toolOutput(raw.output, `${param}.output`, this.issues);
    if (raw.type === 'tool_search_output') this.loadedTools.push(...asArray(raw.tools));
    const content = raw.type === 'tool_search_output' ? JSON.stringify(asArray(raw.tools).map((t) => asObject(t).name)) : text;
    this.push({ role: 'tool', tool_call_id: asString(raw.call_id) ?? '', content }, [raw]);
    if (images.length > 0) this.push({ role: 'user', content: images }, []);
  }

  private reference(raw: JsonObject, param: string, depth: number): void {
    const id = asString(raw.id) ?? '';
    const found = depth < 2 ? this.env.conversations?.item(id, this.env.owner) : undefined;
    if (found !== undefined) {
      this.item(found, param, depth + 1);
      return;
    }
    this.carry.push(raw);
    this.issues.push({
      param,
      message: `${param}: item_reference '${id}' is not an item this gateway stored for you; send the item itself (with the AI SDK: providerOptions.openai.store = false) or use store: true on the request that produced it`,
    });
  }

  /** Seals the conversion: per-message origins and JSON (for the native path's edit check). */
  finish(): JsonObject[] {
    for (const m of this.messages) this.origin.set(m, { items: this.sources.get(m) ?? [], json: JSON.stringify(m) });
    return this.carry;
  }
}

/** The input items of the request, each with an id (given, or minted from the request id). */
function inputItems(body: JsonObject, requestId: string): JsonObject[] {
  const list = typeof body.input === 'string' ? [{ type: 'message', role: 'user', content: [{ type: 'input_text', text: body.input }] }] : asArray(body.input);
  return list.filter(isObject).map((item, i) => {
    const typed = item.type === undefined ? { type: 'message', ...item } : item;
    return typeof typed.id === 'string' && typed.id !== '' ? typed : { id: `msg_${requestId}_${i}`, ...typed };
  });
}

function history(body: JsonObject, env: FormatEnv, issues: Untranslatable[]): JsonObject[] {
  const prev = asString(body.previous_response_id);
  if (prev === undefined || prev === '') return [];
  const found = env.conversations?.conversation(prev, env.owner);
  if (found !== undefined && 'items' in found) return found.items;
  const why = found === undefined
    ? `response '${prev}' was not stored by this gateway for you (it was made with store: false, deleted, expired, or belongs to another consumer)`
    : `an earlier response of its conversation ('${found.missing}') is no longer stored`;
  issues.push({ param: 'previous_response_id', message: `previous_response_id: ${why}; send the whole conversation in input instead` });
  return [];
}

function instructionsOf(body: JsonObject, conv: Converter): ChatMessage | null {
  if (typeof body.instructions === 'string' && body.instructions !== '') {
    const m: ChatMessage = { role: 'system', content: body.instructions };
    conv.push(m, []);
    return m;
  }
  asArray(body.instructions).forEach((item, i) => conv.item(item, `instructions[${i}]`));
  return null;
}

function textFormat(body: JsonObject): JsonObject | undefined {
  const f = asObject(asObject(body.text).format);
  if (f.type === 'json_object') return { type: 'json_object' };
  if (f.type !== 'json_schema') return undefined;
  const schema: JsonObject = { name: asString(f.name) ?? 'response', schema: asObject(f.schema) };
  if (typeof f.strict === 'boolean') schema.strict = f.strict;
  if (typeof f.description === 'string') schema.description = f.description;
  return { type: 'json_schema', json_schema: schema };
}

const UNSERVABLE: Record<string, string> = {
  background: 'background: background responses (polled later) cannot be translated for this provider',
  conversation: "conversation: OpenAI's Conversations API objects cannot be translated for this provider; send the input items",
  prompt: "prompt: OpenAI's stored prompt templates cannot be translated for this provider",
};

function samplingAndFormat(body: JsonObject, req: CanonicalRequest): void {
  const max = asNumber(body.max_output_tokens);
  if (max !== undefined) req.max_tokens = max;
  for (const k of ['temperature', 'top_p'] as const) {
    const v = asNumber(body[k]);
    if (v !== undefined) req[k] = v;
  }
  if (typeof body.parallel_tool_calls === 'boolean') req.parallel_tool_calls = body.parallel_tool_calls;
  const user = asString(body.user) ?? asString(body.safety_identifier);
  if (user !== undefined) req.user = user;
  const format = textFormat(body);
  if (format !== undefined) req.response_format = format;
}

/** Responses request → canonical chat request (see the module comment). Throws TranslationError(400) on malformed input. */
export function responsesRequestToCanonical(body: JsonObject, env: FormatEnv): CanonicalRequest {
  if (body.input !== undefined && typeof body.input !== 'string' && !Array.isArray(body.input)) throw bad('input: must be a string or an array of input items');
  const issues: Untranslatable[] = [];
  for (const [k, message] of Object.entries(UNSERVABLE)) if (body[k] !== undefined && body[k] !== null && body[k] !== false) issues.push({ param: k, message });
  const conv = new Converter(issues, env);
  const instructionsMessage = instructionsOf(body, conv);
  history(body, env, issues).forEach((item, i) => conv.item(item, `previous_response_id[${i}]`));
  const input = inputItems(body, env.requestId);
  const given = typeof body.input === 'string' ? input : asArray(body.input);
  given.forEach((item, i) => conv.item(item, `input[${i}]`));
  const trailing = conv.finish();
  // items that make no message (references, reasoning) are an OpenAI upstream's to resolve, and a translation's issue
  if (conv.messages.length === 0 && trailing.length === 0 && issues.length === 0) throw bad('input: at least one input item is required (or previous_response_id)');
  const table = toolTable(body, conv.loadedTools, issues);
  const req: CanonicalRequest = { messages: conv.messages };
  if (typeof body.model === 'string') req.model = body.model;
  if (body.stream === true) req.stream = true;
  const choice = toolChoice(body.tool_choice, table, issues);
  if (table.tools.length > 0) req.tools = table.tools;
  if (choice !== undefined) req.tool_choice = choice;
  samplingAndFormat(body, req);
  const exchange: ResponsesExchange = {
    rid: env.requestId, body, input, issues, kinds: table.kinds, snapshot: JSON.stringify(conv.messages), origin: conv.origin, instructionsMessage, trailing,
  };
  req[CLIENT_STATE] = exchange;
  return req;
}
