/**
 * Errors raised by the AI translation layer. The gateway maps `status` to the HTTP status and
 * `message` to Kong's body `{"error":{"message":…}}` (kong.md §1.2).
 */
export class TranslationError extends Error {
  /** HTTP status the client should see: 400 for bad requests, 500 for untranslatable replies. */
  readonly status: number;
  constructor(message: string, status = 500) {
    super(message);
    this.name = 'TranslationError';
    this.status = status;
  }
}

/** `transformation failed from type <prov>://<rt>: <detail>`, Kong's wording for a 200 reply it cannot convert. */
export function transformationFailed(provider: string, routeType: string, detail: string): TranslationError {
  return new TranslationError(`transformation failed from type ${provider}://${routeType}: ${detail}`, 500);
}

/** A malformed stream frame (bad CRC, bad JSON, oversize frame). */
export class StreamFramingError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StreamFramingError';
  }
}
