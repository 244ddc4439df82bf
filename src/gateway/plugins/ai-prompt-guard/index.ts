/**
 * ai-prompt-guard: allow / deny PCRE patterns over the prompt, with Kong's
 * semantics (kong.md §1.4):
 *
 *   - chat: the `user` messages (every role with `match_all_roles`), newest first, joined with
 *     spaces; with `allow_all_conversation_history: true` (the inverted flag) only the LAST
 *     message is scanned, and only when it is a user message;
 *   - completions: `prompt`;
 *   - any deny match blocks; then, when allow patterns exist, one of them must match;
 *   - a violation is a deliberately vague 400 `{"error":{"message":"bad request"}}`.
 *
 * Patterns are compiled once per Runtime; a pattern that does not compile answers a bare 500 on
 * use, as Kong's failing `ngx.re.find` does. Content-part arrays are scanned by their text parts
 * (Kong rejects them as a bad format; scanning is the safer superset).
 */
import type { PluginConfigs } from '../../../config/generated/plugin-configs.js';
import { compileKongRegex, type CompiledRegex } from '../../../config/regex.js';
import type { Reply } from '../../context.js';
import { messageText, promptRequest } from '../../llm/formats/prompt.js';
import { aiError, type InputFormat } from '../../llm/formats/request.js';
import { CANONICAL_FORMAT } from '../../llm/formats/index.js';
import { isObject, type CanonicalRequest } from '../../llm/wire/openai-types.js';
import type { KongPlugin } from '../../plugin.js';

const VIOLATION = 'bad request';

type Scan = { ok: true; text: string } | { ok: false; reason: string };

/** The text the guard matches against, or why the body has no scannable prompt. */
export function collectPrompt(body: CanonicalRequest, allowHistory: boolean, allRoles: boolean): Scan {
  const messages: unknown = body.messages;
  if (Array.isArray(messages)) {
    const bad: Scan = { ok: false, reason: 'ai-prompt-guard only supports llm/v1/chat or llm/v1/completions prompts' };
    const picked = allowHistory ? messages.slice(-1) : [...messages].reverse();
    const parts: string[] = [];
    for (const m of picked) {
      if (!isObject(m) || typeof m.role !== 'string') return bad;
      if (m.role !== 'user' && !allRoles) continue;
      const text = messageText(m);
      if (text === null) return bad;
      parts.push(text);
    }
    return { ok: true, text: parts.join(' ') };
  }
  if (typeof body.prompt === 'string') return { ok: true, text: body.prompt };
  if (Array.isArray(body.prompt) && body.prompt.every((p) => typeof p === 'string')) return { ok: true, text: body.prompt.join(' ') };
  return { ok: false, reason: "no 'prompt' or 'messages' received" };
}

interface GuardConfig {
  allow: CompiledRegex[];
  deny: CompiledRegex[];
  raw: { allow: string[]; deny: string[] };
  allowHistory: boolean;
  allRoles: boolean;
  maxBodySize: number;
  llmFormat: InputFormat;
}

function parse(c: PluginConfigs['ai-prompt-guard']): GuardConfig {
  const allow = (c.allow_patterns ?? []);
  const deny = (c.deny_patterns ?? []);
  if (allow.length === 0 && deny.length === 0) throw new Error('at least one of these fields must be non-empty: allow_patterns, deny_patterns');
  return {
    allow: allow.map((p) => compileKongRegex(p)),
    deny: deny.map((p) => compileKongRegex(p)),
    raw: { allow, deny },
    allowHistory: (c.allow_all_conversation_history ?? false),
    allRoles: (c.match_all_roles ?? false),
    maxBodySize: (c.max_request_body_size ?? 8192),
    llmFormat: (c.llm_format ?? CANONICAL_FORMAT),
  };
}

type Verdict = 'allowed' | 'blocked' | { error: string };

/** Kong's order: any deny match blocks; then an allow list, when present, must match. */
export function judge(text: string, deny: readonly CompiledRegex[], allow: readonly CompiledRegex[]): Verdict {
  for (const p of deny) {
    if ('error' in p) return { error: p.error };
    if (p.regex.test(text)) return 'blocked';
  }
  if (allow.length === 0) return 'allowed';
  for (const p of allow) {
    if ('error' in p) return { error: p.error };
    if (p.regex.test(text)) return 'allowed';
  }
  return 'blocked';
}

/** Which rule blocked a prompt, for operators (the client only gets Kong's vague message). */
function blockedBy(text: string, deny: readonly CompiledRegex[]): string {
  const i = deny.findIndex((p) => !('error' in p) && p.regex.test(text));
  return i >= 0 ? `the prompt matches deny_patterns[${i}]` : 'the prompt matches none of allow_patterns';
}

export const aiPromptGuard: KongPlugin<'ai-prompt-guard', GuardConfig> = {
  name: 'ai-prompt-guard',
  parse,
  create(c, deps) {
    return {
      async access(ctx): Promise<Reply | undefined> {
        const req = await promptRequest(ctx, c.maxBodySize, c.llmFormat, 'ai-prompt-guard');
        const scan = collectPrompt(req.body, c.allowHistory, c.allRoles);
        if (!scan.ok) {
          deps.logger.debug(`ai-prompt-guard: ${scan.reason}`, { request_id: ctx.requestId });
          throw aiError(400, VIOLATION);
        }
        const verdict = judge(scan.text, c.deny, c.allow);
        if (verdict === 'allowed') return undefined;
        if (verdict === 'blocked') {
          deps.logger.debug('ai-prompt-guard: prompt blocked', { request_id: ctx.requestId });
          const err = aiError(400, VIOLATION);
          err.reply.reason = blockedBy(scan.text, c.deny);
          throw err;
        }
        deps.logger.error('ai-prompt-guard: bad regex pattern, failed to execute', { error: verdict.error, patterns: c.raw });
        return { status: 500, body: '' };
      },
    };
  },
};
