/**
 * THE plugin registry: one line per plugin. File name = Kong plugin name.
 */
import type { Plugin } from '../plugin.js';
import { acl } from './acl/index.js';
import { aiPromptDecorator } from './ai-prompt-decorator/index.js';
import { aiPromptGuard } from './ai-prompt-guard/index.js';
import { aiPromptTemplate } from './ai-prompt-template/index.js';
import { aiProxy } from './ai-proxy/index.js';
import { aiProxyAdvanced } from './ai-proxy-advanced/index.js';
import { aiRequestTransformer } from './ai-request-transformer/index.js';
import { aiResponseTransformer } from './ai-response-transformer/index.js';
import { aiRateLimitingAdvanced } from './ai-rate-limiting-advanced/index.js';
import { aiSanitizer } from './ai-sanitizer/index.js';
import { aiSemanticCache } from './ai-semantic-cache/index.js';
import { aiSemanticPromptGuard } from './ai-semantic-prompt-guard/index.js';
import { aiSemanticResponseGuard } from './ai-semantic-response-guard/index.js';
import { aiRagInjector } from './ai-rag-injector/index.js';
import { aiPromptCompressor } from './ai-prompt-compressor/index.js';
import { aiLlmAsJudge } from './ai-llm-as-judge/index.js';
import { aiMcpProxy } from './ai-mcp-proxy/index.js';
import { aiMcpOauth2 } from './ai-mcp-oauth2/index.js';
import { aiA2aProxy } from './ai-a2a-proxy/index.js';
import { aiAzureContentSafety } from './ai-azure-content-safety/index.js';
import { aiAwsGuardrails } from './ai-aws-guardrails/index.js';
import { aiGcpModelArmor } from './ai-gcp-model-armor/index.js';
import { aiLakeraGuard } from './ai-lakera-guard/index.js';
import { aiCustomGuardrail } from './ai-custom-guardrail/index.js';
import { aigwPiiSanitizer } from './aigw-pii-sanitizer/index.js';
import { basicAuth } from './basic-auth/index.js';
import { correlationId } from './correlation-id/index.js';
import { cors } from './cors/index.js';
import { fileLog } from './file-log/index.js';
import { httpLog } from './http-log/index.js';
import { ipRestriction } from './ip-restriction/index.js';
import { jwt } from './jwt/index.js';
import { keyAuth } from './key-auth/index.js';
import { opentelemetry } from './opentelemetry/index.js';
import { prometheus } from './prometheus/index.js';
import { proxyCache } from './proxy-cache/index.js';
import { rateLimiting } from './rate-limiting/index.js';
import { rateLimitingAdvanced } from './rate-limiting-advanced/index.js';
import { requestSizeLimiting } from './request-size-limiting/index.js';
import { requestTermination } from './request-termination/index.js';
import { requestValidator } from './request-validator/index.js';
import { requestTransformer } from './request-transformer/index.js';
import { responseTransformer } from './response-transformer/index.js';

const LIST = [
  correlationId,
  cors,
  jwt,
  keyAuth,
  basicAuth,
  ipRestriction,
  requestSizeLimiting,
  acl,
  rateLimiting,
  rateLimitingAdvanced,
  requestTransformer,
  responseTransformer,
  requestTermination,
  requestValidator,
  proxyCache,
  aiRateLimitingAdvanced,
  aiPromptTemplate,
  aiPromptDecorator,
  aiPromptGuard,
  aiSanitizer,
  aigwPiiSanitizer,
  aiProxy,
  aiProxyAdvanced,
  aiRequestTransformer,
  aiResponseTransformer,
  aiSemanticCache,
  aiSemanticPromptGuard,
  aiSemanticResponseGuard,
  aiRagInjector,
  aiPromptCompressor,
  aiLlmAsJudge,
  aiMcpProxy,
  aiMcpOauth2,
  aiA2aProxy,
  aiAzureContentSafety,
  aiAwsGuardrails,
  aiGcpModelArmor,
  aiLakeraGuard,
  aiCustomGuardrail,
  prometheus,
  opentelemetry,
  httpLog,
  fileLog,
] as unknown as Array<Plugin<never>>;

export const PLUGINS: ReadonlyMap<string, Plugin<never>> = new Map(LIST.map((p) => [p.name, p]));
