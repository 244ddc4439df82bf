/**
 * ai-rate-limiting-advanced: token (or cost) budgets per identifier, per provider
 * (`llm_providers[].name`, or `requestPrompt` for the request prompts), with several fixed or
 * sliding windows each, counted locally or in Redis (kong.md §1.8).
 *
 * Reserve in access, settle in log:
 *
 *   access  read and parse the whole body, whatever its framing (content-length, chunked, slow),
 *           with the route's AI proxy's `max_request_body_size`; estimate the prompt (Kong's word
 *           count) and a completion allowance (`allowance`: the route's `model.options.max_tokens`,
 *           else the client's `max_tokens`, else DEFAULT_COMPLETION or the largest completion
 *           recently seen, when larger); then, in ONE atomic step (a Lua script in Redis), refuse
 *           when a window is exhausted (Kong) or when the prompt alone does not fit in what is left
 *           (beyond Kong), otherwise add the reservation to every provider's windows:
 *             prompt_tokens → prompt · total_tokens → prompt + allowance ·
 *             completion_tokens → allowance · cost → the most the call can cost at the route's
 *             prices (`costBound`: prompt estimate and allowance at the dearest rates; 0 when the
 *             route's model has no input_cost/output_cost, as its usage then costs 0)
 *   log     read the real usage from AI_ANALYTICS (buffered and streamed answers alike) and add
 *           `actual − reserved` to the provider that answered, `−reserved` to the others (and
 *           to all of them when the request never reached an LLM).
 *
 * The bound (README, "token budgets"): a request is admitted only while `used + reserved < limit`,
 * so when the last one is admitted at most `limit` is spent or reserved; every later admission
 * waits for settlements. Hence spent < limit + the real usage of one request, for every window,
 * as long as each request's real usage stays within its reservation — true of the completion
 * when the client or the route sets max_tokens (a provider never exceeds it) and of answers up to
 * DEFAULT_COMPLETION tokens otherwise. What an answer uses beyond its reservation adds to the
 * overrun (a long answer to a request without max_tokens; a prompt the word count underestimates).
 * `requestPrompt` windows are charged in access and never settled; with the default
 * `disable_penalty: false` a refused request is still charged there.
 *
 * Routes without an AI proxy plugin parse bodies up to 8 KiB sent with content-length only (the
 * body of a plain proxied request streams); their estimate is otherwise content-length / 4. A dead
 * Redis does not fail requests: counting falls back to this node's memory and the outage is
 * logged (the schema has no `fault_tolerant` switch).
 *
 * Kong 3.14 `policies[]` (policies.ts) instead of `llm_providers`: the windows are those of the
 * policies that match the request, each limit with its own count strategy and window type, kept
 * per identifier and partition under `aigw:ai-rl:{<ns>}:…` (one Redis hash slot per plugin), and
 * reserved and settled the same way: a policy whose match names providers or models is charged
 * when one of them answered and released otherwise (a provider/model partition applies once per
 * target of the route that matches, as `llm_providers` reserves on every provider the route may call).
 *
 * Headers (unless `hide_client_headers`): `X-AI-RateLimit-Limit-<window>-<provider>` (`policy-<n>` with policies),
 * `X-AI-RateLimit-Remaining-<window>-<provider>` (after this request's reservation),
 * `X-AI-RateLimit-Reset-<window>-<provider>` and `X-AI-RateLimit-Reset` (the tightest window); on
 * refusal also `X-AI-RateLimit-Retry-After-<window>-<provider>` of each exhausted window,
 * `X-AI-RateLimit-Retry-After` and `Retry-After`
 * (+ up to `retry_after_jitter_max` s). Refusal body: Kong's `{"message": error_message +
 * "openai, azure"}` (providers omitted with `error_hide_providers`).
 */
