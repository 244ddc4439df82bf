/**
 * The one HTTP client of the content-inspection plugins (Kong's ai-sanitizer PII service, the
 * vendor guardrails, ai-custom-guardrail): a JSON POST with a timeout on a keep-alive agent the
 * plugin owns (one per plugin instance, kept across reloads by the plugin store).
 *
 * Every failure (connect, timeout, non-2xx, a body that is not JSON) is a ServiceCallError, so the
 * plugins apply their `stop_on_error` in one place.
 */
import { Agent, request, type Dispatcher } from 'undici';

export class ServiceCallError extends Error {
  constructor(message: string, readonly status: number | null = null, readonly body: unknown = null) {
    super(message);
    this.name = 'ServiceCallError';
  }
}

export interface AgentOptions {
  /** Connect timeout (ms). */
  timeoutMs: number;
  /** Keep-alive of idle connections (ms). */
  keepaliveMs?: number;
  /** Verify the service's TLS certificate (default true). */
  verifyTls?: boolean;
}

export function serviceAgent(o: AgentOptions): Agent {
  return new Agent({
    keepAliveTimeout: Math.max(1, o.keepaliveMs ?? 60_000),
    connect: { timeout: o.timeoutMs, rejectUnauthorized: o.verifyTls ?? true },
  });
}

export interface JsonCall {
  url: string;
  method?: 'POST' | 'GET';
  body?: unknown;
  headers?: Record<string, string>;
  timeoutMs: number;
  dispatcher: Dispatcher;
}

export interface JsonAnswer {
  status: number;
  json: unknown;
}

/** POST (or GET) JSON; a non-2xx answer or a non-JSON body throws ServiceCallError. */
export async function callJson(c: JsonCall): Promise<JsonAnswer> {
  let status: number;
  let text: string;
  try {
    const res = await request(c.url, {
      method: c.method ?? 'POST',
      headers: { accept: 'application/json', ...(c.body !== undefined ? { 'content-type': 'application/json' } : {}), ...c.headers },
      ...(c.body !== undefined ? { body: JSON.stringify(c.body) } : {}),
      dispatcher: c.dispatcher,
      headersTimeout: c.timeoutMs,
      bodyTimeout: c.timeoutMs,
    });
    status = res.statusCode;
    text = await res.body.text();
  } catch (err) {
    throw new ServiceCallError(`${new URL(c.url).origin}: ${(err as Error).message}`);
  }
  let json: unknown = null;
  try {
    json = text === '' ? null : JSON.parse(text);
  } catch {
    throw new ServiceCallError(`${new URL(c.url).origin} answered ${status} with a body that is not JSON`, status);
  }
  if (status < 200 || status >= 300) throw new ServiceCallError(`${new URL(c.url).origin} answered ${status}`, status, json);
  return { status, json };
}
