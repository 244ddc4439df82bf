/**
 * JSON Schema (schemas/*.json) → Kong's `/schemas` format:
 * `{ fields: [ { <name>: { type, required?, default?, one_of?, fields?|elements?|values? } } ] }`.
 * `$ref`s are expected to be resolved by the caller (EntityRules).
 */

type Json = Record<string, unknown>;

function isObj(v: unknown): v is Json {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function typeOf(s: Json): string | undefined {
  const t = Array.isArray(s.type) ? (s.type as unknown[]).find((x) => x !== 'null') : s.type;
  return typeof t === 'string' ? t : undefined;
}

function field(s: unknown, required: boolean): Json {
  if (!isObj(s)) return { type: 'any' };
  const out: Json = {};
  const t = typeOf(s);
  if (t === 'object') {
    if (isObj(s.properties)) {
      out.type = 'record';
      out.fields = fields(s);
    } else {
      out.type = 'map';
      out.keys = { type: 'string' };
      out.values = field(s.additionalProperties, false);
    }
  } else if (t === 'array') {
    out.type = s.uniqueItems === true ? 'set' : 'array';
    out.elements = field(s.items, false);
  } else out.type = t ?? 'any';
  if (required) out.required = true;
  if (s.default !== undefined) out.default = s.default;
  if (Array.isArray(s.enum)) out.one_of = s.enum.filter((v) => v !== null);
  if (s['x-secret'] === true) out.encrypted = true;
  if (s['x-referenceable'] === true) out.referenceable = true;
  return out;
}

/** A record's fields; Kong lists deprecated shorthands (`x-kong-shorthand`) apart, as `shorthand_fields`. */
function fields(s: Json): Json[] {
  const req = new Set(Array.isArray(s.required) ? (s.required as string[]) : []);
  const props = isObj(s.properties) ? s.properties : {};
  return Object.entries(props).filter(([, sub]) => !isObj(sub) || sub['x-kong-shorthand'] === undefined).map(([name, sub]) => ({ [name]: field(sub, req.has(name)) }));
}

/** Kong-format schema of an entity, or of a plugin (its config wrapped in the plugin record). */
export function kongSchema(schema: unknown, plugin: boolean): Json {
  const s = isObj(schema) ? schema : {};
  if (!plugin) return { fields: fields(s) };
  return {
    fields: [
      { consumer: { type: 'foreign', reference: 'consumers', eq: null } },
      { protocols: { type: 'set', elements: { type: 'string', one_of: ['grpc', 'grpcs', 'http', 'https'] }, default: ['grpc', 'grpcs', 'http', 'https'], required: true } },
      { config: { type: 'record', required: true, fields: fields(s) } },
    ],
  };
}

function hasValue(v: unknown): boolean {
  if (v === null || v === undefined) return false;
  if (isObj(v)) return Object.values(v).some(hasValue);
  return true;
}

/**
 * Fill absent fields of `value` from a Kong-format field list (the target's own defaults).
 * Present values, including explicit nulls, are kept; records are filled recursively. An absent
 * record is materialised when required, or — with `records: 'kong'`, as Kong's and Konnect's plugin
 * configs are stored — whenever something inside it has a default.
 */
export function fillFromKong(fieldList: unknown, value: Json, options: { records?: 'required' | 'kong' } = {}): Json {
  if (!Array.isArray(fieldList)) return value;
  const out: Json = { ...value };
  for (const entry of fieldList) {
    if (!isObj(entry)) continue;
    const [name, def] = Object.entries(entry)[0] ?? [];
    if (name === undefined || !isObj(def)) continue;
    const cur = out[name];
    if (cur === undefined) {
      if (def.default !== undefined) out[name] = structuredClone(def.default);
      else if (def.type === 'record' && Array.isArray(def.fields)) {
        const filled = fillFromKong(def.fields, {}, options);
        if (def.required === true || (options.records === 'kong' && hasValue(filled))) out[name] = filled;
      }
      continue;
    }
    if (def.type === 'record' && isObj(cur)) out[name] = fillFromKong(def.fields, cur, options);
  }
  return out;
}
