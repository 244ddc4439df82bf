/**
 * response-transformer (Kong `kong/plugins/response-transformer/`): in this order remove, rename,
 * replace, add, append
 *   - headers, in the `header` phase: every response the client gets from the upstream (streamed or
 *     not, AI routes included) and the gateway's replies on the route (exits of any plugin, errors);
 *   - top-level properties of a JSON object body (Content-Type application/json), in the
 *     `response` phase (buffered upstream answers; SSE streams are not JSON and pass untouched) and
 *     the `replyBody` phase (gateway replies such as request-termination's).
 *     Values are strings unless `json_types` (by position) says boolean (`"true"` → true, anything
 *     else false) or number (not a number: the entry is skipped). `add` also fills a property that
 *     is false (Kong's `not json_body[name]`), `replace` leaves false untouched.
 * Only a JSON transform makes the plugin buffer responses; header-only configs stream through.
 */
import type { BufferedResponse, GatewayContext } from '../../context.js';
import type { KongPlugin, PluginInstance, ResponseHeaders } from '../../plugin.js';

type JsonType = 'boolean' | 'number' | 'string';

interface Pair {
  name: string;
  value: string | null;
}

interface Typed {
  pairs: Pair[];
  types: JsonType[];
}

interface TransformConfig {
  removeHeaders: string[];
  removeJson: string[];
  renameHeaders: Pair[];
  renameJson: Pair[];
  replace: { headers: Pair[]; json: Typed };
  add: { headers: Pair[]; json: Typed };
  append: { headers: Pair[]; json: Typed };
  hasJson: boolean;
}

/** Kong's `^([^:]+):*(.-)$`: the name up to the first colon, the rest (null when empty). */
function pair(entry: string): Pair {
  const m = /^([^:]+):*(.*)$/s.exec(entry);
  if (!m) return { name: entry, value: null };
  return { name: m[1], value: m[2] === '' ? null : m[2] };
}

function jsonValue(value: string | null, type: JsonType | undefined): unknown {
  if (value === null) return undefined;
  if (type === 'boolean') return value === 'true';
  if (type === 'number') {
    const n = Number(value);
    return value.trim() === '' || !Number.isFinite(n) ? undefined : n;
  }
  return value;
}

function transformHeaders(c: TransformConfig, h: ResponseHeaders): void {
  for (const name of c.removeHeaders) h.remove(pair(name).name);
  for (const { name, value } of c.renameHeaders) {
    const v = h.get(name);
    if (v === undefined || value === null) continue;
    h.remove(name);
    h.set(value, v);
  }
  for (const { name, value } of c.replace.headers) if (h.get(name) !== undefined && value !== null) h.set(name, value);
  for (const { name, value } of c.add.headers) if (h.get(name) === undefined && value !== null) h.set(name, value);
  for (const { name, value } of c.append.headers) if (value !== null) h.add(name, value);
}

function transformJson(c: TransformConfig, body: Record<string, unknown>): void {
  for (const name of c.removeJson) delete body[pair(name).name];
  for (const { name, value } of c.renameJson) {
    if (body[name] === undefined || value === null) continue;
    const v = body[name];
    delete body[name];
    body[value] = v;
  }
  c.replace.json.pairs.forEach(({ name, value }, i) => {
    const v = jsonValue(value, c.replace.json.types[i]);
    if (v !== undefined && body[name] !== undefined && body[name] !== false) body[name] = v;
  });
  c.add.json.pairs.forEach(({ name, value }, i) => {
    const v = jsonValue(value, c.add.json.types[i]);
    if (v !== undefined && (body[name] === undefined || body[name] === false)) body[name] = v;
  });
  c.append.json.pairs.forEach(({ name, value }, i) => {
    const v = jsonValue(value, c.append.json.types[i]);
    if (v === undefined) return;
    const cur = body[name];
    body[name] = typeof cur === 'string' ? [cur, v] : Array.isArray(cur) ? [...(cur as unknown[]), v] : [v];
  });
}

/** Kong's is_json_body: some media type of Content-Type is exactly application/json (parameters aside). */
function isJson(contentType: string | string[] | undefined): boolean {
  const value = Array.isArray(contentType) ? contentType[0] ?? '' : contentType ?? '';
  return value.split(',').some((ct) => /^application\/json\s*(;|$)/.test(ct.trim()));
}

function transformBody(c: TransformConfig, res: BufferedResponse): void {
  if (!isJson(res.headers['content-type'])) return;
  let parsed: unknown;
  try {
    parsed = JSON.parse(res.body.toString('utf8'));
  } catch {
    return; // Kong logs "body transform failed" and leaves the body as it is
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) return;
  transformJson(c, parsed as Record<string, unknown>);
  res.body = Buffer.from(JSON.stringify(parsed));
}

const typed = (r: { json: string[]; json_types: string[]; headers: string[] }) => ({
  headers: r.headers.map(pair),
  json: { pairs: r.json.map(pair), types: r.json_types as JsonType[] },
});

export const responseTransformer: KongPlugin<'response-transformer', TransformConfig> = {
  name: 'response-transformer',
  parse: (c) => ({
    removeHeaders: c.remove.headers,
    removeJson: c.remove.json,
    renameHeaders: c.rename.headers.map(pair),
    renameJson: c.rename.json.map(pair),
    replace: typed(c.replace),
    add: typed(c.add),
    append: typed(c.append),
    hasJson: [c.remove.json, c.rename.json, c.replace.json, c.add.json, c.append.json].some((l) => l.length > 0),
  }),
  create(c) {
    const instance: PluginInstance = { header: (_ctx: GatewayContext, h) => transformHeaders(c, h) };
    if (!c.hasJson) return instance;
    return {
      ...instance,
      buffers: (_ctx, _status, headers) => isJson(headers['content-type']),
      response: (_ctx, res) => transformBody(c, res),
      replyBody: (_ctx, res) => transformBody(c, res),
    };
  },
};
