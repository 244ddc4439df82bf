// A small Kong-schema-like vocabulary that emits draft-07 JSON Schema following aigw's conventions:
//   - Kong `required = false` fields accept null (`"type": [T, "null"]`, enums gain `null`);
//   - Kong-required fields with a default are NOT listed in `required` (the default fills them);
//   - records whose subtree can be materialised from defaults are not listed in `required` either;
//   - every property has a one-line `description`; records are closed (`additionalProperties: false`).
// Symbol-keyed markers carry Kong facts between builders; JSON.stringify drops them.

const KONG_REQUIRED = Symbol('kongRequired');

const NUMERIC = { min: 'minimum', max: 'maximum', gt: 'exclusiveMinimum', lt: 'exclusiveMaximum' };
const LENGTHS = { len_min: 'minLength', len_max: 'maxLength', pattern: 'pattern' };
const ARRAYS = { minItems: 'minItems', maxItems: 'maxItems' };

function nullable(type, required) {
  return required ? type : [type, 'null'];
}

/** Copies the aigw/Kong annotations (x-*) from builder options onto a schema. */
function annotate(s, o) {
  if (o.deprecated) s['x-deprecated'] = o.deprecated;
  if (o.referenceable) s['x-referenceable'] = true;
  if (o.secret) s['x-secret'] = true;
  if (o.unsupported) s['x-aigw-unsupported'] = o.unsupported;
  if (o.unsupportedValues) s['x-aigw-unsupported-values'] = o.unsupportedValues;
  if (o.noEffect) s['x-aigw-no-effect'] = o.noEffect;
  if (o.extension) s['x-aigw-extension'] = o.extension;
  if (o.extensionValues) s['x-aigw-extension-values'] = o.extensionValues;
  return s;
}

function finish(s, o) {
  if (o.required) Object.defineProperty(s, KONG_REQUIRED, { value: true });
  return annotate(s, o);
}

/**
 * A scalar field. `type` is string | integer | number | boolean. Options: required, default,
 * one_of, min, max, gt, lt, len_min, len_max, pattern, referenceable, secret, unsupported (Kong has
 * it, aigw serve refuses a config that sets it), unsupportedValues, noEffect (Kong has it, it changes
 * nothing under aigw serve), extension, extensionValues, deprecated.
 */
export function field(type, description, o = {}) {
  const s = {};
  if (description !== undefined) s.description = description;
  s.type = nullable(type, o.required);
  if (o.one_of) s.enum = o.required ? [...o.one_of] : [...o.one_of, null];
  for (const [k, j] of Object.entries({ ...NUMERIC, ...LENGTHS })) if (o[k] !== undefined) s[j] = o[k];
  if (o.default !== undefined) s.default = o.default;
  return finish(s, o);
}

export const str = (d, o) => field('string', d, o);
export const int = (d, o) => field('integer', d, o);
export const num = (d, o) => field('number', d, o);
export const bool = (d, o) => field('boolean', d, o);

/** An array element: a field that is never null and carries no description. */
export function el(type, o = {}) {
  return field(type, undefined, { ...o, required: true });
}

/** Kong `array` (ordered); with `set: true`, Kong `set` (unique items). */
export function arr(description, items, o = {}) {
  const s = { description, type: nullable('array', o.required), items };
  if (o.set) s.uniqueItems = true;
  for (const [k, j] of Object.entries(ARRAYS)) if (o[k] !== undefined) s[j] = o[k];
  if (o.default !== undefined) s.default = o.default;
  return finish(s, o);
}

export const set = (d, items, o = {}) => arr(d, items, { ...o, set: true });

/** Kong `map`: an object whose keys are free (or match `keys`) and values follow `values`. */
export function map(description, values, o = {}) {
  const s = { description, type: nullable('object', o.required) };
  if (o.keys) s.propertyNames = o.keys;
  s.additionalProperties = values;
  if (o.default !== undefined) s.default = o.default;
  return finish(s, o);
}

/** Names of the properties that must be written by the user (Kong-required and not fillable). */
function requiredOf(props) {
  return Object.entries(props)
    .filter(([, s]) => s[KONG_REQUIRED] && s.default === undefined && !isFillable(s))
    .map(([k]) => k);
}

/** A record can be materialised from defaults when none of its fields must be written. */
function isFillable(s) {
  return s['x-record'] === true && (s.required === undefined || s.required.length === 0);
}

/**
 * Kong `record`: closed object. Options: required (Kong), checks (Kong entity_checks in aigw's
 * `x-entity-checks` vocabulary), title (shared records: gen-types emits one named type per title),
 * plus the annotations of `field`.
 */
export function rec(description, props, o = {}) {
  const s = {};
  if (o.title) s.title = o.title;
  if (description !== undefined) s.description = description;
  s.type = nullable('object', o.required);
  s.properties = props;
  const required = requiredOf(props);
  if (required.length > 0) s.required = required;
  s.additionalProperties = false;
  // Kong materialises a missing record only when it is required (then from its fields' defaults);
  // an optional record stays null. `default: {}` says so to the default filler (config/defaults.ts).
  if (o.required && !o.element && !o.root && required.length === 0) s.default = {};
  if (o.checks && o.checks.length > 0) s['x-entity-checks'] = o.checks;
  Object.defineProperty(s, 'x-record', { value: true, enumerable: false });
  return finish(s, o);
}

/** A record used as an array element: never null. */
export const elRec = (props, o = {}) => rec(undefined, props, { ...o, required: true, element: true });