import { Slot, type AiModel, type GatewayContext, type Reply } from '../../context.js';
import { AI_ANALYTICS, type AiAnalytics } from '../../llm/call/analytics.js';
import { FallbackBudget, LocalBudget, RedisBudget, type Admission, type BudgetStore, type BudgetWindow } from './budget-store.js';
import { parseBudgetConfig, REQUEST_PROMPT, type BudgetConfig, type CountStrategy, type ProviderLimit } from './config.js';
import { answeredBy, selectPolicies, type MatchedPolicy, type RequestFacts } from './policies.js';
import type { WindowType } from './windows.js';
import type { Consumers } from '../../consumers.js';
import { declaresNonJson } from '../../llm/formats/prompt.js';
import { position, retryAfter } from './windows.js';
import { budgetLimits } from './limits.js';
import { costBound } from '../../llm/wire/pricing.js';
import { AI_REQUEST, aiRequest } from '../../llm/formats/request.js';
import type { CanonicalRequest } from '../../llm/wire/openai-types.js';
import { estimatePromptTokens } from '../../llm/wire/usage.js';
import { identify } from './identify.js';
import { ReplyError, type Plugin } from '../../plugin.js';

/** Body size parsed on a route without an AI proxy plugin (content-length only). */
const PARSE_LIMIT = 8192;
const LEARN = 50;
/** Completion tokens reserved for a request that does not say (no max_tokens): see `allowance`. */
export const DEFAULT_COMPLETION = 4096;

interface Estimate {
  prompt: number;
  maxTokens: number | null;
  /** The model the client asked for, when the body says. */
  model: string | null;
  /** Whether the body was parsed (only then may the prompt size refuse a request). */
  exact: boolean;
}

interface WindowInfo {
  /** llm_providers: the provider (or requestPrompt); null for a policy's window. */
  provider: string | null;
  model: string | null;
  /** The name in the 429 message: `provider`, `provider/model` or the policy's `policy-<n>`. */
  name: string;
  /** The X-AI-RateLimit-* header suffix after the window size. */
  header: string;
  size: number;
  limit: number;
  strategy: CountStrategy;
  type: WindowType;
  /** A policy's window: the providers/models its match stands for (absent: any answer). */
  target?: Pick<MatchedPolicy, 'provider' | 'model'>;
}

/** `provider` or `provider/model`, as named in the 429 message. */
function limitName(p: ProviderLimit): string {
  return p.model === null ? p.name : `${p.name}/${p.model}`;
}

