/**
 * request-validator (Kong Enterprise): checks the request's parameters, then its body, before the
 * upstream sees it; 400 with Kong's messages (`request param doesn't conform to schema`, `request
 * body doesn't conform to schema`), or with `verbose_response` what failed: `<in> '<name>'
 * validation failed, [error] <why>` (with the deserialized value as `data`), `specified
 * Content-Type is not allowed`, the body errors (Kong's field → message map for `version: kong`, a
 * sentence for JSON Schema). A body is checked when `body_schema` is set, its Content-Type is in
 * `allowed_content_types` (else refused) and is application/json (other allowed types pass
 * unchecked); an empty body is `{}`; a body that is not JSON: `request body is not valid JSON`.
 * Schemas are compiled when the gateway starts: one aigw cannot check refuses the plugin there.
 */
import type { GatewayContext, Reply } from '../../context.js';
import { queryArgs } from '../../request-args.js';
import { field, strings, type Plugin } from '../../plugin.js';
import { isObject } from '../../llm/wire/openai-types.js';
import { compileKongSchema } from './kong-schema.js';
import { compileJsonSchema, describe, type JsonVersion } from './json-schema.js';
import { checkParameter, compileParameter, type Parameter } from './params.js';
import { contentTypeAllowed, parseMediaType, type MediaType } from './content-type.js';

const DENY_BODY = "request body doesn't conform to schema";
const DENY_BODY_CT = 'specified Content-Type is not allowed';
const DENY_PARAM = "request param doesn't conform to schema";

/** A body check: null when the body passes, else what failed (a message, or Kong's field map). */
type BodyCheck = (body: unknown) => unknown;

export interface ValidatorConfig {
  params: Parameter[];
  body: BodyCheck | null;
  allowed: MediaType[];
  checkCtParams: boolean;
  verbose: boolean;
}

function bodyCheck(text: string, version: string, arrayLengths: boolean): BodyCheck {
  if (version === 'kong') return compileKongSchema(text);
  const validate = compileJsonSchema(text, version as JsonVersion, 'body_schema', false, arrayLengths);
  return (body) => (validate(body) ? null : describe(validate.errors?.[0] ?? { instancePath: '', keyword: 'schema', params: {}, schemaPath: '', message: 'invalid' }));
}

export function parseValidatorConfig(c: Readonly<Record<string, unknown>>): ValidatorConfig {
  // Kong 3.12+ (default true); a config of the 3.10 profile has no such field: the lengths bound strings only
  const arrayLengths = field(c, 'array_length_compat', false);
  const params = (Array.isArray(c.parameter_schema) ? c.parameter_schema : []).filter(isObject).map((p, i) => compileParameter(p, i, arrayLengths));
  const body = typeof c.body_schema === 'string' ? bodyCheck(c.body_schema, field(c, 'version', 'kong'), arrayLengths) : null;
  if (params.length === 0 && body === null) throw new Error("at least one of these fields must be non-empty: 'body_schema', 'parameter_schema'");
  return {
    params,
    body,
    allowed: strings(c, 'allowed_content_types').map(parseMediaType).filter((m): m is MediaType => m !== null),
    checkCtParams: field(c, 'content_type_parameter_validation', true),
    verbose: field(c, 'verbose_response', false),
  };
}

const deny = (message: unknown, data?: unknown, reason?: string): Reply => ({
  status: 400, json: data === undefined ? { message } : { message, data }, ...(reason ? { reason } : {}),
});

function checkParams(ctx: GatewayContext, c: ValidatorConfig): Reply | undefined {
  const src = { header: (n: string) => ctx.req.headers[n], query: queryArgs(ctx.rawQuery), path: ctx.captures };
  for (const p of c.params) {
    const f = checkParameter(p, src);
    if (!f) continue;
    const reason = `${p.in} '${p.name}' validation failed, [error] ${f.message}`;
    return c.verbose ? deny(reason, f.data) : deny(DENY_PARAM, undefined, reason);
  }
  return undefined;
}

async function checkBody(ctx: GatewayContext, c: ValidatorConfig, check: BodyCheck): Promise<Reply | undefined> {
  const ct = ctx.header('content-type');
  if (!contentTypeAllowed(c.allowed, ct, c.checkCtParams)) return deny(c.verbose ? DENY_BODY_CT : DENY_BODY, undefined, `Content-Type ${ct ?? '(none)'} is not allowed`);
  const media = parseMediaType(ct ?? '');
  if (!media || media.type !== 'application' || media.subtype !== 'json') return undefined;
  const buf = await ctx.body();
  let body: unknown = {};
  if (buf.length > 0) {
    try {
      body = JSON.parse(buf.toString('utf8'));
    } catch {
      return deny('request body is not valid JSON');
    }
  }
  const failed = check(body);
  if (failed === null) return undefined;
  return c.verbose ? deny(failed) : deny(DENY_BODY, undefined, typeof failed === 'string' ? failed : JSON.stringify(failed));
}

export const requestValidator: Plugin<ValidatorConfig> = {
  name: 'request-validator',
  parse: parseValidatorConfig,
  create(c) {
    return {
      async access(ctx): Promise<Reply | undefined> {
        const refused = checkParams(ctx, c);
        if (refused) return refused;
        return c.body ? checkBody(ctx, c, c.body) : undefined;
      },
    };
  },
};
