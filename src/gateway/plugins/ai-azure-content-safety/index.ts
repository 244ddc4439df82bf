/**
 * ai-azure-content-safety: prompts and answers checked by Azure AI Content Safety's text:analyze
 * operation (`POST content_safety_url?api-version=…`, `Ocp-Apim-Subscription-Key`):
 *
 *   {"text", "categories": [names], "outputType", "blocklistNames"?, "haltOnBlocklistHit"}
 *   → {"categoriesAnalysis": [{"category", "severity"}], "blocklistsMatch": [{"blocklistName", …}]}
 *
 * The texts picked by `text_source` are joined with `; ` as Kong does. A category at or above its
 * `rejection_level`, or a blocklist hit, refuses the content with Kong's 400 `request failed content
 * safety check: breached category [Hate] at level 2` (`response failed …` for answers; without
 * `reveal_failure_reason` the message stops before the colon). Phases, streaming and logging are
 * the shared guardrail engine's (guardrails/guard.ts), logged under `ai.proxy.azure-content-safety`.
 * Azure managed identity is refused at startup (aigw has no IMDS client).
 */
import type { PluginConfigs } from '../../../config/generated/plugin-configs.js';
import type { KongPlugin } from '../../plugin.js';
import { guardrailInstance, type Guardrail, type GuardSource, type Verdict } from '../../guardrails/guard.js';
import { callJson, serviceAgent } from '../../guardrails/service-call.js';
import { isObject } from '../../llm/wire/openai-types.js';

type Config = PluginConfigs['ai-azure-content-safety'];

function analyze(c: Config, json: unknown): Verdict {
  const b = isObject(json) ? json : {};
  const levels = new Map((c.categories ?? []).map((x) => [x.name, x.rejection_level]));
  const breached: string[] = [];
  const detail: Array<{ category: string; severity: number }> = [];
  for (const a of Array.isArray(b.categoriesAnalysis) ? b.categoriesAnalysis : []) {
    if (!isObject(a) || typeof a.category !== 'string' || typeof a.severity !== 'number') continue;
    detail.push({ category: a.category, severity: a.severity });
    const level = levels.get(a.category);
    if (level !== undefined && a.severity >= level) breached.push(`category [${a.category}] at level ${a.severity}`);
  }
  const hits = (Array.isArray(b.blocklistsMatch) ? b.blocklistsMatch : []).filter(isObject);
  for (const name of new Set(hits.map((h) => String(h.blocklistName)))) breached.push(`blocklist [${name}]`);
  return { blocked: breached.length > 0, reason: breached.length ? breached.join(', ') : null, log: { analysis: detail } };
}

function refusal(c: Config, source: GuardSource, v: Verdict): string {
  const head = `${source === 'INPUT' ? 'request' : 'response'} failed content safety check`;
  return c.reveal_failure_reason && v.reason ? `${head}: breached ${v.reason}` : head;
}

/** Kong's `typedefs.url` check (scheme and host required), and a URL the gateway can call. */
function urlProblem(value: string): string | null {
  if (!/^(?:[A-Za-z][A-Za-z0-9+.-]*:)?\/\/[^/?#]+/.test(value)) return 'missing host in url';
  if (!/^[A-Za-z][A-Za-z0-9+.-]*:/.test(value)) return 'missing scheme in url';
  try {
    new URL(value);
    return null;
  } catch (err) {
    return `could not parse url. ${(err as Error).message}`;
  }
}

export const aiAzureContentSafety: KongPlugin<'ai-azure-content-safety'> = {
  name: 'ai-azure-content-safety',
  // refused in parse, so that validate reports what serve cannot build (AIGW_UNSUPPORTED for the managed identity)
  parse(c: Config): Config {
    if (c.azure_use_managed_identity) throw new Error('azure_use_managed_identity: Azure managed identity is not implemented by aigw serve; use content_safety_key');
    const bad = urlProblem(c.content_safety_url);
    if (bad !== null) throw new Error(`content_safety_url: ${bad}`);
    return c;
  },
  create(c: Config, deps) {
    const agent = deps.store.get('agent', () => serviceAgent({ timeoutMs: 10_000, verifyTls: c.ssl_verify ?? false }), (a) => a.close());
    const url = new URL(c.content_safety_url);
    url.searchParams.set('api-version', c.azure_api_version);
    const headers: Record<string, string> = c.content_safety_key ? { 'ocp-apim-subscription-key': c.content_safety_key } : {};
    const g: Guardrail = {
      name: 'ai-azure-content-safety',
      logKey: 'azure-content-safety',
      mode: c.guarding_mode ?? 'INPUT',
      textSource: c.text_source,
      stopOnError: c.stop_on_error ?? true,
      bufferTokens: c.response_buffer_size ?? 100,
      logBlockedContent: c.log_blocked_content ?? false,
      async check(_source, texts) {
        const body: Record<string, unknown> = {
          text: texts.map((t) => t.text).join('; '),
          outputType: c.output_type,
          haltOnBlocklistHit: c.halt_on_blocklist_hit,
        };
        if (c.categories?.length) body.categories = c.categories.map((x) => x.name);
        if (c.blocklist_names?.length) body.blocklistNames = c.blocklist_names;
        const { json } = await callJson({ url: url.toString(), body, headers, timeoutMs: 10_000, dispatcher: agent });
        return analyze(c, json);
      },
      refusal: (source, v) => refusal(c, source, v),
    };
    return guardrailInstance(g, deps);
  },
};