/** The header suffix: `provider` or `provider-model` with characters headers cannot carry replaced. */
function headerName(p: ProviderLimit): string {
  return p.model === null ? p.name : `${p.name}-${p.model.replace(/[^A-Za-z0-9!#$%&'*+.^_`|~-]/g, '_')}`;
}

type RouteModels = readonly AiModel[] | null;

/**
 * Whether a limit concerns this request: its provider is one the route's AI proxy calls (all
 * providers when the route has none), and its model, when set, is the one the request will use
 * (unknown models count, to stay on the safe side).
 */
function applies(p: ProviderLimit, route: RouteModels, bodyModel: string | null): boolean {
  if (p.name === REQUEST_PROMPT) return true;
  const modelOk = (m: string | null) => p.model === null || m === null || m === p.model;
  if (route === null) return modelOk(bodyModel);
  return route.some((t) => t.provider === p.name && modelOk(t.model ?? bodyModel));
}

interface Reservation {
  admission: Admission;
  windows: BudgetWindow[];
  info: WindowInfo[];
}

const RESERVATION = new Slot<Reservation>('ai-rate-limiting-advanced.reservation');

/** Largest completions recently seen per provider (reservation allowance when no max_tokens). */
class Learned {
  private readonly seen = new Map<string, number[]>();
  add(provider: string, completion: number): void {
    const list = this.seen.get(provider) ?? [];
    list.push(completion);
    if (list.length > LEARN) list.shift();
    this.seen.set(provider, list);
  }
  max(provider: string): number {
    const list = this.seen.get(provider);
    return list && list.length ? Math.max(...list) : 0;
  }
}

function fromBody(body: CanonicalRequest): Estimate {
  const max = [body.max_tokens, body.max_completion_tokens].find((v): v is number => typeof v === 'number' && v > 0);
  const model = typeof body.model === 'string' && body.model !== '' ? body.model : null;
  return { prompt: estimatePromptTokens(body, false), maxTokens: max ?? null, exact: true, model };
}

/** Whatever is known of a body that is not an AI request: its size (≈ 4 bytes a token). */
function roughEstimate(ctx: GatewayContext): Estimate {
  const raw = ctx.bufferedBody();
  const len = raw ? raw.length : Number(ctx.header('content-length'));
  return { prompt: Number.isFinite(len) && len > 0 ? Math.ceil(len / 4) : 0, maxTokens: null, exact: false, model: null };
}

/**
 * The estimate, from the whole parsed body on an AI route, whatever its framing (content-length,
 * chunked, slow): it is read with the limit of the route's AI proxy plugin, so an oversize or bad
 * body gets the same answer from that plugin as without a budget (and is never forwarded).
 */
async function estimate(ctx: GatewayContext, c: BudgetConfig): Promise<Estimate> {
  const parsed = ctx.get(AI_REQUEST);
  if (parsed) return fromBody(parsed.body);
  const ai = ctx.route?.aiBody;
  if (ai) {
    try {
      return fromBody((await aiRequest(ctx, { maxBodySize: ai.maxBodySize, llmFormat: c.llmFormat, plugin: ai.plugin })).body);
    } catch (err) {
      if (!(err instanceof ReplyError)) throw err;
      // not an AI body: the proxy refuses it (or, for `preserve`, sends the bytes as they are)
      await ctx.body(ai.maxBodySize).catch(() => undefined);
      return roughEstimate(ctx);
    }
  }
  const len = Number(ctx.header('content-length'));
  if (Number.isFinite(len) && len > 0 && len <= PARSE_LIMIT && !declaresNonJson(ctx)) {
    try {
      return fromBody((await aiRequest(ctx, { maxBodySize: PARSE_LIMIT, llmFormat: c.llmFormat })).body);
    } catch {
      // not an AI body: the AI plugins after this one answer with their own errors
    }
  }
  return roughEstimate(ctx);
}

/**
 * Completion tokens reserved for one provider: what the route caps (`model.options.max_tokens`,
 * 0 for embeddings), else the client's `max_tokens`, else DEFAULT_COMPLETION (or the largest
 * answer recently seen from the provider, when larger).
 */
function allowance(p: ProviderLimit, route: RouteModels, e: Estimate, learned: Learned): number {
  const client = e.maxTokens ?? Math.max(DEFAULT_COMPLETION, learned.max(p.name));
  if (route === null) return client;
  let out = -1;
  for (const t of route) if (t.provider === p.name) out = Math.max(out, t.maxTokens ?? client);
  return out < 0 ? client : out;
}

/** The most a call to one of `targets` can cost (0 when none is priced, or the route has no AI proxy). */
function reservedCost(targets: readonly AiModel[], e: Estimate, allowance: number): number {
  let most = 0;
  for (const t of targets) most = Math.max(most, costBound(t.pricing, e.prompt, t.maxTokens ?? allowance));
  return most;
}

function amounts(strategy: CountStrategy, e: Estimate, allowance: number, cost: () => number): { need: number; add: number } {
  const need = e.exact ? e.prompt : 0;
  switch (strategy) {
    case 'prompt_tokens': return { need, add: e.prompt };
    case 'completion_tokens': return { need: 0, add: allowance };
    case 'cost': return { need: 0, add: cost() };
    default: return { need, add: e.prompt + allowance };
  }
}

function actual(strategy: CountStrategy, a: AiAnalytics): number {
  switch (strategy) {
    case 'prompt_tokens': return a.usage.prompt_tokens;
    case 'completion_tokens': return a.usage.completion_tokens;
    case 'cost': return a.usage.cost;
    default: return a.usage.total_tokens;
  }
}

interface Plan { windows: BudgetWindow[]; info: WindowInfo[] }

function plan(c: BudgetConfig, e: Estimate, learned: Learned, ns: string, id: string, route: RouteModels): Plan {
  const windows: BudgetWindow[] = [];
  const info: WindowInfo[] = [];
  for (const p of c.providers) {
    if (!applies(p, route, e.model)) continue;
    const isPrompt = p.name === REQUEST_PROMPT;
    const completion = isPrompt ? 0 : allowance(p, route, e, learned);
    const { need, add } = isPrompt ? { need: e.exact ? e.prompt : 0, add: e.prompt } : amounts(c.countStrategy, e, completion, () => reservedCost((route ?? []).filter((t) => t.provider === p.name), e, completion));
    const scope = p.model === null ? p.name : `${p.name}/${p.model}`;
    for (const w of p.windows) {
      windows.push({ key: `aigw:ai-rl:{${ns}:${id}}:${scope}:${w.size}`, size: w.size, limit: w.limit, need, add, penalty: isPrompt && !c.disablePenalty });
      info.push({ provider: p.name, model: p.model, name: limitName(p), header: headerName(p), size: w.size, limit: w.limit, strategy: c.countStrategy, type: c.windowType });
    }
  }
  return { windows, info };
}

/** Completion tokens reserved under a policy: the largest any of the route's targets may answer. */
function policyAllowance(route: RouteModels, e: Estimate, learned: Learned): number {
  const seen = Math.max(DEFAULT_COMPLETION, ...(route ?? []).map((t) => learned.max(t.provider)));
  const client = e.maxTokens ?? seen;
  return route === null || route.length === 0 ? client : Math.max(...route.map((t) => t.maxTokens ?? client));
}

/** The windows of the policies that apply; their counters: `aigw:ai-rl:{<ns>}:<policy>:<strategy>:<size>:<identifier>[|<partition>]`. */
function planPolicies(c: BudgetConfig, matched: readonly MatchedPolicy[], e: Estimate, learned: Learned, ns: string, id: string, route: RouteModels): Plan {
  const windows: BudgetWindow[] = [];
  const info: WindowInfo[] = [];
  const completion = policyAllowance(route, e, learned);
  for (const { policy, partition, provider, model } of matched) {
    const subject = partition === '' ? id : `${id}|${partition}`;
    for (const l of policy.limits) {
      const { need, add } = amounts(l.strategy, e, completion, () => reservedCost(route ?? [], e, completion));
      windows.push({ key: `aigw:ai-rl:{${ns}}:${policy.name}:${l.strategy}:${l.size}:${subject}`, size: l.size, limit: l.limit, need, add, penalty: false, type: policy.windowType });
      info.push({ provider: null, model: null, name: policy.name, header: policy.name, size: l.size, limit: l.limit, strategy: l.strategy, type: policy.windowType, target: { provider, model } });
    }
  }
  return { windows, info };
}

const distinct = (xs: ReadonlyArray<string | null | undefined>): string[] => [...new Set(xs.filter((x): x is string => typeof x === 'string' && x !== ''))];

/** What policy conditions look at: the consumer and its groups, headers, client IP, path, and the route's providers and models. */
function facts(ctx: GatewayContext, consumers: Consumers, e: Estimate, route: RouteModels): RequestFacts {
  const consumer = ctx.consumer;
  return {
    consumer,
    groupIds: consumer ? consumers.consumerGroupIds(consumer.id) : [],
    groupNames: consumer ? consumers.consumerGroups(consumer.id) : [],
    header: (name) => ctx.header(name),
    ip: ctx.clientIp,
    path: ctx.path,
    models: route === null ? distinct([e.model]) : distinct(route.map((t) => t.model ?? e.model)),
    providers: route === null ? [] : distinct(route.map((t) => t.provider)),
  };
}

function headers(c: BudgetConfig, r: Reservation, now: number, random: () => number): { headers: Record<string, string>; retry: number } {
  const h: Record<string, string> = {};
  const { admission: a, windows, info } = r;
  let tightest = -1;
  let tightestLeft = Number.POSITIVE_INFINITY;
  let retry = 0;
  info.forEach((w, i) => {
    const charged = a.admitted || windows[i].penalty ? windows[i].add : 0;
    const left = Math.max(0, w.limit - a.usage[i] - charged);
    const shown = w.strategy === 'cost' ? Number(left.toFixed(6)) : Math.floor(left);
    h[`X-AI-RateLimit-Limit-${w.size}-${w.header}`] = String(w.limit);
    h[`X-AI-RateLimit-Remaining-${w.size}-${w.header}`] = String(shown);
    h[`X-AI-RateLimit-Reset-${w.size}-${w.header}`] = String(position(w.size, now, w.type).reset);
    if (left / w.limit < tightestLeft) {
      tightestLeft = left / w.limit;
      tightest = i;
    }
    if (!a.blocked[i]) return;
    const mine = retryAfter(w.size, now, w.type, w.limit, a.usage[i], 0, windows[i].need);
    h[`X-AI-RateLimit-Retry-After-${w.size}-${w.header}`] = String(mine);
    retry = Math.max(retry, mine);
  });
  if (tightest >= 0) h['X-AI-RateLimit-Reset'] = String(position(info[tightest].size, now, info[tightest].type).reset);
  if (!a.admitted) {
    retry += Math.ceil(random() * c.jitterMax);
    h['X-AI-RateLimit-Retry-After'] = String(retry);
    h['Retry-After'] = String(retry);
  }
  return { headers: h, retry };
}

function refusal(c: BudgetConfig, r: Reservation, hdrs: Record<string, string>): Reply {
  const names = [...new Set(r.info.filter((_, i) => r.admission.blocked[i]).map((w) => w.name))];
  const message = c.hideProviders ? c.errorMessage : `${c.errorMessage}${names.join(', ')}`;
  const reason = r.info
    .map((w, i) => (r.admission.blocked[i] ? `${w.name} ${w.size} s window: ${Math.round(r.admission.usage[i])} of ${w.limit} used, this request needs ${Math.round(r.windows[i].need)}` : null))
    .filter((x) => x !== null)
    .join('; ');
  return { status: c.errorCode, message, reason, headers: c.hideClientHeaders ? {} : hdrs };
}

function openStore(c: BudgetConfig, deps: Parameters<Plugin<BudgetConfig>['create']>[1]): BudgetStore {
  if (c.strategy !== 'redis') return deps.store.get('local', () => new LocalBudget(deps.now), (s) => s.close());
  return deps.store.get('redis', () => new FallbackBudget(new RedisBudget(c.redis, deps.logger), new LocalBudget(deps.now), deps.logger), (s) => s.close());
}

export const aiRateLimitingAdvanced: Plugin<BudgetConfig> = {
  name: 'ai-rate-limiting-advanced',
  parse: parseBudgetConfig,
  create(c, deps) {
    const store = openStore(c, deps);
    const learned = deps.store.get('learned', () => new Learned());
    return {
      async access(ctx): Promise<Reply | undefined> {
        const e = await estimate(ctx, c);
        const now = deps.now();
        const ns = c.namespace ?? deps.pluginId;
        const id = identify(ctx, c, deps.consumers);
        const route = ctx.route?.aiModels ?? null;
        const { windows, info } = c.policies
          ? planPolicies(c, selectPolicies(c.policies, facts(ctx, deps.consumers, e, route)), e, learned, ns, id, route)
          : plan(c, e, learned, ns, id, route);
        if (windows.length === 0) return undefined;
        const admission = await store.admit(windows, now, c.windowType);
        const r: Reservation = { admission, windows, info };
        const h = headers(c, r, now, Math.random).headers;
        if (!admission.admitted) return refusal(c, r, h);
        ctx.set(RESERVATION, r);
        if (!c.hideClientHeaders) Object.assign(ctx.responseHeaders, h);
        return undefined;
      },
      async log(ctx) {
        const r = ctx.get(RESERVATION);
        if (!r) return;
        const a = ctx.get(AI_ANALYTICS);
        if (a && a.usage.completion_tokens > 0) learned.add(a.meta.provider_name, a.usage.completion_tokens);
        const deltas = r.windows.map((w, i) => {
          const { provider, model, strategy, target } = r.info[i];
          const used = a ? actual(strategy, a) : 0;
          if (provider === REQUEST_PROMPT) return 0;
          // a policy's window: charged when the answer is one its match stands for, else released
          if (provider === null) return a !== undefined && answeredBy(target ?? {}, a.meta.provider_name, [a.meta.request_model, a.meta.response_model]) ? used - w.add : -w.add;
          const answered = a !== undefined && a.meta.provider_name === provider && (model === null || a.meta.request_model === model || a.meta.response_model === model);
          return answered ? used - w.add : -w.add;
        });
        await r.admission.settle(deltas);
      },
      limits: (now) => budgetLimits(c, store, c.namespace ?? deps.pluginId, now),
    };
  },
};
