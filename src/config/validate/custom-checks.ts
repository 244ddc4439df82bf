import { isIP } from 'node:net';
import { compileKongRegex } from '../regex.js';
import { getProvider } from '../../gateway/providers/index.js';
import { CANONICAL_FORMAT, clientFormat } from '../../gateway/llm/formats/index.js';
import { getPath, isNonEmpty } from './dotted-path.js';
import { CORE_CHECKS } from './core-checks.js';
import { keyMaterial } from './key-checks.js';
import { STREAM_PROTOCOLS } from '../stream.js';

/**
 * Kong entity checks that need code (Kong's `custom_entity_check`). Schemas reference them as
 * `{"custom": "<id>", "path"?: "<sub-path>", "message"?: "..."}`; `obj` is the value at `path`
 * (or the object carrying the check). Each returns a failure (path relative to `obj`) or null.
 */
/** A failed check (Kong's `entity_checks` and the custom ones). */
export interface CheckFailure {
  /** Path, relative to the validated root, of the object or field the rule is about. */
  path: Array<string | number>;
  message: string;
  /**
   * Where a file position should point when it differs from `path` (which keeps Kong's error
   * placement, e.g. `@entity` for multi-field checks): the field the rule names.
   */
  at?: Array<string | number>;
}

type CustomCheck = (obj: unknown) => CheckFailure | null;

const WINDOWS = ['second', 'minute', 'hour', 'day', 'month', 'year'] as const;

const periodsOrder: CustomCheck = (obj) => {
  let prev: { window: string; limit: number } | null = null;
  for (const w of WINDOWS) {
    const v = getPath(obj, w);
    if (typeof v !== 'number') continue;
    if (prev && v < prev.limit) {
      return { path: [w], message: `The limit for ${w}(${v}) cannot be lower than the limit for ${prev.window}(${prev.limit})` };
    }
    prev = { window: w, limit: v };
  }
  return null;
};

const logStatisticsUnsupported: CustomCheck = (obj) => {
  const provider = getPath(obj, 'model.provider');
  const routeType = getPath(obj, 'route_type');
  if (typeof provider !== 'string' || typeof routeType !== 'string' || getPath(obj, 'logging.log_statistics') !== true) return null;
  if (getProvider(provider)?.capabilities.noStatistics?.some((t) => t === routeType)) {
    return { path: ['logging', 'log_statistics'], message: `${provider} does not support statistics when route_type is ${routeType}` };
  }
  return null;
};

/**
 * Client formats (`llm_format`): any but the canonical one needs route_type llm/v1/chat; Kong's own
 * native formats (not served by aigw) need the provider of the same name, aigw's adapters any provider.
 */
const llmFormatNative: CustomCheck = (obj) => {
  const format = getPath(obj, 'llm_format');
  if (format === null || format === undefined || format === CANONICAL_FORMAT) return null;
  if (getPath(obj, 'route_type') !== 'llm/v1/chat') {
    return { path: ['llm_format'], message: `llm_format '${String(format)}' requires route_type 'llm/v1/chat'` };
  }
  const provider = getPath(obj, 'model.provider');
  if (!clientFormat(String(format))?.anyProvider && provider !== undefined && provider !== format) {
    return { path: ['llm_format'], message: `llm_format '${String(format)}' can only be used with the '${String(format)}' provider, not '${String(provider)}'` };
  }
  return null;
};

/** limit[] and window_size[] of equal lengths: in each element of a list (ai-rate-limiting-advanced), or in one record (rate-limiting-advanced). */
const windowLimitLengths: CustomCheck = (list) => {
  if (list !== null && typeof list === 'object' && !Array.isArray(list)) return windowLimitLengths([list]) && { path: [], message: 'You must provide the same number of windows and limits' };
  if (!Array.isArray(list)) return null;
  for (let i = 0; i < list.length; i++) {
    const limit = getPath(list[i], 'limit');
    const windows = getPath(list[i], 'window_size');
    if (Array.isArray(limit) && Array.isArray(windows) && limit.length !== windows.length) {
      return { path: [i], message: 'You must provide the same number of windows and limits' };
    }
  }
  return null;
};

const regexCompiles: CustomCheck = (list) => {
  if (!Array.isArray(list)) return null;
  for (let i = 0; i < list.length; i++) {
    const pattern = getPath(list[i], 'regex');
    if (typeof pattern !== 'string') continue;
    const r = compileKongRegex(pattern);
    if ('error' in r) return { path: [i, 'regex'], message: `invalid regex '${pattern}': ${r.error}` };
  }
  return null;
};

