import { createHash } from 'node:crypto';
import { isRecord, list, str } from './json.js';

/**
 * Deterministic answers. Every provider module turns its request into a `Conversation`, asks
 * `answer()` what to say, and renders the `Answer` in its own wire format, so all providers answer
 * the same question the same way.
 *
 * Rules (documented for test authors):
 * - the last message is a tool result → text "The tool returned: <result>";
 * - tools are offered and tool choice is required/named, or the last user message mentions
 *   "weather" or the word "tool" (and choice is not none) → a call to the named or first tool, with
 *   arguments sampled from its JSON schema (required properties; strings "mock" or, for
 *   location/city, "San Francisco, CA"; numbers 1; booleans true; enums their first value);
 * - the last user message holds a flat JSON object (`{"file_path": "notes.txt"}`) whose keys are
 *   properties of an offered tool and cover its required ones → a call to the first such tool with
 *   those arguments (so agents like Claude Code and Codex can be driven to a real tool call);
 * - a message containing "1 + 1" → "The answer to 1 + 1 is 2." (as in Kong's fixtures);
 * - otherwise → "Mock answer to: <last user message, whitespace collapsed, cut at 80 chars>".
 * Tokens are whitespace-separated words: prompt = words of every message, completion = words of
 * the answer (tool calls: ceil(arguments length / 4), at least 1). A `maxTokens` below the answer's
 * word count truncates it and finishes with `length`.
 */

export interface ToolSpec {
  name: string;
  schema: unknown;
}

export type ToolChoice = { mode: 'auto' } | { mode: 'none' } | { mode: 'required' } | { mode: 'named'; name: string };

export interface Conversation {
  /** Text of every message in order, system included (for prompt token counts). */
  texts: string[];
  lastUser: string;
  /** The content of the trailing tool result, when the last message is one. */
  toolResult?: string;
  tools: ToolSpec[];
  toolChoice: ToolChoice;
  maxTokens?: number;
}

export interface ToolCall {
  id: string;
  name: string;
  args: Record<string, unknown>;
  /** `args` as a JSON string, and the same string cut in pieces for streaming. */
  json: string;
  jsonPieces: string[];
}

export interface Answer {
  text: string;
  /** The text cut into word pieces ("The ", "answer ", …) for streaming; joined they give `text`. */
  pieces: string[];
  finish: 'stop' | 'length' | 'tool';
  toolCall?: ToolCall;
  promptTokens: number;
  completionTokens: number;
  /** A stable hex digest of the conversation, for ids. */
  digest: string;
}

const TOOL_WORDS = /weather|\btools?\b/i;

export function countWords(text: string): number {
  const m = text.match(/\S+/g);
  return m === null ? 0 : m.length;
}

export function digestOf(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

export function conversation(partial: Partial<Conversation>): Conversation {
  return { texts: [], lastUser: '', tools: [], toolChoice: { mode: 'auto' }, ...partial };
}

function truncate(text: string, max: number): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length <= max ? flat : `${flat.slice(0, max)}…`;
}

export function answerText(lastUser: string): string {
  if (lastUser.includes('1 + 1')) return 'The answer to 1 + 1 is 2.';
  const q = truncate(lastUser, 80);
  return q === '' ? 'Mock answer.' : `Mock answer to: ${q}`;
}

/** The last flat JSON object in a text, when there is one with at least one key. */
function promptArgs(text: string): Record<string, unknown> | undefined {
  const found = text.match(/\{[^{}]*\}/g) ?? [];
  for (const candidate of found.reverse()) {
    try {
      const v: unknown = JSON.parse(candidate);
      if (isRecord(v) && Object.keys(v).length > 0) return v;
    } catch { /* not JSON */ }
  }
  return undefined;
}

/** The first tool whose parameters take exactly `args`' keys and whose required ones are all in `args`. */
function toolFor(tools: ToolSpec[], args: Record<string, unknown>): ToolSpec | undefined {
  const keys = Object.keys(args);
  return tools.find((t) => {
    const props = isRecord(t.schema) && isRecord(t.schema.properties) ? t.schema.properties : {};
    const required = isRecord(t.schema) ? list(t.schema.required) : [];
    return keys.every((k) => k in props) && required.every((k) => typeof k === 'string' && k in args);
  });
}

