/**
 * ai-prompt-template: a request `{"messages": "{template://NAME}", "properties":
 * {...}}` (or the same with `prompt`) is replaced, WHOLE, by the rendered template, which must be
 * a full JSON body: the client's `model`, `stream` and other fields are dropped, as in Kong
 * (kong.md §1.6). Every error is a 400 `{"error":{"message":…}}` with Kong's wording; a rendered
 * template that is not a JSON object is refused with `failed to parse template to JSON: …`.
 *
 * `log_original_request` keeps the client's raw body under `ai.payload.original_request`.
 */
import type { PluginConfigs } from '../../../config/generated/plugin-configs.js';
import { Slot, type Reply } from '../../context.js';
import { aiLog, promptRequest, syncBody } from '../../llm/formats/prompt.js';
import { render, templateReference } from './template.js';
import { aiError } from '../../llm/formats/request.js';
import { isObject, type CanonicalRequest } from '../../llm/wire/openai-types.js';
import type { KongPlugin, PluginInstance } from '../../plugin.js';

interface TemplateConfig {
  templates: ReadonlyMap<string, string>;
  allowUntemplated: boolean;
  logOriginal: boolean;
  maxBodySize: number;
}

const ORIGINAL = new Slot<string>('ai-prompt-template.original');

function parse(c: PluginConfigs['ai-prompt-template']): TemplateConfig {
  const templates = new Map<string, string>();
  const list: unknown = c.templates;
  for (const t of Array.isArray(list) ? list : []) {
    if (isObject(t) && typeof t.name === 'string' && typeof t.template === 'string' && !templates.has(t.name)) templates.set(t.name, t.template);
  }
  return {
    templates,
    allowUntemplated: (c.allow_untemplated_requests ?? true),
    logOriginal: (c.log_original_request ?? false),
    maxBodySize: (c.max_request_body_size ?? 8192),
  };
}

/** The rendered body for `body`, null when the request is not templated (and that is allowed). */
export function applyTemplate(body: CanonicalRequest, c: TemplateConfig): CanonicalRequest | null {
  if (body.messages !== undefined && body.prompt !== undefined) throw aiError(400, "cannot run 'messages' and 'prompt' templates at the same time");
  const reference: unknown = body.messages ?? body.prompt;
  if (reference === undefined || reference === null) throw aiError(400, "only 'llm/v1/chat' and 'llm/v1/completions' formats are supported for templating");
  const name = templateReference(reference);
  if (name === null) {
    if (!c.allowUntemplated) throw aiError(400, 'this LLM route only supports templated requests');
    return null;
  }
  const template = c.templates.get(name);
  if (template === undefined) throw aiError(400, `could not find template name [${name}]`);
  const props: unknown = body.properties ?? {};
  if (!isObject(props)) throw aiError(400, 'properties must be an object');
  const out = render(template, props);
  if (!out.ok) throw aiError(400, out.error);
  let parsed: unknown;
  try {
    parsed = JSON.parse(out.text);
  } catch (err) {
    throw aiError(400, `failed to parse template to JSON: ${(err as Error).message}`);
  }
  if (!isObject(parsed)) throw aiError(400, 'failed to parse template to JSON: not an object');
  return parsed as CanonicalRequest;
}

export const aiPromptTemplate: KongPlugin<'ai-prompt-template', TemplateConfig> = {
  name: 'ai-prompt-template',
  parse,
  create(c) {
    const instance: PluginInstance = {
      async access(ctx): Promise<Reply | undefined> {
        const req = await promptRequest(ctx, c.maxBodySize, undefined, 'ai-prompt-template');
        const rendered = applyTemplate(req.body, c);
        if (rendered === null) return undefined;
        if (c.logOriginal) ctx.set(ORIGINAL, req.raw.toString('utf8'));
        const body = req.body;
        for (const k of Object.keys(body)) delete body[k];
        Object.assign(body, rendered);
        req.templated = true;
        syncBody(ctx, req);
        return undefined;
      },
    };
    if (c.logOriginal) {
      instance.log = (ctx, record) => {
        const original = ctx.get(ORIGINAL);
        if (original === undefined) return;
        const ai = aiLog(record);
        const payload = isObject(ai.payload) ? ai.payload : {};
        ai.payload = { ...payload, original_request: original };
      };
    }
    return instance;
  },
};
