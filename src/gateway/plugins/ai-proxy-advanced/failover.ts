/**
 * When a failed attempt moves on to the next target: `failover_criteria` with nginx's
 * `proxy_next_upstream` meaning (kong.md §1.3). LLM calls are POSTs, which nginx treats as
 * non-idempotent: once the request may have reached the upstream (it answered, timed out reading,
 * or the connection broke after connecting), it is only retried when `non_idempotent` is listed.
 * Failures before anything was sent (connection refused, DNS, connect timeout) need only `error`
 * or `timeout`.
 */
export type Criterion =
  | 'error' | 'timeout' | 'invalid_header' | 'non_idempotent'
  | 'http_403' | 'http_404' | 'http_429' | 'http_500' | 'http_502' | 'http_503' | 'http_504';

export interface AttemptFailure {
  /** `http`: the upstream answered non-200; `garbage`: a 200 that is not a valid answer. */
  kind: 'http' | 'timeout' | 'connect' | 'garbage';
  status: number;
  /** Whether the request may have reached the upstream. */
  sent: boolean;
}

const NOT_SENT_CODES = ['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'UND_ERR_CONNECT_TIMEOUT', 'ECONNABORTED'];

/** Whether a network failure happened before the request was sent, judged from its error code or message. */
export function sentBeforeFailing(kind: AttemptFailure['kind'], codeOrMessage: string): boolean {
  if (kind === 'http' || kind === 'garbage') return true;
  return !NOT_SENT_CODES.some((c) => codeOrMessage.includes(c));
}

export function criterionOf(f: AttemptFailure): Criterion | null {
  switch (f.kind) {
    case 'connect': return 'error';
    case 'timeout': return 'timeout';
    case 'garbage': return 'invalid_header';
    case 'http': {
      const c = `http_${f.status}`;
      return (HTTP_CRITERIA as readonly string[]).includes(c) ? (c as Criterion) : null;
    }
  }
}

const HTTP_CRITERIA = ['http_403', 'http_404', 'http_429', 'http_500', 'http_502', 'http_503', 'http_504'] as const;

export function shouldFailover(criteria: ReadonlySet<string>, f: AttemptFailure): boolean {
  const c = criterionOf(f);
  if (c === null || !criteria.has(c)) return false;
  return !f.sent || criteria.has('non_idempotent');
}

/** Criteria that can never fire for LLM calls because `non_idempotent` is missing (for a config warning). */
export function inertCriteria(criteria: readonly string[]): string[] {
  if (criteria.includes('non_idempotent')) return [];
  return criteria.filter((c) => c === 'invalid_header' || c.startsWith('http_'));
}

/**
 * Whether a failed attempt counts against the target's circuit breaker (`balancer.max_fails`),
 * per Kong's schema: `error`, `timeout` and `invalid_header` always count, `http_403` and
 * `http_404` never do, the other HTTP statuses count when `failover_criteria` lists them.
 */
export function breakerCounts(criteria: ReadonlySet<string>, f: AttemptFailure): boolean {
  const c = criterionOf(f);
  if (c === 'error' || c === 'timeout' || c === 'invalid_header') return true;
  if (c === null || c === 'http_403' || c === 'http_404') return false;
  return criteria.has(c);
}
