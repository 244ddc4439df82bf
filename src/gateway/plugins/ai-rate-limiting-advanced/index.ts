/**
 * ai-rate-limiting-advanced: token (or cost) budgets per identifier, per provider
 * (`llm_providers[].name`, or `requestPrompt` for the request prompts), with several fixed or
 * sliding windows each, counted locally or in Redis (kong.md §1.8).
 *
 * Reserve in access, settle in log:
 *
 *   access  estimate the prompt (Kong's word count of the parsed request) and a completion
 *           allowance (`max_tokens`, else the largest completion recently seen for the provider);
 *           then, in ONE atomic step (a Lua script in Redis), refuse when a window is exhausted
 *           (Kong) or when the prompt alone does not fit in what is left (beyond Kong), otherwise
 *           add the reservation to every provider's windows:
 *             prompt_tokens → prompt · total_tokens → prompt + allowance ·
 *             completion_tokens → allowance · cost → 0 (prices are unknown before the answer)
 *   log     read the real usage from AI_ANALYTICS (buffered and streamed answers alike) and add
 *           `actual − reserved` to the provider that answered, `−reserved` to the others (and
 *           to all of them when the request never reached an LLM).
 *
 * Concurrency: because reservations are taken atomically, N simultaneous requests against a
 * budget B are admitted only while `used + reserved < B` and their prompt fits; the budget is
 * overrun by at most ONE in-flight request's worth (the last admitted request's completion),
 * provided reservations cover real usage — exact when clients send `max_tokens` and for
 * `prompt_tokens`, approximate otherwise (word-count estimates, learned completion sizes).
 * `requestPrompt` windows are charged in access and never settled; with the default
 * `disable_penalty: false` a refused request is still charged there.
 *
 * Bodies larger than 8 KiB (or without content-length) are not parsed here, so ai-proxy's own
 * `max_request_body_size` still applies; their estimate is content-length / 4 and they are only
 * refused when a window is exhausted. A dead Redis does not fail requests: counting falls back to
 * this node's memory and the outage is logged (the schema has no `fault_tolerant` switch).
 *
 * Headers (unless `hide_client_headers`): `X-AI-RateLimit-Limit-<window>-<provider>`,
 * `X-AI-RateLimit-Remaining-<window>-<provider>` (after this request's reservation),
 * `X-AI-RateLimit-Reset`; on refusal also `X-AI-RateLimit-Retry-After` and `Retry-After`
 * (+ up to `retry_after_jitter_max` s). Refusal body: Kong's `{"message": error_message +
 * "openai, azure"}` (providers omitted with `error_hide_providers`).
 */
import { Slot, type GatewayContext, type Reply } from '../../context.js';
import { AI_ANALYTICS, type AiAnalytics } from '../../llm/call/analytics.js';
import { FallbackBudget, LocalBudget, RedisBudget, type Admission, type BudgetStore, type BudgetWindow } from './budget-store.js';
import { parseBudgetConfig, REQUEST_PROMPT, type BudgetConfig, type ProviderLimit } from './config.js';
import { declaresNonJson } from '../../llm/formats/prompt.js';
import { position, retryAfter } from './windows.js';
import { budgetLimits } from './limits.js';
import { AI_REQUEST, aiRequest } from '../../llm/formats/request.js';
import type { CanonicalRequest } from '../../llm/wire/openai-types.js';
import { estimatePromptTokens } from '../../llm/wire/usage.js';
import { identify } from './identify.js';
import type { Plugin } from '../../plugin.js';

const PARSE_LIMIT = 8192;
const LEARN = 50;

interface Estimate {
  prompt: number;
  maxTokens: number | null;
  /** The model the client asked for, when the body says. */
  model: string | null;
  /** Whether the body was parsed (only then may the prompt size refuse a request). */
  exact: boolean;
}

interface WindowInfo {
  provider: string;
  model: string | null;
  size: number;
  limit: number;
}

/** `provider` or `provider/model`, as named in the 429 message. */
function limitName(w: WindowInfo): string {
  return w.model === null ? w.provider : `${w.provider}/${w.model}`;
}

