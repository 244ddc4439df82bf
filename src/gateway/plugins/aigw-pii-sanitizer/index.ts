/**
 * aigw-pii-sanitizer (aigw's own PII plugin, formerly named ai-sanitizer; schemas/plugins/aigw-pii-sanitizer.json): finds
 * emails, phone numbers, card numbers (Luhn), IBANs (mod-97), IPv4/IPv6 addresses, API keys and
 * custom patterns in the prompt (messages of `scan_roles`; `prompt` / `input` when `user` is
 * scanned) and, by `mode`:
 *
 *   redact       replaces them with `[REDACTED_<TYPE>]` (or the pattern's placeholder);
 *   placeholder  replaces them with `<TYPE_n>` and, with `restore_response`, puts the originals
 *                back into the answer (buffered bodies and SSE streams, placeholders split
 *                across chunks included);
 *   block        answers `block_status` with `{"error":{"message": block_message}}`.
 *
 * The log record gets `ai["aigw-pii-sanitizer"] = {mode, action, findings: {type: count}, total,
 * restored}`, never the values; the request's `raw` bytes (what ai-proxy logs with
 * `log_payloads`) are replaced by the sanitized body for OpenAI-format clients.
 */
import type { PluginConfigs } from '../../../config/generated/plugin-configs.js';
import { Slot, type GatewayContext, type Reply } from '../../context.js';
import { anonymizeText, Vault, type Mode } from './anonymize.js';
import { buildDetectors, detect, type CustomPattern, type Detector } from './pii.js';
import { aiLog, promptRequest, syncBody } from '../../llm/formats/prompt.js';
import { Restorer, StreamRestorer } from './restore.js';
import { aiError } from '../../llm/formats/request.js';
import { isObject, type CanonicalRequest } from '../../llm/wire/openai-types.js';
import type { KongPlugin, PluginInstance } from '../../plugin.js';
import { formatOf } from '../../llm/formats/index.js';

interface SanitizerConfig {
  detectors: Detector[];
  mode: Mode;
  restore: boolean;
  blockStatus: number;
  blockMessage: string;
  roles: ReadonlySet<string>;
  maxBodySize: number;
}

interface Outcome {
  vault: Vault;
  action: 'none' | 'redacted' | 'placeholder' | 'blocked';
  restorer: Restorer | null;
  stream: StreamRestorer | null;
  restored: boolean;
}

const OUTCOME = new Slot<Outcome>('aigw-pii-sanitizer.outcome');
const DEFAULT_KINDS = ['email', 'phone', 'credit_card', 'iban', 'ip', 'api_key'];

function customPatterns(v: unknown): CustomPattern[] {
  if (!Array.isArray(v)) return [];
  return v.filter(isObject).flatMap((p) => (typeof p.name === 'string' && typeof p.regex === 'string'
    ? [{ name: p.name, regex: p.regex, placeholder: typeof p.placeholder === 'string' ? p.placeholder : null }]
    : []));
}

function parse(c: PluginConfigs['aigw-pii-sanitizer']): SanitizerConfig {
  const kinds = (c.anonymize ?? []);
  const custom = customPatterns(c.custom_patterns);
  const list = kinds.length ? kinds : DEFAULT_KINDS;
  if (list.includes('custom') && custom.length === 0) throw new Error("must set 'custom_patterns' when 'anonymize' contains 'custom'");
  let detectors: Detector[];
  try {
    detectors = buildDetectors(list, custom);
  } catch (err) {
    throw new Error(`'custom_patterns[].regex' must be a valid regex: ${(err as Error).message}`);
  }
  const roles = (c.scan_roles ?? []);
  return {
    detectors,
    mode: (c.mode ?? 'placeholder'),
    restore: (c.restore_response ?? true),
    blockStatus: (c.block_status ?? 400),
    blockMessage: (c.block_message ?? 'request contains sensitive data'),
    roles: new Set(roles.length ? roles : ['user']),
    maxBodySize: (c.max_request_body_size ?? 8192),
  };
}

