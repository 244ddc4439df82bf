// ai-llm-as-judge: config schema source (built into schemas/plugins/ai-llm-as-judge.json by `npm run gen:schemas`).
// `priority` is declared here only: the runtime reads it from the built schema (`x-kong-priority`).
import { KONG_REFERENCE, bool, host, int, num, pluginConfig, port, rec, since, str } from '../../../../schemas/src/dsl.mjs';
import { llmChecks, llmFields, prefixCheck } from '../../../../schemas/src/llm.mjs';

export const name = 'ai-llm-as-judge';
export const priority = 767;
/** The Kong version that added the plugin. */
export const kongSince = '3.12';

export const DEFAULT_JUDGE_PROMPT = 'You are a strict evaluator. You will be given a prompt and a response. Your task is to judge whether the response is correct or incorrect. You must assign a score between 1 and 100, where: 100 represents a completely correct and ideal response, 1 represents a completely incorrect or irrelevant response. Your score must be a single number only — no text, labels, or explanations. Use the full range of values (e.g., 13, 47, 86), not just round numbers like 10, 50, or 100. Be accurate and consistent, as this score will be used by another model for learning and evaluation.';

/** The config schema for Kong version `kong`; null before the plugin existed. */
export function schema(kong = KONG_REFERENCE) {
  if (!since(kong, kongSince)) return null;
  // Kong's route types (the profile's); aigw serve calls the judge with llm/v1/chat only (src/gateway/not-served.ts)
  const llm = llmFields();
  if (since(kong, '3.13')) {
    llm.description = str('Description of the judge model.');
    llm.metadata = { description: 'Free-form metadata of the judge model.', type: ['object', 'null'] };
    llm.weight = int('Weight of the model (used by balancers).', { required: true, default: 100, min: 1, max: 65535 });
  }
  const ignore = (role) => bool(`Leave ${role} messages out of what the judge sees.`, { required: true, default: true });
  return pluginConfig(name, priority, 'Scores LLM answers with a judge LLM (1 = wrong, 100 = ideal).', {
    prompt: str('The judge\'s instructions (system prompt).', { required: true, default: DEFAULT_JUDGE_PROMPT }),
    sampling_rate: num('Share of requests judged (0..1).', { required: true, default: 1, min: 0, max: 1 }),
    message_countback: num('Number of chat-history messages shown to the judge.', { required: true, default: 1, min: 1, max: 1000 }),
    ignore_system_prompts: ignore('system'),
    ignore_assistant_prompts: ignore('assistant'),
    ignore_tool_prompts: ignore('tool'),
    http_timeout: int('Timeout of the judge call (ms).', { required: true, default: 60000 }),
    https_verify: bool('Verify the TLS certificate of the judge LLM.', { required: true, default: true }),
    http_proxy_host: host('Forward-proxy host for http judge calls.'),
    http_proxy_port: port('Forward-proxy port for http judge calls.'),
    https_proxy_host: host('Forward-proxy host for https judge calls.'),
    https_proxy_port: port('Forward-proxy port for https judge calls.'),
    llm: rec('The judge LLM.', llm, { required: true }),
  }, [
    { mutually_required: ['http_proxy_host', 'http_proxy_port'] },
    { mutually_required: ['https_proxy_host', 'https_proxy_port'] },
    ...llmChecks().map((c) => prefixCheck(c, 'llm.')),
  ]);
}
