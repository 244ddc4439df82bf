/**
 * THE plugin registry: one line per plugin (file name = Kong plugin name), with the loader of its
 * implementation and, for a plugin with endpoints of its own, their path. An implementation (and
 * what it imports: OTLP, vector stores, guardrail clients…) is imported only when a configuration
 * uses the plugin: `loadPlugins` before a Runtime is built (start, reload, Admin API write) or a
 * configuration is validated (the build check runs the plugin's `parse`). Schemas, priorities and
 * validation need no implementation (schemas/plugins/<name>.json).
 */
import type { Plugin } from '../plugin.js';

type Loader = () => Promise<Plugin<never>>;

/** [name, loader, path of the plugin's own Admin API endpoints]. */
const LIST: ReadonlyArray<readonly [string, Loader, string?]> = [
  ['correlation-id', async () => (await import('./correlation-id/index.js')).correlationId],
  ['cors', async () => (await import('./cors/index.js')).cors],
  ['jwt', async () => (await import('./jwt/index.js')).jwt],
  ['key-auth', async () => (await import('./key-auth/index.js')).keyAuth],
  ['basic-auth', async () => (await import('./basic-auth/index.js')).basicAuth],
  ['ip-restriction', async () => (await import('./ip-restriction/index.js')).ipRestriction],
  ['request-size-limiting', async () => (await import('./request-size-limiting/index.js')).requestSizeLimiting],
  ['acl', async () => (await import('./acl/index.js')).acl],
  ['rate-limiting', async () => (await import('./rate-limiting/index.js')).rateLimiting],
  ['rate-limiting-advanced', async () => (await import('./rate-limiting-advanced/index.js')).rateLimitingAdvanced],
  ['request-transformer', async () => (await import('./request-transformer/index.js')).requestTransformer],
  ['response-transformer', async () => (await import('./response-transformer/index.js')).responseTransformer],
  ['request-termination', async () => (await import('./request-termination/index.js')).requestTermination],
  ['request-validator', async () => (await import('./request-validator/index.js')).requestValidator],
  ['proxy-cache', async () => (await import('./proxy-cache/index.js')).proxyCache, 'proxy-cache'],
  ['ai-rate-limiting-advanced', async () => (await import('./ai-rate-limiting-advanced/index.js')).aiRateLimitingAdvanced],
  ['ai-prompt-template', async () => (await import('./ai-prompt-template/index.js')).aiPromptTemplate],
  ['ai-prompt-decorator', async () => (await import('./ai-prompt-decorator/index.js')).aiPromptDecorator],
  ['ai-prompt-guard', async () => (await import('./ai-prompt-guard/index.js')).aiPromptGuard],
  ['ai-sanitizer', async () => (await import('./ai-sanitizer/index.js')).aiSanitizer],
  ['aigw-pii-sanitizer', async () => (await import('./aigw-pii-sanitizer/index.js')).aigwPiiSanitizer],
  ['ai-proxy', async () => (await import('./ai-proxy/index.js')).aiProxy],
  ['ai-proxy-advanced', async () => (await import('./ai-proxy-advanced/index.js')).aiProxyAdvanced],
  ['ai-request-transformer', async () => (await import('./ai-request-transformer/index.js')).aiRequestTransformer],
  ['ai-response-transformer', async () => (await import('./ai-response-transformer/index.js')).aiResponseTransformer],
  ['ai-semantic-cache', async () => (await import('./ai-semantic-cache/index.js')).aiSemanticCache],
  ['ai-semantic-prompt-guard', async () => (await import('./ai-semantic-prompt-guard/index.js')).aiSemanticPromptGuard],
  ['ai-semantic-response-guard', async () => (await import('./ai-semantic-response-guard/index.js')).aiSemanticResponseGuard],
  ['ai-rag-injector', async () => (await import('./ai-rag-injector/index.js')).aiRagInjector],
  ['ai-prompt-compressor', async () => (await import('./ai-prompt-compressor/index.js')).aiPromptCompressor],
  ['ai-llm-as-judge', async () => (await import('./ai-llm-as-judge/index.js')).aiLlmAsJudge],
  ['ai-mcp-proxy', async () => (await import('./ai-mcp-proxy/index.js')).aiMcpProxy],
  ['ai-mcp-oauth2', async () => (await import('./ai-mcp-oauth2/index.js')).aiMcpOauth2],
  ['ai-a2a-proxy', async () => (await import('./ai-a2a-proxy/index.js')).aiA2aProxy],
  ['ai-azure-content-safety', async () => (await import('./ai-azure-content-safety/index.js')).aiAzureContentSafety],
  ['ai-aws-guardrails', async () => (await import('./ai-aws-guardrails/index.js')).aiAwsGuardrails],
  ['ai-gcp-model-armor', async () => (await import('./ai-gcp-model-armor/index.js')).aiGcpModelArmor],
  ['ai-lakera-guard', async () => (await import('./ai-lakera-guard/index.js')).aiLakeraGuard],
  ['ai-custom-guardrail', async () => (await import('./ai-custom-guardrail/index.js')).aiCustomGuardrail],
  ['openid-connect', async () => (await import('./openid-connect/index.js')).openidConnect],
  ['kafka-log', async () => (await import('./kafka-log/index.js')).kafkaLog],
  ['prometheus', async () => (await import('./prometheus/index.js')).prometheus],
  ['opentelemetry', async () => (await import('./opentelemetry/index.js')).opentelemetry],
  ['http-log', async () => (await import('./http-log/index.js')).httpLog],
  ['file-log', async () => (await import('./file-log/index.js')).fileLog],
] as unknown as ReadonlyArray<readonly [string, Loader, string?]>;

