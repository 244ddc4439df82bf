/**
 * Anthropic Messages content blocks and tools → canonical messages and tools, each block type
 * handled on purpose (Messages API as of anthropic-version 2026-10-21):
 *
 *   text, image (base64 | url)              → text and image parts
 *   document with a text or content source → text (its title first); a PDF (base64, url, file) → 400
 *   search_result                           → text (title, source, then its text blocks)
 *   tool_result (string | text, image, search_result, document blocks) → a tool message; its images
 *                                             follow as a user message; `is_error` → "Error: …"
 *   tool_use                                → the assistant's tool call
 *   thinking, redacted_thinking             → dropped: a provider's reasoning state, signed for
 *                                             Anthropic only; no other provider can take it back
 *   server tool blocks (server_tool_use, web_search_tool_result, web_fetch_tool_result,
 *   code_execution_tool_result, mcp_tool_use, mcp_tool_result, container_upload, …) → 400: they ran
 *                                             inside Anthropic and no other provider can continue them
 *   `cache_control` on any block            → dropped (a cache hint; providers cache on their own)
 *
 * Tools: custom tools (no `type`, or `custom`) → function tools; `defer_loading`, `strict`,
 * `cache_control`, `eager_input_streaming` and `input_examples` are hints dropped on purpose;
 * Anthropic-defined tools (`bash_…`, `text_editor_…`, `computer_…`, `web_search_…`, `code_execution_…`,
 * `memory_…`, `tool_search_tool_…`, `web_fetch_…`, `mcp_toolset`) → 400 naming the tool.
 */
import { TranslationError } from '../wire/errors.js';
import {
  asArray, asObject, asString, isObject, type ChatMessage, type ContentPart, type JsonObject, type ToolCall, type ToolDefinition,
} from '../wire/openai-types.js';

const bad = (message: string): TranslationError => new TranslationError(message, 400);

export function blocksOf(content: unknown, where: string): JsonObject[] {
  if (typeof content === 'string') return [{ type: 'text', text: content }];
  if (!Array.isArray(content)) throw bad(`${where}: content must be a string or an array of content blocks`);
  return content.map((b, j) => {
    if (!isObject(b) || typeof b.type !== 'string') throw bad(`${where}.${j}: every content block needs a type`);
    return b;
  });
}

function imagePart(block: JsonObject, where: string): ContentPart {
  const src = asObject(block.source);
  if (src.type === 'base64') return { type: 'image_url', image_url: { url: `data:${asString(src.media_type) ?? 'image/png'};base64,${asString(src.data) ?? ''}` } };
  if (src.type === 'url' && typeof src.url === 'string') return { type: 'image_url', image_url: { url: src.url } };
  throw bad(`${where}: image blocks need a base64 or url source (a file_id lives in Anthropic's file store)`);
}

const textOfBlocks = (blocks: unknown): string => asArray(blocks).filter(isObject).map((b) => asString(b.text) ?? '').filter((t) => t !== '').join('\n');

function documentText(block: JsonObject, where: string): string {
  const src = asObject(block.source);
  const body = src.type === 'text' ? asString(src.data) ?? '' : src.type === 'content' ? (typeof src.content === 'string' ? src.content : textOfBlocks(src.content)) : null;
  if (body === null) throw bad(`${where}: a document with a ${asString(src.type) ?? 'missing'} source (PDF or file) cannot be translated for this provider; send its text`);
  const title = asString(block.title);
  return title === undefined ? body : `${title}\n\n${body}`;
}

function searchResultText(block: JsonObject): string {
  return [asString(block.title), asString(block.source), textOfBlocks(block.content)].filter((t) => t !== undefined && t !== '').join('\n');
}

