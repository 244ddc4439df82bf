/**
 * The dashboard's wire types: what `/dashboard/api/*` answers and the SSE events carry. Types only
 * (no imports), shared by the server (src/gateway/dashboard/) and the browser UI (ui/).
 */

/** One finished request, as Live traffic lists it (kept for every request, see feed.ts). */
export interface RequestSummary {
  /** Increases by one per request in this process: the UI's cursor. */
  seq: number;
  id: string;
  /** Start, ms since the epoch. */
  time: number;
  method: string;
  path: string;
  status: number;
  upstreamStatus: number | null;
  routeId: string | null;
  route: string | null;
  service: string | null;
  consumer: string | null;
  latencyMs: number;
  /** Time the upstream (or LLM) took to answer with headers, ms; null when nothing was called. */
  upstreamMs: number | null;
  ai: AiSummary | null;
  /** The plugin whose access phase answered (refused, or served from a cache), and what it said. */
  exit: { plugin: string; status: number; message: string | null; reason: string | null } | null;
  /** A reply the gateway made without a plugin (no route, upstream down, LLM errors…). */
  error: string | null;
  /** Whether headers (and payloads) were captured: only while a dashboard is connected. */
  hasDetail: boolean;
}

export interface AiSummary {
  provider: string | null;
  model: string | null;
  responseModel: string | null;
  promptTokens: number;
  completionTokens: number;
  cost: number;
  /** Time to first token (streams), ms. */
  ttftMs: number | null;
  llmLatencyMs: number | null;
  stream: boolean;
  /** ai-semantic-cache: Hit, Miss, Refresh, Bypass. */
  cache: string | null;
  /** ai-proxy-advanced: attempts made, and each one's target and outcome. */
  attempts: number | null;
  tries: Array<{ target: string; status: number; error: string | null; latencyMs: number }> | null;
}

/** What Live traffic shows when a request is opened (kept only while a dashboard is connected). */
export interface RequestDetail {
  summary: RequestSummary;
  request: { url: string; headers: Record<string, string | string[]> };
  response: { headers: Record<string, string | string[]> };
  upstreamUri: string | null;
  /** Prompt and answer as the client sent and got them: only when the route's ai plugin has `log_payloads`. */
  payload: { request: string | null; response: string | null; truncated: boolean } | null;
  /** Plugin phases that ran, in order, with their duration (ms); when tracing timed them. */
  phases: Array<{ phase: string; plugin: string; ms: number }> | null;
}

export interface FlowPlugin {
  name: string;
  priority: number;
  /** Where its config comes from: the route, its service, global, and whether consumers override it. */
  scope: 'route' | 'service' | 'global' | 'consumer';
  consumerOverrides: number;
  phases: string[];
}

export interface FlowTarget {
  kind: 'service' | 'upstream' | 'llm';
  /** `provider/model` (llm), service URL, or upstream name. */
  label: string;
  /** Upstream targets (`host:port weight`), when an upstream. */
  members: string[];
}

export interface FlowRoute {
  id: string;
  name: string;
  methods: string[];
  hosts: string[];
  paths: string[];
  service: string | null;
  plugins: FlowPlugin[];
  targets: FlowTarget[];
}

/** Live counts per step of one route's flow. */
export interface FlowCounts {
  total: number;
  /** By plugin name: requests its access phase answered with an error (>= 400) or itself (< 400). */
  refused: Record<string, number>;
  answered: Record<string, number>;
  /** By target label: requests it answered. */
  targets: Record<string, number>;
  status: { '2xx': number; '3xx': number; '4xx': number; '5xx': number };
}

export interface FlowView {
  routes: FlowRoute[];
  globalPlugins: FlowPlugin[];
  counts: Record<string, FlowCounts>;
}

export interface ReloadResult {
  at: number;
  /** `startup`, `file` (a watched file changed) or `admin` (Admin API / POST /config). */
  source: 'startup' | 'file' | 'admin';
  ok: boolean;
  /** Problems as `aigw validate` prints them (`file:line:col  error  AIGW_…  message`). */
  issues: string[];
  /** A failure that is not a validation issue (a plugin config that does not compile). */
  error: string | null;
}

export interface ConfigView {
  mode: string;
  describe: string;
  hash: string;
  counts: Record<string, number>;
  entities: Array<{ kind: string; name: string; detail: string }>;
  warnings: string[];
  reloads: ReloadResult[];
  lastInvalid: ReloadResult | null;
}

export interface TotalsRow {
  key: string;
  requests: number;
  /** Answers with status 400–499 (refusals included) and 500–599. */
  clientErrors: number;
  serverErrors: number;
  promptTokens: number;
  completionTokens: number;
  cost: number;
  cacheHits: number;
  cacheLookups: number;
}

export interface TotalsView {
  window: string;
  /** Start of the window, ms since the epoch. */
  since: number;
  all: TotalsRow;
  byConsumer: TotalsRow[];
  byRoute: TotalsRow[];
  byProvider: TotalsRow[];
  byModel: TotalsRow[];
  /** One point per minute (per hour for windows over an hour): [time ms, requests, 4xx, 5xx, tokens, cost]. */
  series: Array<[number, number, number, number, number, number]>;
}

export interface LimitRow {
  plugin: string;
  pluginId: string;
  scope: string;
  /** Who is counted (a consumer's name, an IP…). */
  subject: string;
  window: string;
  unit: 'requests' | 'tokens' | 'cost';
  limit: number;
  used: number;
  remaining: number;
  resetSeconds: number;
}

export interface LimitsView {
  rows: LimitRow[];
  /** Plugins whose counters live elsewhere (Redis) and could not be read, with why. */
  unavailable: Array<{ plugin: string; pluginId: string; reason: string }>;
}

export interface Snapshot {
  version: string;
  startedAt: number;
  proxyUrl: string;
  /** Ring sizes, so the UI can say what it keeps. */
  sizes: { requests: number; details: number };
  requests: RequestSummary[];
  flow: FlowView;
  config: ConfigView;
}