/** The header suffix: `provider` or `provider-model` with characters headers cannot carry replaced. */
function headerName(w: WindowInfo): string {
  return w.model === null ? w.provider : `${w.provider}-${w.model.replace(/[^A-Za-z0-9!#$%&'*+.^_`|~-]/g, '_')}`;
}

type RouteModels = ReadonlyArray<{ provider: string; model: string | null }> | null;

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

async function estimate(ctx: GatewayContext, c: BudgetConfig): Promise<Estimate> {
  const parsed = ctx.get(AI_REQUEST);
  if (parsed) return fromBody(parsed.body);
  const len = Number(ctx.header('content-length'));
  const known = Number.isFinite(len) && len > 0;
  if (known && len <= PARSE_LIMIT && !declaresNonJson(ctx)) {
    try {
      return fromBody((await aiRequest(ctx, { maxBodySize: PARSE_LIMIT, llmFormat: c.llmFormat })).body);
    } catch {
      // not an AI body: the AI plugins after this one answer with their own errors
    }
  }
  return { prompt: known ? Math.ceil(len / 4) : 0, maxTokens: null, exact: false, model: null };
}

function amounts(c: BudgetConfig, e: Estimate, allowance: number): { need: number; add: number } {
  const need = e.exact ? e.prompt : 0;
  switch (c.countStrategy) {
    case 'prompt_tokens': return { need, add: e.prompt };
    case 'completion_tokens': return { need: 0, add: allowance };
    case 'cost': return { need: 0, add: 0 };
    default: return { need, add: e.prompt + allowance };
  }
}

function actual(c: BudgetConfig, a: AiAnalytics): number {
  switch (c.countStrategy) {
    case 'prompt_tokens': return a.usage.prompt_tokens;
    case 'completion_tokens': return a.usage.completion_tokens;
    case 'cost': return a.usage.cost;
    default: return a.usage.total_tokens;
  }
}

function plan(c: BudgetConfig, e: Estimate, learned: Learned, ns: string, id: string, route: RouteModels): { windows: BudgetWindow[]; info: WindowInfo[] } {
  const windows: BudgetWindow[] = [];
  const info: WindowInfo[] = [];
  for (const p of c.providers) {
    if (!applies(p, route, e.model)) continue;
    const isPrompt = p.name === REQUEST_PROMPT;
    const { need, add } = isPrompt ? { need: e.exact ? e.prompt : 0, add: e.prompt } : amounts(c, e, e.maxTokens ?? learned.max(p.name));
    const scope = p.model === null ? p.name : `${p.name}/${p.model}`;
    for (const w of p.windows) {
      windows.push({ key: `aigw:ai-rl:{${ns}:${id}}:${scope}:${w.size}`, size: w.size, limit: w.limit, need, add, penalty: isPrompt && !c.disablePenalty });
      info.push({ provider: p.name, model: p.model, size: w.size, limit: w.limit });
    }
  }
  return { windows, info };
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
    const shown = c.countStrategy === 'cost' ? Number(left.toFixed(6)) : Math.floor(left);
    h[`X-AI-RateLimit-Limit-${w.size}-${headerName(w)}`] = String(w.limit);
    h[`X-AI-RateLimit-Remaining-${w.size}-${headerName(w)}`] = String(shown);
    if (left / w.limit < tightestLeft) {
      tightestLeft = left / w.limit;
      tightest = i;
    }
    if (a.blocked[i]) retry = Math.max(retry, retryAfter(w.size, now, c.windowType, w.limit, a.usage[i], 0, windows[i].need));
  });
  if (tightest >= 0) h['X-AI-RateLimit-Reset'] = String(position(info[tightest].size, now, c.windowType).reset);
  if (!a.admitted) {
    retry += Math.ceil(random() * c.jitterMax);
    h['X-AI-RateLimit-Retry-After'] = String(retry);
    h['Retry-After'] = String(retry);
  }
  return { headers: h, retry };
}

function refusal(c: BudgetConfig, r: Reservation, hdrs: Record<string, string>): Reply {
  const names = [...new Set(r.info.filter((_, i) => r.admission.blocked[i]).map(limitName))];
  const message = c.hideProviders ? c.errorMessage : `${c.errorMessage}${names.join(', ')}`;
  const reason = r.info
    .map((w, i) => (r.admission.blocked[i] ? `${limitName(w)} ${w.size} s window: ${Math.round(r.admission.usage[i])} of ${w.limit} used, this request needs ${Math.round(r.windows[i].need)}` : null))
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
        const { windows, info } = plan(c, e, learned, c.namespace ?? deps.pluginId, identify(ctx, c, deps.consumers), ctx.route?.aiModels ?? null);
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
        const used = a ? actual(c, a) : 0;
        if (a && a.usage.completion_tokens > 0) learned.add(a.meta.provider_name, a.usage.completion_tokens);
        const deltas = r.windows.map((w, i) => {
          const { provider, model } = r.info[i];
          if (provider === REQUEST_PROMPT) return 0;
          const answered = a !== undefined && a.meta.provider_name === provider && (model === null || a.meta.request_model === model || a.meta.response_model === model);
          return answered ? used - w.add : -w.add;
        });
        await r.admission.settle(deltas);
      },
      limits: (now) => budgetLimits(c, store, c.namespace ?? deps.pluginId, now),
    };
  },
};
