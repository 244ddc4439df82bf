import type { CheckFailure } from './checks.js';

/**
 * Kong entity checks that need code (Kong's `custom_entity_check`). Referenced from schemas as
 * `{"custom": "<id>"}`; each returns a failure or null. `message` is the schema's override, if any.
 */
type Obj = Record<string, unknown>;
type CustomCheck = (obj: Obj, message: string | undefined) => CheckFailure | null;

const WINDOWS = ['second', 'minute', 'hour', 'day', 'month', 'year'] as const;

function get(obj: unknown, path: string): unknown {
  let cur = obj;
  for (const seg of path.split('.')) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Obj)[seg];
  }
  return cur;
}

const rateLimitOrder: CustomCheck = (obj) => {
  let prev: { window: string; limit: number } | null = null;
  for (const w of WINDOWS) {
    const v = obj[w];
    if (typeof v !== 'number') continue;
    if (prev && v < prev.limit) {
      return { path: [w], message: `The limit for ${w}(${v}) cannot be lower than the limit for ${prev.window}(${prev.limit})` };
    }
    prev = { window: w, limit: v };
  }
  return null;
};

const rateLimitAtLeastOne: CustomCheck = (obj, message) =>
  WINDOWS.some((w) => typeof obj[w] === 'number')
    ? null
    : { path: [], message: message ?? `at least one of these fields must be non-empty: ${WINDOWS.map((w) => `'${w}'`).join(', ')}` };

const noOverrideForCloudAuth: CustomCheck = (obj, message) => {
  const provider = get(obj, 'model.provider');
  if ((provider === 'bedrock' || provider === 'gemini') && get(obj, 'auth.allow_override') === true) {
    return { path: ['auth', 'allow_override'], message: message ?? 'bedrock and gemini only support auth.allow_override = false' };
  }
  return null;
};

const anthropicCompletionsStats: CustomCheck = (obj, message) => {
  if (get(obj, 'model.provider') === 'anthropic' && get(obj, 'route_type') === 'llm/v1/completions' && get(obj, 'logging.log_statistics') === true) {
    return { path: ['logging', 'log_statistics'], message: message ?? 'anthropic does not support statistics when route_type is llm/v1/completions' };
  }
  return null;
};

export const CUSTOM_CHECKS: Record<string, CustomCheck> = {
  'rate-limiting-limits-order': rateLimitOrder,
  'rate-limiting-at-least-one-limit': rateLimitAtLeastOne,
  'ai-no-override-for-cloud-auth': noOverrideForCloudAuth,
  'ai-anthropic-completions-statistics': anthropicCompletionsStats,
};
