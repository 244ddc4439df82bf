/**
 * ai-proxy's schema as Konnect serves it (`GET …/schemas/plugins/ai-proxy`), so that tests can see
 * Konnect's defaults at work: Konnect runs the 3.15 schema, whose defaults differ from Kong 3.10's
 * (`max_request_body_size` 1048576, was 8192; `genai_category`, `llm_format`; protocols with ws/wss).
 * Fields, types, enums and defaults: developer.konghq.com `app/_schemas/gateway/plugins/3.15/AiProxy.json`
 * (summarised in the project's notes); `model.options` keeps the commonly used fields only.
 */
import type { LuaField, LuaFields, PluginSchema } from './plugin-schemas.js';

const s = (extra: Partial<LuaField> = {}): LuaField => ({ type: 'string', ...extra });
const bool = (def?: boolean): LuaField => ({ type: 'boolean', ...(def === undefined ? {} : { default: def }) });
const record = (fields: LuaFields, extra: Partial<LuaField> = {}): LuaField => ({ type: 'record', fields, ...extra });

const PROVIDERS = ['anthropic', 'azure', 'bedrock', 'cerebras', 'cohere', 'dashscope', 'databricks', 'deepseek', 'gemini', 'huggingface', 'llama2', 'mistral', 'ollama', 'openai', 'vllm', 'xai'];
const ROUTE_TYPES = [
  'audio/v1/audio/speech', 'audio/v1/audio/transcriptions', 'audio/v1/audio/translations', 'image/v1/images/edits', 'image/v1/images/generations',
  'llm/v1/assistants', 'llm/v1/batches', 'llm/v1/chat', 'llm/v1/completions', 'llm/v1/embeddings', 'llm/v1/files', 'llm/v1/responses', 'preserve',
  'realtime/v1/realtime', 'video/v1/videos/generations',
];
const AI_PROTOCOLS = ['grpc', 'grpcs', 'http', 'https', 'ws', 'wss'];

const auth = record([
  { header_name: s({ referenceable: true }) },
  { header_value: s({ referenceable: true, encrypted: true }) },
  { param_name: s({ referenceable: true }) },
  { param_value: s({ referenceable: true, encrypted: true }) },
  { param_location: s({ one_of: ['body', 'query'] }) },
  { allow_override: bool(false) },
  { azure_use_managed_identity: bool(false) },
  { gcp_use_service_account: bool(false) },
]);

const model = record(
  [
    { provider: s({ required: true, one_of: PROVIDERS }) },
    { name: s() },
    { model_alias: s() },
    {
      options: record([
        { max_tokens: { type: 'integer' } },
        { temperature: { type: 'number', between: [0, 5] } },
        { top_p: { type: 'number', between: [0, 1] } },
        { input_cost: { type: 'number' } },
        { output_cost: { type: 'number' } },
        { upstream_url: s() },
        { upstream_path: s() },
        { anthropic_version: s() },
        { azure_instance: s() },
        { azure_deployment_id: s() },
        { azure_api_version: s({ default: '2023-05-15' }) },
      ]),
    },
  ],
  { required: true },
);

export const AI_PROXY: PluginSchema = {
  fields: [
    { protocols: { type: 'set', required: true, default: AI_PROTOCOLS, elements: s({ one_of: AI_PROTOCOLS }) } },
    {
      config: record(
        [
          { route_type: s({ required: true, one_of: ROUTE_TYPES }) },
          { auth },
          { model },
          { logging: record([{ log_statistics: bool(false) }, { log_payloads: bool(false) }]) },
          { response_streaming: s({ default: 'allow', one_of: ['allow', 'always', 'deny'] }) },
          { model_name_header: bool(true) },
          { max_request_body_size: { type: 'integer', default: 1048576 } },
          { llm_format: s({ default: 'openai', one_of: ['anthropic', 'bedrock', 'cohere', 'gemini', 'huggingface', 'openai'] }) },
          { genai_category: s({ default: 'text/generation', one_of: ['audio/speech', 'audio/transcription', 'image/generation', 'text/embeddings', 'text/generation', 'video/generation'] }) },
        ],
        { required: true },
      ),
    },
  ],
};