function wantsTool(conv: Conversation): ToolSpec | undefined {
  if (conv.tools.length === 0 || conv.toolResult !== undefined) return undefined;
  const choice = conv.toolChoice;
  if (choice.mode === 'none') return undefined;
  const args = choice.mode === 'named' ? undefined : promptArgs(conv.lastUser);
  const byArgs = args === undefined ? undefined : toolFor(conv.tools, args);
  if (byArgs !== undefined) return byArgs;
  if (choice.mode === 'named') return conv.tools.find((t) => t.name === choice.name) ?? conv.tools[0];
  if (choice.mode === 'required' || TOOL_WORDS.test(conv.lastUser)) return conv.tools[0];
  return undefined;
}

function sampleValue(schema: unknown, name: string, depth: number): unknown {
  if (!isRecord(schema)) return 'mock';
  const choices = list(schema.enum);
  if (choices.length > 0) return choices[0];
  const type = Array.isArray(schema.type) ? str(schema.type[0]) : str(schema.type);
  switch (type) {
    case 'number':
    case 'integer':
      return 1;
    case 'boolean':
      return true;
    case 'array':
      return [];
    case 'object':
      return depth > 3 ? {} : sampleObject(schema, depth + 1);
    default:
      return /location|city/i.test(name) ? 'San Francisco, CA' : 'mock';
  }
}

/** Arguments for a tool call: the schema's required properties (all of them when none is required). */
export function sampleObject(schema: unknown, depth = 0): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (!isRecord(schema) || !isRecord(schema.properties)) return out;
  const props = schema.properties;
  const required = list(schema.required).filter((k): k is string => typeof k === 'string' && k in props);
  for (const key of required.length > 0 ? required : Object.keys(props)) out[key] = sampleValue(props[key], key, depth);
  return out;
}

function splitEvery(text: string, size: number): string[] {
  const out: string[] = [];
  for (let i = 0; i < text.length; i += size) out.push(text.slice(i, i + size));
  return out.length > 0 ? out : [''];
}

function toolCall(tool: ToolSpec, digest: string, given: Record<string, unknown> | undefined): ToolCall {
  const args = { ...sampleObject(tool.schema), ...(given !== undefined && toolFor([tool], given) !== undefined ? given : {}) };
  const json = JSON.stringify(args);
  return { id: digest.slice(0, 24), name: tool.name, args, json, jsonPieces: splitEvery(json, 12) };
}

export function answer(conv: Conversation): Answer {
  const digest = digestOf(JSON.stringify([conv.texts, conv.lastUser, conv.toolResult ?? null, conv.tools.map((t) => t.name)]));
  const promptTokens = conv.texts.reduce((n, t) => n + countWords(t), 0);
  const tool = wantsTool(conv);
  if (tool !== undefined) {
    const call = toolCall(tool, digest, promptArgs(conv.lastUser));
    const completionTokens = Math.max(1, Math.ceil(call.json.length / 4));
    return { text: '', pieces: [], finish: 'tool', toolCall: call, promptTokens, completionTokens, digest };
  }
  const full = conv.toolResult !== undefined ? `The tool returned: ${truncate(conv.toolResult, 200)}` : answerText(conv.lastUser);
  let pieces: string[] = full.match(/\S+\s*/g) ?? [];
  let finish: Answer['finish'] = 'stop';
  if (conv.maxTokens !== undefined && conv.maxTokens >= 0 && pieces.length > conv.maxTokens) {
    pieces = pieces.slice(0, conv.maxTokens);
    finish = 'length';
  }
  const text = finish === 'length' ? pieces.join('').trimEnd() : full;
  if (finish === 'length' && pieces.length > 0) pieces[pieces.length - 1] = pieces[pieces.length - 1].trimEnd();
  return { text, pieces, finish, promptTokens, completionTokens: pieces.length, digest };
}
