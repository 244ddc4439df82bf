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
import { requestSizeLimiting } from './request-size-limiting/index.js';
import { requestTermination } from './request-termination/index.js';
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
  requestTransformer,
  responseTransformer,
  requestTermination,
  proxyCache,
  aiRateLimitingAdvanced,
  aiPromptTemplate,
  aiPromptDecorator,
  aiPromptGuard,
  aiSanitizer,
  aiProxy,
  aiProxyAdvanced,
  aiRequestTransformer,
  aiResponseTransformer,
  aiSemanticCache,
  prometheus,
  opentelemetry,
  httpLog,
  fileLog,
] as unknown as Array<Plugin<never>>;

export const PLUGINS: ReadonlyMap<string, Plugin<never>> = new Map(LIST.map((p) => [p.name, p]));
