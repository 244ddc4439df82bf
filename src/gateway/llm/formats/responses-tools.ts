/**
 * Responses API tools → canonical (chat) function tools, and the way back for the calls a provider
 * makes. What each Responses tool type becomes on a translated route (documented in
 * src/gateway/providers/DIFFERENCES.md):
 *
 *   function                     → a function tool, as is (`strict` is OpenAI's and is dropped)
 *   custom (freeform, grammar)   → a function tool with one string parameter `input`; the grammar
 *                                  goes into the description; the call comes back as a
 *                                  `custom_tool_call` whose `input` is that string
 *   namespace {name, tools}      → its function/custom tools, each named `<namespace>__<name>`; the
 *                                  call comes back as the inner name with `namespace`
 *   tool_search (execution client) → a function tool `tool_search`; its call comes back as a
 *                                  `tool_search_call`; tools returned in `tool_search_output` items
 *                                  are offered from then on
 *   hosted tools (web_search, file_search, code_interpreter, computer, image_generation, mcp,
 *   shell, local_shell, apply_patch, server-side tool_search) → refused with a 400 naming the tool:
 *                                  they run inside OpenAI and no other provider can run them
 */
import { asArray, asObject, asString, isObject, parseToolArguments, type JsonObject, type ToolChoice, type ToolDefinition } from '../wire/openai-types.js';

/** A Responses field the translation cannot honour: the 400 names it (`param`). */
export interface Untranslatable { param: string; message: string }

/** How a canonical function name maps back to a Responses call. */
export type ToolKind =
  | { kind: 'function' }
  | { kind: 'custom' }
  | { kind: 'namespaced'; namespace: string; name: string; custom: boolean }
  | { kind: 'tool_search' };

export interface ToolTable {
  tools: ToolDefinition[];
  /** Canonical function name → what the client offered. */
  kinds: Map<string, ToolKind>;
}

export const NAMESPACE_SEPARATOR = '__';
const TOOL_SEARCH = 'tool_search';

function customTool(t: JsonObject, name: string): ToolDefinition {
  const format = asObject(t.format);
  let description = asString(t.description) ?? '';
  if (format.type === 'grammar' && typeof format.definition === 'string') {
    const syntax = asString(format.syntax) ?? 'lark';
    description += `${description === '' ? '' : '\n\n'}The input is free text (not JSON) that must match this ${syntax} grammar:\n${format.definition}`;
  }
  const input: JsonObject = { type: 'string', description: 'The raw input of the tool.' };
  return {
    type: 'function',
    function: {
      name,
      ...(description !== '' ? { description } : {}),
      parameters: { type: 'object', properties: { input }, required: ['input'], additionalProperties: false },
    },
  };
}

function functionTool(t: JsonObject, name: string): ToolDefinition {
  const fn: ToolDefinition['function'] = { name };
  if (typeof t.description === 'string') fn.description = t.description;
  fn.parameters = isObject(t.parameters) ? t.parameters : { type: 'object', properties: {} };
  return { type: 'function', function: fn };
}

/** Adds one Responses tool to the table; hosted tools are reported, not added. */
function addTool(table: ToolTable, t: unknown, param: string, issues: Untranslatable[]): void {
  if (!isObject(t)) {
    issues.push({ param, message: `${param}: a tool must be an object` });
    return;
  }
  const name = asString(t.name) ?? '';
  if (t.type === 'function' && name !== '') {
    table.tools.push(functionTool(t, name));
    table.kinds.set(name, { kind: 'function' });
  } else if (t.type === 'custom' && name !== '') {
    table.tools.push(customTool(t, name));
    table.kinds.set(name, { kind: 'custom' });
  } else if (t.type === 'namespace' && name !== '') {
    asArray(t.tools).forEach((inner, i) => {
      const o = asObject(inner);
      const innerName = asString(o.name) ?? '';
      const full = `${name}${NAMESPACE_SEPARATOR}${innerName}`;
      if (innerName === '' || (o.type !== 'function' && o.type !== 'custom')) {
        issues.push({ param: `${param}.tools[${i}]`, message: `${param}.tools[${i}]: a namespace holds function and custom tools only` });
        return;
      }
      table.tools.push(o.type === 'custom' ? customTool(o, full) : functionTool(o, full));
      table.kinds.set(full, { kind: 'namespaced', namespace: name, name: innerName, custom: o.type === 'custom' });
    });
  } else if (t.type === TOOL_SEARCH && t.execution === 'client') {
    table.tools.push(functionTool({ description: t.description, parameters: t.parameters }, TOOL_SEARCH));
    table.kinds.set(TOOL_SEARCH, { kind: 'tool_search' });
  } else {
    const type = asString(t.type) ?? 'unknown';
    issues.push({
      param,
      message: `${param}: the hosted tool '${type}' runs inside OpenAI and cannot be translated for this provider; remove it (Codex: -c web_search="disabled") or use an OpenAI upstream`,
    });
  }
}

