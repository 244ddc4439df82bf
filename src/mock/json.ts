/** Narrowing helpers for request bodies parsed from JSON (parse at the edge, no `any` inside). */

export type JsonObject = Record<string, unknown>;

export function isRecord(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function str(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

export function num(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

export function list(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

export function field(value: unknown, key: string): unknown {
  return isRecord(value) ? value[key] : undefined;
}

/**
 * The text of a message content in any provider's shape: a string, or an array of parts carrying
 * `text` (OpenAI, Anthropic, Gemini, Bedrock), nested `content` (tool results) or `json` values.
 */
export function textOf(content: unknown, depth = 0): string {
  if (typeof content === 'string') return content;
  if (depth > 4) return '';
  if (Array.isArray(content)) return content.map((part) => textOf(part, depth + 1)).filter((t) => t !== '').join('\n');
  if (!isRecord(content)) return '';
  if (typeof content.text === 'string') return content.text;
  if (content.content !== undefined) return textOf(content.content, depth + 1);
  if (content.json !== undefined) return JSON.stringify(content.json);
  if (content.response !== undefined) return JSON.stringify(content.response);
  return '';
}

/** Parse a request body; `undefined` for an empty body, an Error when it is not JSON. */
export function parseBody(raw: Buffer): unknown {
  if (raw.length === 0) return undefined;
  try {
    return JSON.parse(raw.toString('utf8')) as unknown;
  } catch (err) {
    return err instanceof Error ? err : new Error('invalid JSON');
  }
}
