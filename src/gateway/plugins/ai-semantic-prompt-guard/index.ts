/**
 * ai-semantic-prompt-guard: the prompt is embedded (the `embeddings` model, through the LLM caller)
 * and compared with the embedded `rules.allow_prompts` / `rules.deny_prompts` kept in the
 * `vectordb` (memory or redis; guardrails/semantic-rules.ts). A deny rule within
 * `search.threshold` refuses; with allow rules, a prompt near none of them is refused too. The
 * refusal is 403 `{"error":{"message":"bad request"}}` (Kong does not tell the client that a guard
 * is in use); an embeddings or vector-store failure refuses as well (400), never lets it through.
 *
 * The prompt is Kong's: the `user` messages (every role with `rules.match_all_roles`), newest
 * first, only the last one unless `rules.match_all_conversation_history`, joined with spaces; or a
 * completions `prompt`.
 */
import type { PluginConfigs } from '../../../config/generated/plugin-configs.js';
import { Slot, type GatewayContext } from '../../context.js';
import { aiLog, messageText, promptRequest } from '../../llm/formats/prompt.js';
import { aiError } from '../../llm/formats/request.js';
import { isObject, type CanonicalRequest } from '../../llm/wire/openai-types.js';
import type { KongPlugin, PluginDeps } from '../../plugin.js';
import { SemanticRules, type Judgement } from '../../guardrails/semantic-rules.js';

type Config = PluginConfigs['ai-semantic-prompt-guard'];

export const REFUSED = 'bad request';
const BAD_FORMAT = 'ai-semantic-prompt-guard only supports llm/v1/chat or llm/v1/completions prompts';

interface Outcome { action: string; rule?: string; error?: string }
const OUTCOME = new Slot<Outcome>('ai-semantic-prompt-guard.outcome');

/** Kong's collected prompt, or null when the body is neither chat nor completions. */
export function collectPrompt(body: CanonicalRequest, allRoles: boolean, history: boolean): string | null {
  if (Array.isArray(body.messages)) {
    const parts: string[] = [];
    for (let i = body.messages.length - 1; i >= 0; i--) {
      const m = body.messages[i] as unknown;
      if (!isObject(m) || typeof m.role !== 'string') return null;
      if (m.role !== 'user' && !allRoles) continue;
      const text = messageText(m);
      if (text === null) return null;
      parts.push(text);
      if (!history) break;
    }
    return parts.join(' ');
  }
  return typeof body.prompt === 'string' ? body.prompt : null;
}

async function guard(c: Config, rules: SemanticRules, deps: PluginDeps, ctx: GatewayContext): Promise<undefined> {
  const req = await promptRequest(ctx, c.max_request_body_size ?? c.rules.max_request_body_size ?? 8192, c.llm_format);
  const prompt = collectPrompt(req.body, c.rules.match_all_roles, c.rules.match_all_conversation_history ?? false);
  if (prompt === null) throw aiError(400, BAD_FORMAT);
  let j: Judgement;
  try {
    await rules.ready(ctx.requestId);
    j = await rules.judge(await rules.embedder.embed(prompt, { requestId: ctx.requestId }), deps.now());
  } catch (err) {
    ctx.set(OUTCOME, { action: 'error', error: (err as Error).message });
    deps.logger.warn('ai-semantic-prompt-guard: cannot judge the prompt', { request_id: ctx.requestId, error: (err as Error).message });
    throw aiError(400, REFUSED);
  }
  ctx.set(OUTCOME, j);
  if (j.action === 'deny' || j.action === 'no-allow-match') throw aiError(403, REFUSED);
  return undefined;
}

export const aiSemanticPromptGuard: KongPlugin<'ai-semantic-prompt-guard'> = {
  name: 'ai-semantic-prompt-guard',
  create(c: Config, deps) {
    const rules = new SemanticRules({
      plugin: 'ai-semantic-prompt-guard',
      embeddings: c.embeddings,
      vectordb: c.vectordb,
      rules: { allow: c.rules.allow_prompts ?? [], deny: c.rules.deny_prompts ?? [] },
      threshold: c.search?.threshold ?? c.vectordb.threshold ?? 0.5,
    }, deps);
    return {
      access: (ctx) => guard(c, rules, deps, ctx),
      log(ctx, record) {
        const o = ctx.get(OUTCOME);
        if (o) aiLog(record)['semantic-prompt-guard'] = { ...o };
      },
    };
  },
};
