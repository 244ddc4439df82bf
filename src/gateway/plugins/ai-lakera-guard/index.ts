/**
 * ai-lakera-guard (Kong 3.13+): prompts and answers checked by Lakera Guard's API v2
 * (`POST lakera_service_url`, `Authorization: Bearer api_key`):
 *
 *   {"messages": [{"role", "content"}…], "project_id"?, "breakdown": true}
 *   → {"flagged": bool, "metadata": {"request_uuid"}, "breakdown": [{"detector_type", "detected", …}]}
 *
 * `flagged` blocks: 400 `{"error":{"message": request_failure_message}}` (the response message for
 * answers), plus the detected `breakdown` entries with `reveal_failure_categories`. The phases,
 * streaming and logging are the shared guardrail engine's (guardrails/guard.ts); the log entry is
 * `ai.proxy.lakera-guard` with Kong's fields (`input_request_uuid`, `input_block_reason`,
 * `input_block_detail`, `lakera_service_url`, `lakera_project_id`).
 */
import type { PluginConfigs } from '../../../config/generated/plugin-configs.js';
import type { KongPlugin } from '../../plugin.js';
import { guardrailInstance, type Guardrail, type GuardText, type Verdict } from '../../guardrails/guard.js';
import { callJson, serviceAgent } from '../../guardrails/service-call.js';
import { isObject } from '../../llm/wire/openai-types.js';

type Config = PluginConfigs['ai-lakera-guard'];

function verdict(json: unknown, reveal: boolean): Verdict {
  const b = isObject(json) ? json : {};
  const detected = (Array.isArray(b.breakdown) ? b.breakdown : []).filter((d) => isObject(d) && d.detected === true);
  const uuid = isObject(b.metadata) && typeof b.metadata.request_uuid === 'string' ? b.metadata.request_uuid : null;
  const first = detected.find((d) => isObject(d) && typeof d.detector_type === 'string') as { detector_type: string } | undefined;
  const flagged = b.flagged === true;
  return {
    blocked: flagged,
    reason: flagged ? (first?.detector_type ?? 'flagged') : null,
    reveal: flagged && reveal ? { breakdown: detected } : null,
    log: { request_uuid: uuid, ...(flagged ? { block_detail: detected } : {}) },
  };
}

export const aiLakeraGuard: KongPlugin<'ai-lakera-guard'> = {
  name: 'ai-lakera-guard',
  create(c: Config, deps) {
    const agent = deps.store.get('agent', () => serviceAgent({ timeoutMs: c.timeout, verifyTls: c.verify_ssl }), (a) => a.close());
    const headers: Record<string, string> = c.api_key ? { authorization: `Bearer ${c.api_key}` } : {};
    const g: Guardrail = {
      name: 'ai-lakera-guard',
      logKey: 'lakera-guard',
      mode: c.guarding_mode,
      textSource: c.text_source,
      stopOnError: c.stop_on_error,
      bufferTokens: c.response_buffer_size,
      logBlockedContent: c.log_blocked_content ?? false,
      async check(_source, texts: GuardText[]) {
        const body: Record<string, unknown> = { messages: texts.map((t) => ({ role: t.role, content: t.text })), breakdown: true };
        if (c.project_id) body.project_id = c.project_id;
        const { json } = await callJson({ url: c.lakera_service_url, body, headers, timeoutMs: c.timeout, dispatcher: agent });
        return verdict(json, c.reveal_failure_categories);
      },
      refusal: (source) => (source === 'INPUT' ? c.request_failure_message : c.response_failure_message),
      logFields: { lakera_service_url: c.lakera_service_url, lakera_project_id: c.project_id ?? 'default' },
    };
    return guardrailInstance(g, deps);
  },
};