/** The canonical tools of a Responses request: `tools`, then those loaded by `tool_search_output` items. */
export function toolTable(body: JsonObject, loaded: readonly unknown[], issues: Untranslatable[]): ToolTable {
  const table: ToolTable = { tools: [], kinds: new Map() };
  asArray(body.tools).forEach((t, i) => addTool(table, t, `tools[${i}]`, issues));
  loaded.forEach((t) => {
    const name = asString(asObject(t).name);
    if (name === undefined || !table.kinds.has(name)) addTool(table, t, 'tool_search_output.tools', issues);
  });
  return table;
}

/** The canonical name of a call item the client replays (`namespace` + `name` for namespaced tools). */
export function canonicalToolName(item: JsonObject): string {
  const name = asString(item.name) ?? '';
  const ns = asString(item.namespace);
  return ns === undefined || ns === '' ? name : `${ns}${NAMESPACE_SEPARATOR}${name}`;
}

/** Responses `tool_choice` → canonical; `allowed_tools` also narrows the tool list. */
export function toolChoice(v: unknown, table: ToolTable, issues: Untranslatable[]): ToolChoice | undefined {
  if (v === undefined || v === null) return undefined;
  if (v === 'auto' || v === 'none' || v === 'required') return v;
  const o = asObject(v);
  if ((o.type === 'function' || o.type === 'custom') && typeof o.name === 'string') {
    return { type: 'function', function: { name: canonicalToolName(o) } };
  }
  if (o.type === 'allowed_tools') {
    const allowed = new Set(asArray(o.tools).map((t) => canonicalToolName(asObject(t))));
    table.tools = table.tools.filter((t) => allowed.has(t.function.name));
    return o.mode === 'required' ? 'required' : 'auto';
  }
  issues.push({ param: 'tool_choice', message: `tool_choice: '${asString(o.type) ?? 'unknown'}' names a hosted tool, which cannot be translated for this provider` });
  return undefined;
}

/** A canonical tool call → the Responses output item the client expects for it. */
export function callItem(kinds: ReadonlyMap<string, ToolKind>, id: string, callId: string, name: string, args: string): JsonObject {
  const kind = kinds.get(name) ?? { kind: 'function' };
  const customInput = (): string => {
    const parsed = asObject(parseToolArguments(args));
    return typeof parsed.input === 'string' ? parsed.input : args;
  };
  switch (kind.kind) {
    case 'custom':
      return { id: id.replace(/^fc_/, 'ctc_'), type: 'custom_tool_call', status: 'completed', call_id: callId, name, input: customInput() };
    case 'namespaced':
      return kind.custom
        ? { id: id.replace(/^fc_/, 'ctc_'), type: 'custom_tool_call', status: 'completed', call_id: callId, namespace: kind.namespace, name: kind.name, input: customInput() }
        : { id, type: 'function_call', status: 'completed', call_id: callId, namespace: kind.namespace, name: kind.name, arguments: args };
    case 'tool_search':
      return { id: id.replace(/^fc_/, 'tsc_'), type: 'tool_search_call', status: 'completed', call_id: callId, execution: 'client', arguments: parseToolArguments(args) };
    default:
      return { id, type: 'function_call', status: 'completed', call_id: callId, name, arguments: args };
  }
}
