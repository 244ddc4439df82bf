/**
 * ai-semantic-response-guard (Kong 3.12): the LLM's answer is embedded and compared with the
 * embedded `rules.allow_responses` / `rules.deny_responses` kept in the `vectordb` (memory or
 * redis; guardrails/semantic-rules.ts). A deny rule within `search.threshold`, or no allow rule
 * near it when allow rules exist, replaces the answer with 403 `{"error":{"message":"bad
 * response"}}`; any evaluation error (embeddings, vector store) does the same, as in Kong.
 *
 * Only the first `rules.max_response_body_size` bytes of the answer's text are introspected. A
 * streamed answer is held back whole (the shared guardrail engine's stream guard with an unbounded
 * buffer) and released, or replaced by an error frame, once it is complete.
 */
import type { PluginConfigs } from '../../../config/generated/plugin-configs.js';
import type { KongPlugin } from '../../plugin.js';
import { guardrailInstance, type Guardrail } from '../../guardrails/guard.js';
import { SemanticRules } from '../../guardrails/semantic-rules.js';

type Config = PluginConfigs['ai-semantic-response-guard'];

export const REFUSED = 'bad response';

/** The first `max` bytes of `text` (UTF-8), never splitting a character. */
function firstBytes(text: string, max: number): string {
  const buf = Buffer.from(text, 'utf8');
  if (buf.length <= max) return text;
  return buf.subarray(0, max).toString('utf8').replace(/\uFFFD$/, '');
}

export const aiSemanticResponseGuard: KongPlugin<'ai-semantic-response-guard'> = {
  name: 'ai-semantic-response-guard',
  create(c: Config, deps) {
    const rules = new SemanticRules({
      plugin: 'ai-semantic-response-guard',
      embeddings: c.embeddings,
      vectordb: c.vectordb,
      rules: { allow: c.rules.allow_responses ?? [], deny: c.rules.deny_responses ?? [] },
      threshold: c.search?.threshold ?? c.vectordb.threshold ?? 0.5,
    }, deps);
    const max = c.rules.max_response_body_size ?? 8192;
    const g: Guardrail = {
      name: 'ai-semantic-response-guard',
      logKey: 'semantic-response-guard',
      mode: 'OUTPUT',
      textSource: 'concatenate_all_content',
      stopOnError: true,
      bufferTokens: Number.POSITIVE_INFINITY,
      logBlockedContent: false,
      async check(_source, texts, requestId) {
        await rules.ready(requestId);
        const vector = await rules.embedder.embed(firstBytes(texts.map((t) => t.text).join('\n'), max), { requestId });
        const j = await rules.judge(vector, deps.now());
        const blocked = j.action === 'deny' || j.action === 'no-allow-match';
        return { blocked, reason: blocked ? j.action : null, log: { action: j.action } };
      },
      refusal: () => REFUSED,
      refusalStatus: 403,
      failure: { status: 403, message: REFUSED },
    };
    return guardrailInstance(g, deps);
  },
};