/** Apply `edit` to every scanned text of the body (in place). */
function eachText(body: CanonicalRequest, roles: ReadonlySet<string>, edit: (s: string) => string): void {
  for (const m of Array.isArray(body.messages) ? body.messages : []) {
    if (!isObject(m) || typeof m.role !== 'string' || !roles.has(m.role)) continue;
    if (typeof m.content === 'string') m.content = edit(m.content);
    else if (Array.isArray(m.content)) {
      for (const p of m.content) if (isObject(p) && p.type === 'text' && typeof p.text === 'string') p.text = edit(p.text);
    }
  }
  if (!roles.has('user')) return;
  for (const k of ['prompt', 'input'] as const) {
    const v = body[k];
    if (typeof v === 'string') body[k] = edit(v);
    else if (Array.isArray(v)) body[k] = v.map((s) => (typeof s === 'string' ? edit(s) : s));
  }
}

/** Scan (and, unless blocking, rewrite) the body; returns the per-request outcome. */
export function sanitize(body: CanonicalRequest, c: SanitizerConfig): Outcome {
  const vault = new Vault(c.mode);
  if (c.mode === 'block') {
    eachText(body, c.roles, (s) => {
      for (const f of detect(s, c.detectors)) vault.replacement(f);
      return s;
    });
  } else {
    eachText(body, c.roles, (s) => anonymizeText(s, c.detectors, vault));
  }
  const found = vault.total() > 0;
  const action = !found ? 'none' : c.mode === 'block' ? 'blocked' : c.mode === 'redact' ? 'redacted' : 'placeholder';
  const restorer = found && c.mode === 'placeholder' && c.restore && vault.restorable.size > 0 ? new Restorer(vault.restorable) : null;
  return { vault, action, restorer, stream: null, restored: false };
}

function restorePhases(instance: PluginInstance): void {
  instance.response = (ctx, res) => {
    const o = ctx.get(OUTCOME);
    if (!o?.restorer || res.headers['content-encoding'] !== undefined) return;
    res.body = o.restorer.body(res.body);
    o.restored = true;
  };
  instance.chunk = (ctx: GatewayContext, chunk: Buffer) => {
    const o = ctx.get(OUTCOME);
    if (!o?.restorer) return chunk;
    o.stream ??= new StreamRestorer(o.restorer);
    o.restored = true;
    return o.stream.feed(chunk);
  };
}

export const aigwPiiSanitizer: KongPlugin<'aigw-pii-sanitizer', SanitizerConfig> = {
  name: 'aigw-pii-sanitizer',
  parse,
  create(c, deps) {
    const instance: PluginInstance = {
      async access(ctx): Promise<Reply | undefined> {
        const req = await promptRequest(ctx, c.maxBodySize, undefined, 'ai-sanitizer');
        const outcome = sanitize(req.body, c);
        ctx.set(OUTCOME, outcome);
        if (outcome.action === 'blocked') {
          deps.logger.info('aigw-pii-sanitizer: request blocked', { request_id: ctx.requestId, findings: outcome.vault.counts });
          throw aiError(c.blockStatus, c.blockMessage);
        }
        if (outcome.action !== 'none') {
          syncBody(ctx, req);
          // ai-proxy logs `raw` with log_payloads: it must not keep the values either
          if (formatOf(req.inputFormat).identity) req.raw = Buffer.from(JSON.stringify(req.body));
        }
        return undefined;
      },
      log(ctx, record) {
        const o = ctx.get(OUTCOME);
        if (!o) return;
        aiLog(record)['aigw-pii-sanitizer'] = {
          mode: c.mode,
          action: o.action,
          findings: { ...o.vault.counts },
          total: o.vault.total(),
          restored: o.restored,
        };
      },
    };
    if (c.mode === 'placeholder' && c.restore) restorePhases(instance);
    return instance;
  },
};
