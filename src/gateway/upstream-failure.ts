/**
 * THE classification of transport failures talking to an upstream, shared by every path (the
 * plain proxy on node:http, the LLM calls and ai-proxy `preserve` on undici): whatever the client
 * library, an error is a timeout (504), or a connection that failed, broke or spoke something
 * that is not HTTP (502). Only errors that are not about the upstream at all (a programming error,
 * an abort by our own signal) are left unclassified, for the caller to rethrow.
 */

export type UpstreamFailureKind = 'timeout' | 'connect' | 'protocol';

export interface UpstreamFailure {
  kind: UpstreamFailureKind;
  /** 504 for a timeout, else 502. */
  status: 502 | 504;
  /** The error code (`ECONNRESET`, `HPE_INVALID_CONSTANT`, `UND_ERR_SOCKET`…) or the error's name. */
  code: string;
}

const TIMEOUTS = new Set(['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'UND_ERR_CONNECT_TIMEOUT', 'ETIMEDOUT', 'ESOCKETTIMEDOUT']);
/** Answers that are not HTTP, or not the HTTP they announced. */
const PROTOCOL = new Set([
  'UND_ERR_RES_CONTENT_LENGTH_MISMATCH', 'UND_ERR_REQ_CONTENT_LENGTH_MISMATCH', 'UND_ERR_RES_EXCEEDED_MAX_SIZE',
  'UND_ERR_INFO', 'ERR_STREAM_PREMATURE_CLOSE', 'HTTPParserError',
]);
/** undici's codes for a request we built wrong: a bug of ours, not the upstream's failure. */
const OURS = new Set(['UND_ERR_INVALID_ARG', 'UND_ERR_NOT_SUPPORTED', 'UND_ERR_INVALID_RETURN_VALUE']);
/** Certificate verification failures (node's tls reports OpenSSL's names as codes). */
const TLS_CODE = /^(ERR_TLS_|ERR_SSL_|CERT_|UNABLE_TO_|DEPTH_ZERO_|SELF_SIGNED_|HOSTNAME_MISMATCH$)/;

function codeOf(err: object): string {
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'string' && code !== '') return code;
  const name = (err as { name?: unknown }).name;
  return typeof name === 'string' ? name : '';
}

/** The failure class of `err`, or null when it is not a transport failure (rethrow it). */
export function upstreamFailure(err: unknown): UpstreamFailure | null {
  if (typeof err !== 'object' || err === null) return null;
  let code = codeOf(err);
  // undici wraps what the socket said (`UND_ERR_SOCKET` with `cause.code` ECONNRESET)
  const cause = (err as { cause?: unknown }).cause;
  if ((code === 'UND_ERR_SOCKET' || code === '') && typeof cause === 'object' && cause !== null && codeOf(cause) !== '') code = codeOf(cause);
  if (TIMEOUTS.has(code)) return { kind: 'timeout', status: 504, code };
  if (code.startsWith('HPE_') || PROTOCOL.has(code)) return { kind: 'protocol', status: 502, code };
  if (OURS.has(code)) return null;
  // errno codes (ECONNRESET, EAI_AGAIN…), not node's ERR_* (those name our own mistakes)
  if (TLS_CODE.test(code) || code.startsWith('UND_ERR') || /^E(?!RR_)[A-Z0-9_]+$/.test(code)) return { kind: 'connect', status: 502, code };
  return null;
}
