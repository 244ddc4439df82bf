/**
 * THE plugin registry: one line per plugin. File name = Kong plugin name.
 */
import type { Plugin } from '../plugin.js';
import { acl } from './acl.js';
import { aiPromptDecorator } from './ai-prompt-decorator.js';
import { aiPromptGuard } from './ai-prompt-guard.js';
import { aiPromptTemplate } from './ai-prompt-template.js';
import { aiProxy } from './ai-proxy.js';
import { aiProxyAdvanced } from './ai-proxy-advanced.js';
import { aiRequestTransformer } from './ai-request-transformer.js';
import { aiResponseTransformer } from './ai-response-transformer.js';
import { aiRateLimitingAdvanced } from './ai-rate-limiting-advanced.js';
import { aiSanitizer } from './ai-sanitizer.js';
import { aiSemanticCache } from './ai-semantic-cache.js';
import { basicAuth } from './basic-auth.js';
import { correlationId } from './correlation-id.js';
import { cors } from './cors.js';
import { fileLog } from './file-log.js';
import { httpLog } from './http-log.js';
import { ipRestriction } from './ip-restriction.js';
import { jwt } from './jwt.js';
import { keyAuth } from './key-auth.js';
import { prometheus } from './prometheus.js';
import { rateLimiting } from './rate-limiting.js';
import { requestSizeLimiting } from './request-size-limiting.js';
import { requestTransformer } from './request-transformer.js';

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
  httpLog,
  fileLog,
] as unknown as Array<Plugin<never>>;

export const PLUGINS: ReadonlyMap<string, Plugin<never>> = new Map(LIST.map((p) => [p.name, p]));