const userinfoAuthorization: CustomCheck = (obj) => {
  const endpoint = getPath(obj, 'http_endpoint');
  const headers = getPath(obj, 'headers');
  const hasUserinfo = typeof endpoint === 'string' && /^[a-z]+:\/\/[^/@]+@/i.test(endpoint);
  const hasAuth = headers !== null && typeof headers === 'object' && Object.keys(headers).some((h) => h.toLowerCase() === 'authorization');
  return hasUserinfo && hasAuth ? { path: ['headers'], message: "specifying both an 'Authorization' header and user info in 'http_endpoint' is not allowed" } : null;
};

/** Kong's typedefs.ip_or_cidr: an IPv4 or IPv6 address, optionally with a prefix length. */
export function validIpOrCidr(v: string): boolean {
  const [ip, bits, ...rest] = v.split('/');
  const family = isIP(ip);
  if (family === 0 || rest.length > 0) return false;
  if (bits === undefined) return true;
  const n = Number(bits);
  return /^\d+$/.test(bits) && n >= 0 && n <= (family === 4 ? 32 : 128);
}

const ipOrCidr: CustomCheck = (obj) => {
  for (const field of ['allow', 'deny']) {
    const list = getPath(obj, field);
    if (!Array.isArray(list)) continue;
    for (let i = 0; i < list.length; i++) {
      if (typeof list[i] === 'string' && !validIpOrCidr(list[i] as string)) {
        return { path: [field, i], message: `invalid ip or cidr range: '${String(list[i])}'` };
      }
    }
  }
  return null;
};

const HTTP_MATCHERS = ['methods', 'hosts', 'headers', 'paths'];

/** What an expression route may not set besides its expression (Kong's expressions flavor, routes_subschemas.lua). */
const NOT_WITH_EXPRESSION = ['methods', 'hosts', 'paths', 'headers', 'snis', 'sources', 'destinations'];

const FIELDS_TEXT = "'methods', 'hosts', 'paths', 'headers', 'snis', 'sources' or 'destinations'";
const isSetNumber = (v: unknown): boolean => typeof v === 'number' && v !== 0;

const routeMatchingFields: CustomCheck = (route) => {
  const other = NOT_WITH_EXPRESSION.find((m) => isNonEmpty(getPath(route, m)));
  if (isNonEmpty(getPath(route, 'expression'))) {
    if (other !== undefined) return { path: [other], message: `Router Expression failed validation: cannot set 'expression' with ${FIELDS_TEXT} simultaneously` };
    if (isSetNumber(getPath(route, 'regex_priority'))) return { path: ['regex_priority'], message: "Router Expression failed validation: cannot set 'regex_priority' with 'expression' simultaneously" };
    return null;
  }
  if (other !== undefined && isSetNumber(getPath(route, 'priority'))) return { path: ['priority'], message: `Router Expression failed validation: cannot set 'priority' with ${FIELDS_TEXT} simultaneously` };
  const protocols = getPath(route, 'protocols');
  const list = Array.isArray(protocols) ? protocols : ['http', 'https'];
  // Kong chooses the subschema by the first protocol: a stream one has its own rule (routeStreamMatchers)
  if (!list.includes('http') && !list.includes('https') || STREAM_PROTOCOLS.includes(list[0] as string)) return null;
  const httpsOnly = !list.includes('http');
  const matchers = httpsOnly ? [...HTTP_MATCHERS, 'snis'] : HTTP_MATCHERS;
  if (matchers.some((m) => isNonEmpty(getPath(route, m)))) return null;
  return { path: [], message: `must set one of ${matchers.map((m) => `'${m}'`).join(', ')} when 'protocols' is '${httpsOnly ? 'https' : 'http'}'` };
};

const protocolsOf = (route: unknown): unknown[] => {
  const protocols = getPath(route, 'protocols');
  return Array.isArray(protocols) ? protocols : ['http', 'https'];
};

/** Kong's routes.lua conditional: snis only when a protocol carries TLS. */
const SNI_PROTOCOLS = ['grpcs', 'https', 'tls', 'tls_passthrough'];
const routeSnisProtocols: CustomCheck = (route) => {
  if (!isNonEmpty(getPath(route, 'snis')) || protocolsOf(route).some((p) => SNI_PROTOCOLS.includes(p as string))) return null;
  return { path: ['snis'], message: "'snis' can only be set when 'protocols' is 'grpcs', 'https', 'tls' or 'tls_passthrough'" };
};

/**
 * Kong's http subschema of routes (routes_subschemas.lua, chosen by the first protocol): no
 * `sources` or `destinations` on an http or https route. An expression route is checked apart.
 */
const httpRouteField = (field: 'sources' | 'destinations'): CustomCheck => (route) => {
  if (!isNonEmpty(getPath(route, field)) || isNonEmpty(getPath(route, 'expression'))) return null;
  const first = protocolsOf(route)[0];
  if (first !== 'http' && first !== 'https') return null;
  return { path: [field], message: `cannot set '${field}' when 'protocols' is 'http' or 'https'` };
};