/**
 * The Kong version the default schemas describe. Plugin schema sources take the version as an
 * argument (`schema(kong)`), so a version whose config differs is a branch in that plugin's
 * schema.mjs: gate what Kong added after 3.10 with `since(kong, '3.13')`.
 * Profiles: '3.10', '3.14' (the default), 'konnect' (Konnect's current schemas, 3.15).
 */
export const KONG_REFERENCE = '3.14';

/** The profiles the build writes: the default one at schemas/, the others under schemas/<profile>/. */
export const PROFILES = ['3.14', '3.10', 'konnect'];

/** Whether the profile `kong` ('3.10', '3.14', 'konnect', or any 'major.minor') has what Kong added in `version`. */
export function since(kong, version) {
  const v = (s) => (s === 'konnect' ? [3, 15] : s.split('.').map(Number));
  const [a, b] = [v(kong), v(version)];
  return a[0] !== b[0] ? a[0] > b[0] : a[1] >= b[1];
}

let building = KONG_REFERENCE;

/**
 * The profile being built. build.mjs sets it around each `schema(kong)` call (`buildingFor`), so
 * the shared records (llm.mjs, redis, vectordb…) follow the plugin's profile without taking it as
 * an argument.
 */
export function profile() {
  return building;
}

/** Run `make` with `kong` as the profile being built. */
export function buildingFor(kong, make) {
  const previous = building;
  building = kong;
  try {
    return make();
  } finally {
    building = previous;
  }
}

/** Whether the profile being built has what Kong added in `version`. */
export const has = (version) => since(building, version);

/** `props` when the profile being built has what Kong added in `version`, else nothing (spread it into a record). */
export const onlySince = (version, props) => (has(version) ? props : {});

/**
 * Options of a field that Kong added in `version` and that aigw serves ahead of it: nothing from
 * that version on, an `x-aigw-extension` mark in older profiles (a real Kong of that version rejects it).
 */
export const aheadOf = (version) => (has(version) ? {} : { extension: `Kong ${version}+; Kong ${building} rejects it` });

/** A value per profile: `after` from Kong `version` on, `before` earlier (defaults that Kong flipped). */
export const byVersion = (version, before, after) => (has(version) ? after : before);

/**
 * An enum in the profile being built: `base` (Kong 3.10's values), then each value of `later`
 * (value → the Kong version that added it) that the profile has. A later value aigw already
 * serves (listed in `ahead`) stays in older profiles as an aigw extension
 * (`x-aigw-extension-values`: a real Kong of that version rejects it). Spread into field options.
 */
export function enumOf(base, later = {}, ahead = []) {
  const one_of = [...base];
  const extensionValues = {};
  for (const [value, version] of Object.entries(later)) {
    if (has(version)) one_of.push(value);
    else if (ahead.includes(value)) {
      one_of.push(value);
      extensionValues[value] = `Kong ${version}+; Kong ${building} rejects it`;
    }
  }
  return Object.keys(extensionValues).length > 0 ? { one_of, extensionValues } : { one_of };
}

/** The root of a plugin's `config` schema, with its Kong metadata. */
export function pluginConfig(name, priority, description, props, checks = []) {
  const body = rec(description, props, { required: true, root: true, checks });
  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    $id: `plugins/${name}.json`,
    title: `${name} plugin configuration`,
    'x-kong-plugin': name,
    'x-kong-priority': priority,
    ...body,
  };
}

// ---- Kong typedefs -------------------------------------------------------------------------

export const UUID_PATTERN = '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$';
export const HEADER_NAME_PATTERN = "^[A-Za-z0-9!#$%&'*+.^_`|~-]+$";

export const host = (d, o = {}) => str(d, { len_min: 1, ...o });
export const port = (d, o = {}) => int(d, { min: 0, max: 65535, ...o });
export const timeout = (d, o = {}) => int(d, { min: 0, max: 2147483646, ...o });
export const url = (d, o = {}) => str(d, { len_min: 1, ...o });
export const headerName = (d, o = {}) => str(d, { pattern: HEADER_NAME_PATTERN, ...o });
export const path = (d, o = {}) => str(d, { pattern: '^/', ...o });
export const uuid = (d, o = {}) => str(d, { pattern: UUID_PATTERN, ...o });
export const tags = () => set('An optional set of strings for grouping and filtering.', el('string', { len_min: 1 }));
export const timestamp = (d) => int(d, { min: 0 });

/**
 * `llm_format` of the AI plugins: 3.10 openai, bedrock, gemini; cohere and huggingface from 3.11;
 * anthropic from 3.13 (aigw serves it ahead: an extension in older profiles). `extra` overrides.
 */
export function llmFormat(extra = {}) {
  const values = enumOf(['openai', 'bedrock', 'gemini'], { cohere: '3.11', huggingface: '3.11', anthropic: '3.13' }, ['anthropic']);
  const unsupportedValues = Object.fromEntries(values.one_of.filter((v) => v !== 'openai' && v !== 'anthropic').map((v) => [v, NATIVE_FORMATS]));
  return str('LLM input and output format and schema to use.', {
    required: true,
    default: 'openai',
    ...values,
    unsupportedValues,
    ...extra,
  });
}

const NATIVE_FORMATS = "aigw serve speaks the openai and anthropic client formats only and refuses this plugin at startup";

/** Body size limit of the AI plugins: default 8192 until 3.12, 1 MiB from 3.13; 0 means unlimited from 3.11. */
export function maxRequestBodySize() {
  return int('Maximum request body size (bytes) allowed to be introspected; larger bodies are rejected (0: unlimited).', {
    required: true,
    default: byVersion('3.13', 8192, 1048576),
    ...(has('3.11') ? { min: 0 } : { gt: 0 }),
  });
}
