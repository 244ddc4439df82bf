/**
 * Shared by the auth plugins: Kong's `anonymous` fallback and "already authenticated" rule.
 */
import type { GatewayContext, Reply } from './context.js';
import type { Consumers } from './consumers.js';

/**
 * With `anonymous` set, a failed authentication continues as the anonymous consumer; when the
 * configured consumer does not exist Kong answers 500.
 */
export function failOrAnonymous(ctx: GatewayContext, consumers: Consumers, anonymous: string | null, reply: Reply): Reply | undefined {
  if (anonymous === null || anonymous === '') return reply;
  const consumer = consumers.find(anonymous);
  if (!consumer) return { status: 500, message: 'An unexpected error occurred' };
  ctx.authenticate(consumer, null, true);
  return undefined;
}

/** Kong skips an auth plugin that has `anonymous` when another one already authenticated. */
export function alreadyAuthenticated(ctx: GatewayContext, anonymous: string | null): boolean {
  return anonymous !== null && anonymous !== '' && ctx.credential !== null;
}

/** Whether this is a CORS preflight the plugin should skip (`run_on_preflight=false`). */
export function skipPreflight(ctx: GatewayContext, runOnPreflight: boolean): boolean {
  return !runOnPreflight && ctx.method === 'OPTIONS';
}