const LOADERS: ReadonlyMap<string, Loader> = new Map(LIST.map(([name, load]) => [name, load]));

/** Every plugin aigw serve implements, loaded or not. */
export const PLUGIN_NAMES: readonly string[] = LIST.map(([name]) => name);

const loaded = new Map<string, Plugin<never>>();
const loading = new Map<string, Promise<void>>();

/** The implementations loaded so far, by name (what a Runtime is built from). */
export const LOADED_PLUGINS: ReadonlyMap<string, Plugin<never>> = loaded;

/** Whether aigw serve implements `name` (loaded or not). */
export function isPlugin(name: string): boolean {
  return LOADERS.has(name);
}

/** Import the implementations of `names` not loaded yet (unknown names are ignored). */
export async function loadPlugins(names: Iterable<string>): Promise<void> {
  const waits: Array<Promise<void>> = [];
  for (const name of new Set(names)) {
    const load = LOADERS.get(name);
    if (load === undefined || loaded.has(name)) continue;
    let p = loading.get(name);
    if (p === undefined) {
      p = load().then((plugin) => void loaded.set(name, plugin));
      loading.set(name, p);
      p.catch(() => loading.delete(name));
    }
    waits.push(p);
  }
  await Promise.all(waits);
}

/** Every implementation (tests, tools that go through all plugins). */
export async function loadAllPlugins(): Promise<ReadonlyMap<string, Plugin<never>>> {
  await loadPlugins(PLUGIN_NAMES);
  return new Map(PLUGIN_NAMES.map((n) => [n, loaded.get(n) as Plugin<never>]));
}

/** The plugin whose own Admin API endpoints live under `/<path>/…`. */
export function pluginWithAdminPath(path: string): string | undefined {
  return LIST.find(([, , admin]) => admin === path)?.[0];
}

const WORDS = new RegExp(`(?<![\\w-])(?:${[...PLUGIN_NAMES].sort((a, b) => b.length - a.length).join('|')})(?![\\w-])`, 'g');

/**
 * The plugin names a configuration text may use: every registered name written as a word of its
 * own (a service called `cors` counts too: loading one plugin too many is harmless). For loading
 * the implementations before the text is validated; the Runtime build loads from the exact names.
 */
export function pluginNamesIn(text: string): string[] {
  return [...new Set(text.match(WORDS) ?? [])];
}
