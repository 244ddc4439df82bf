/**
 * A cheap abort signal for the request path. An `AbortController` per proxied request (an
 * EventTarget, plus undici's `addEventListener` on it) cost ~20 % of the gateway's CPU per AI request
 * (bench/profile); undici also accepts an emitter with `aborted`, `reason`, `on`/`once('abort')` and
 * `removeListener('abort')`, which is all this is. Calls take either kind (`CallSignal`).
 */

/** What undici and the LLM call read from a signal. */
export interface AbortEmitter {
  readonly aborted: boolean;
  readonly reason: unknown;
  on(event: 'abort', listener: () => void): unknown;
  once(event: 'abort', listener: () => void): unknown;
  removeListener(event: 'abort', listener: () => void): unknown;
}

export type CallSignal = AbortSignal | AbortEmitter;

/** One-shot abort source with at most a few listeners (undici's, a precise timer's). */
export class LightAbort implements AbortEmitter {
  aborted = false;
  reason: unknown = undefined;
  private listeners: Array<() => void> | null = null;

  once(_event: 'abort', listener: () => void): this {
    (this.listeners ??= []).push(listener);
    return this;
  }

  /** Same as `once` (it aborts at most once); undici checks that an emitter has `on`. */
  on(event: 'abort', listener: () => void): this {
    return this.once(event, listener);
  }

  removeListener(_event: 'abort', listener: () => void): this {
    const l = this.listeners;
    const i = l ? l.indexOf(listener) : -1;
    if (l && i >= 0) l.splice(i, 1);
    return this;
  }

  abort(reason: unknown): void {
    if (this.aborted) return;
    this.aborted = true;
    this.reason = reason;
    const l = this.listeners;
    this.listeners = null;
    if (l) for (const fn of l) fn();
  }
}

/** Calls `fn` once when `signal` aborts (now, if it already has); returns the un-subscriber. */
export function onAbort(signal: CallSignal, fn: () => void): () => void {
  if (signal.aborted) {
    fn();
    return () => {};
  }
  if ('addEventListener' in signal) {
    signal.addEventListener('abort', fn, { once: true });
    return () => signal.removeEventListener('abort', fn);
  }
  signal.once('abort', fn);
  return () => signal.removeListener('abort', fn);
}