/**
 * Kong's `mutually_exclusive_subsets` on route protocols (routes.lua): http/https, the stream
 * protocols tcp/tls/udp, tls_passthrough and grpc/grpcs do not mix in one route.
 */
const PROTOCOL_SUBSETS: readonly (readonly string[])[] = [['http', 'https'], ['tcp', 'tls', 'udp'], ['tls_passthrough'], ['grpc', 'grpcs']];
const routeProtocolSubsets: CustomCheck = (route) => {
  const protocols = getPath(route, 'protocols');
  if (!Array.isArray(protocols)) return null;
  const memberOf: Array<readonly string[]> = [];
  for (const p of protocols) {
    const subset = PROTOCOL_SUBSETS.find((s) => s.includes(p as string));
    if (subset !== undefined && !memberOf.includes(subset)) memberOf.push(subset);
  }
  if (memberOf.length <= 1) return null;
  return { path: ['protocols'], message: `these sets are mutually exclusive: ${memberOf.map((s) => `(${s.map((p) => `'${p}'`).join(', ')})`).join(', ')}` };
};

/**
 * Kong's stream subschema of routes (routes_subschemas.lua, chosen by the first protocol): a route
 * of tcp, tls, udp or tls_passthrough matches on sources, destinations and snis, never on HTTP
 * fields. An expression route is checked apart.
 */
const streamSubschema = (route: unknown): boolean => STREAM_PROTOCOLS.includes(protocolsOf(route)[0] as string) && !isNonEmpty(getPath(route, 'expression'));
const STREAM_TEXT = "'tcp', 'tls', 'tls_passthrough' or 'udp'";
const streamRouteField = (field: 'methods' | 'hosts' | 'paths' | 'headers'): CustomCheck => (route) => {
  if (!isNonEmpty(getPath(route, field)) || !streamSubschema(route)) return null;
  return { path: [field], message: `cannot set '${field}' when 'protocols' is ${STREAM_TEXT}` };
};
const routeStreamMatchers: CustomCheck = (route) => {
  if (!streamSubschema(route)) return null;
  const protocols = protocolsOf(route);
  if (protocols.every((p) => p === 'tcp' || p === 'tls' || p === 'udp')) {
    if (['sources', 'destinations', 'snis'].some((f) => isNonEmpty(getPath(route, f)))) return null;
    return { path: [], at: ['protocols'], message: "must set one of 'sources', 'destinations', 'snis' when 'protocols' is 'tcp', 'tls' or 'udp'" };
  }
  if (protocols.every((p) => p === 'tls_passthrough') && !isNonEmpty(getPath(route, 'snis'))) {
    return { path: [], at: ['protocols'], message: "must set snis when 'protocols' is 'tls_passthrough'" };
  }
  return null;
};

/**
 * kafka-log's (and kafka-upstream's) SASL check (Kong EE schema.lua `custom_entity_check` on authentication): a
 * password mechanism needs both user and password. Kong reports it on the config (`@entity`); the file position is
 * the authentication record.
 */
const SASL_PASSWORD_MECHANISMS = ['PLAIN', 'SCRAM-SHA-256', 'SCRAM-SHA-512'];
const kafkaSaslCredentials: CustomCheck = (obj) => {
  const auth = getPath(obj, 'authentication');
  if (getPath(auth, 'strategy') !== 'sasl' || !SASL_PASSWORD_MECHANISMS.includes(getPath(auth, 'mechanism') as string)) return null;
  if (isNonEmpty(getPath(auth, 'user')) && isNonEmpty(getPath(auth, 'password'))) return null;
  return { path: [], at: ['authentication'], message: 'if authentication strategy is SASL and mechanism is PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512, you have to set user and password' };
};

export const CUSTOM_CHECKS: Record<string, CustomCheck> = {
  'rate-limiting-periods-order': periodsOrder,
  'llm-log-statistics-unsupported': logStatisticsUnsupported,
  'llm-format-native': llmFormatNative,
  'window-limit-lengths': windowLimitLengths,
  'regex-compiles': regexCompiles,
  'http-log-userinfo-authorization': userinfoAuthorization,
  'ip-or-cidr': ipOrCidr,
  'route-matching-fields': routeMatchingFields,
  'route-snis-protocols': routeSnisProtocols,
  'route-http-sources': httpRouteField('sources'),
  'route-http-destinations': httpRouteField('destinations'),
  'route-protocol-subsets': routeProtocolSubsets,
  'route-stream-methods': streamRouteField('methods'),
  'route-stream-hosts': streamRouteField('hosts'),
  'route-stream-paths': streamRouteField('paths'),
  'route-stream-headers': streamRouteField('headers'),
  'route-stream-matchers': routeStreamMatchers,
  'key-material': keyMaterial,
  'kafka-sasl-credentials': kafkaSaslCredentials,
  ...CORE_CHECKS,
};