/** A block of a user turn or a tool result → a canonical part (null: dropped on purpose). */
function userPart(b: JsonObject, where: string): ContentPart | null {
  switch (b.type) {
    case 'text': return { type: 'text', text: asString(b.text) ?? '' };
    case 'image': return imagePart(b, where);
    case 'document': return { type: 'text', text: documentText(b, where) };
    case 'search_result': return { type: 'text', text: searchResultText(b) };
    case 'thinking':
    case 'redacted_thinking': return null;
    default: throw bad(`${where}: '${String(b.type)}' blocks cannot be translated for this provider`);
  }
}

export function simplify(parts: ContentPart[]): string | ContentPart[] {
  return parts.every((p) => p.type === 'text') ? parts.map((p) => (p.type === 'text' ? p.text : '')).join('') : parts;
}

function toolResult(b: JsonObject, where: string): ChatMessage[] {
  const parts = typeof b.content === 'string' ? [{ type: 'text' as const, text: b.content }]
    : blocksOf(b.content ?? [], `${where}.content`).map((x, k) => userPart(x, `${where}.content.${k}`)).filter((p): p is ContentPart => p !== null);
  const text = parts.map((p) => (p.type === 'text' ? p.text : '')).filter((t) => t !== '').join('\n');
  const images = parts.filter((p) => p.type === 'image_url');
  const content = images.length > 0 && text === '' ? '(see the image below)' : text;
  const out: ChatMessage[] = [{ role: 'tool', tool_call_id: asString(b.tool_use_id) ?? '', content: b.is_error === true ? `Error: ${content}` : content }];
  if (images.length > 0) out.push({ role: 'user', content: images });
  return out;
}

export function userMessages(blocks: JsonObject[], where: string): ChatMessage[] {
  const out: ChatMessage[] = [];
  const parts: ContentPart[] = [];
  blocks.forEach((b, j) => {
    if (b.type === 'tool_result') out.push(...toolResult(b, `${where}.${j}`));
    else {
      const p = userPart(b, `${where}.${j}`);
      if (p !== null) parts.push(p);
    }
  });
  if (parts.length > 0) out.push({ role: 'user', content: simplify(parts) });
  return out;
}

export function assistantMessage(blocks: JsonObject[], where: string): ChatMessage {
  const texts: string[] = [];
  const calls: ToolCall[] = [];
  blocks.forEach((b, j) => {
    if (b.type === 'text') texts.push(asString(b.text) ?? '');
    else if (b.type === 'tool_use') {
      calls.push({ id: asString(b.id) ?? '', type: 'function', function: { name: asString(b.name) ?? '', arguments: JSON.stringify(b.input ?? {}) } });
    } else if (b.type !== 'thinking' && b.type !== 'redacted_thinking') {
      throw bad(`${where}.${j}: '${String(b.type)}' blocks come from Anthropic's server tools and cannot be translated for this provider`);
    }
  });
  const msg: ChatMessage = { role: 'assistant', content: texts.length > 0 ? texts.join('') : null };
  if (calls.length > 0) msg.tool_calls = calls;
  return msg;
}

/** A `system` value (string or text blocks) → its text. */
export function systemText(content: unknown, where: string): string {
  return blocksOf(content, where).map((b, j) => {
    if (b.type !== 'text') throw bad(`${where}.${j}: system content must be text blocks`);
    return asString(b.text) ?? '';
  }).join('\n');
}

export function tools(v: unknown): ToolDefinition[] {
  return asArray(v).map((t, i) => {
    if (!isObject(t) || typeof t.name !== 'string') throw bad(`tools.${i}: a tool needs a name`);
    if (t.type !== undefined && t.type !== 'custom') {
      throw bad(`tools.${i}: '${String(t.type)}' is a tool Anthropic defines and runs; it cannot be translated for this provider (offer it as a custom tool with an input_schema)`);
    }
    return {
      type: 'function' as const,
      function: {
        name: t.name,
        ...(typeof t.description === 'string' ? { description: t.description } : {}),
        parameters: asObject(t.input_schema),
      },
    };
  });
}
