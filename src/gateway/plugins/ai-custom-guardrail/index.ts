/**
 * ai-custom-guardrail (Kong 3.14): any HTTP guardrail service, described by the config. For each
 * inspection aigw sends `request` (url, headers, queries, JSON body, `auth` in a header, query
 * argument or body field) with the expressions evaluated (template.ts: `$(content)`, `$(source)`,
 * `$(conf.params.X)`), then reads the service's JSON answer as `$(resp…)`: `response.block` decides,
 * `response.block_message` is the message of the 400 refusal; `metrics` and `custom_metrics` are
 * logged under `ai.proxy.custom-guardrail`. Phases, streaming and logging are the shared guardrail
 * engine's (guardrails/guard.ts).
 *
 * Refused at startup, naming the field: `functions` (Lua), any expression beyond value paths, and
 * `allow_masking` (Kong's masking contract is not documented).
 */
import type { PluginConfigs } from '../../../config/generated/plugin-configs.js';
import type { KongPlugin } from '../../plugin.js';
import { guardrailInstance, type Guardrail, type GuardSource, type Verdict } from '../../guardrails/guard.js';
import { callJson, serviceAgent } from '../../guardrails/service-call.js';
import { compile, evaluate, jsonValue, truthy, type Scope, type Template } from './template.js';

type Config = PluginConfigs['ai-custom-guardrail'];

type Templates = Record<string, Template>;

interface Compiled {
  c: Config;
  url: Template;
  headers: Templates;
  queries: Templates;
  body: Templates;
  block: Template;
  blockLiteral: boolean;
  message: Template;
  metrics: Templates;
}

function compileMap(m: Record<string, string | undefined> | null | undefined, field: string): Templates {
  const out: Templates = {};
  for (const [k, v] of Object.entries(m ?? {})) if (typeof v === 'string') out[k] = compile(v, `${field}.${k}`);
  return out;
}

function parse(c: Config): Compiled {
  if (Object.keys(c.functions ?? {}).length) throw new Error('functions: Lua functions cannot run in aigw serve');
  if (c.allow_masking) throw new Error('allow_masking: masking by a custom guardrail service is not supported by aigw serve');
  const metrics = compileMap({ ...c.custom_metrics, ...(c.metrics ?? {}) } as Record<string, string | undefined>, 'metrics');
  const block = compile(c.response.block, 'response.block');
  return {
    c,
    url: compile(c.request.url, 'request.url'),
    headers: compileMap(c.request.headers, 'request.headers'),
    queries: compileMap(c.request.queries, 'request.queries'),
    body: compileMap(c.request.body, 'request.body'),
    block,
    blockLiteral: !block.whole,
    message: compile(c.response.block_message, 'response.block_message'),
    metrics,
  };
}

function render(t: Templates, scope: Scope, json: boolean): Record<string, unknown> {
  return Object.fromEntries(Object.entries(t).map(([k, v]) => {
    const value = evaluate(v, scope);
    return [k, json ? jsonValue(value, v.whole) : typeof value === 'string' ? value : JSON.stringify(value ?? '')];
  }));
}

interface Outgoing { url: string; headers: Record<string, string>; body: Record<string, unknown> }

function outgoing(x: Compiled, scope: Scope): Outgoing {
  const url = new URL(String(evaluate(x.url, scope)));
  for (const [k, v] of Object.entries(render(x.queries, scope, false))) url.searchParams.set(k, String(v));
  const headers = render(x.headers, scope, false) as Record<string, string>;
  const body = render(x.body, scope, true);
  const auth = x.c.request.auth;
  if (auth?.name && auth.value) {
    if (auth.location === 'query') url.searchParams.set(auth.name, auth.value);
    else if (auth.location === 'body') body[auth.name] = auth.value;
    else headers[auth.name] = auth.value;
  }
  return { url: url.toString(), headers, body };
}

function verdict(x: Compiled, scope: Scope): Verdict {
  const blocked = truthy(evaluate(x.block, scope), x.blockLiteral);
  const message = evaluate(x.message, scope);
  const text = typeof message === 'string' ? message : JSON.stringify(message ?? 'blocked');
  const log = render(x.metrics, scope, false);
  return { blocked, reason: blocked ? String(log.block_reason ?? text) : null, message: text, log };
}

export const aiCustomGuardrail: KongPlugin<'ai-custom-guardrail', Compiled> = {
  name: 'ai-custom-guardrail',
  parse,
  create(x, deps) {
    const c = x.c;
    const agent = deps.store.get('agent', () => serviceAgent({ timeoutMs: c.timeout, verifyTls: c.ssl_verify }), (a) => a.close());
    const g: Guardrail = {
      name: 'ai-custom-guardrail',
      logKey: 'custom-guardrail',
      mode: c.guarding_mode,
      textSource: c.text_source,
      stopOnError: c.stop_on_error,
      bufferTokens: c.response_buffer_size,
      logBlockedContent: false,
      async check(source: GuardSource, texts) {
        const scope: Scope = { content: texts.map((t) => t.text).join('\n'), source, conf: c };
        const out = outgoing(x, scope);
        const { json } = await callJson({ url: out.url, body: out.body, headers: out.headers, timeoutMs: c.timeout, dispatcher: agent });
        scope.resp = json;
        return verdict(x, scope);
      },
      refusal: (_source, v) => v.message ?? 'blocked',
    };
    return guardrailInstance(g, deps);
  },
};
