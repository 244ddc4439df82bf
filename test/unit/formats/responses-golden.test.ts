/**
 * Golden tests of "Responses in, any provider out": every case under fixtures/responses/<provider>/
 * sends a Responses API request through the responses client format and the provider's translators,
 * and turns the provider's answer (a buffered body, or a stream fed whole and in 1- and 7-byte
 * pieces) back into the Responses object or events the client gets. The upstream answers are the
 * provider fixtures' own (`from`: a case under fixtures/providers/). See fixtures/responses/README.md.
 * UPDATE_RESPONSES_FIXTURES=1 rewrites the expected_* fields from the current output; review the diff.
 */
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { responses, responsesExchange } from '../../../src/gateway/llm/formats/responses.js';
import { TranslationError } from '../../../src/gateway/llm/wire/errors.js';
import { isObject, parseCanonicalRequest, type CanonicalRequest, type JsonObject } from '../../../src/gateway/llm/wire/openai-types.js';
import { StreamSession, mergeModelOptions, prepareUpstream, translateResponse } from '../../../src/gateway/llm/call/translate.js';
import { PROVIDERS, getProvider } from '../../../src/gateway/providers/index.js';
import type { Provider, ProviderContext } from '../../../src/gateway/providers/types.js';

const ROOT = join(import.meta.dirname, '../../../fixtures/responses');
const PROVIDER_ROOT = join(import.meta.dirname, '../../../fixtures/providers');
const UPDATE = process.env.UPDATE_RESPONSES_FIXTURES === '1';
const EXPECTED = ['expected_upstream', 'expected_response', 'expected_events', 'expected_error'];

function context(c: JsonObject): ProviderContext {
  const ctx = isObject(c.context) ? c.context : {};
  return {
    routeType: 'llm/v1/chat',
    model: typeof ctx.model === 'string' ? ctx.model : 'model',
    options: isObject(ctx.options) ? ctx.options : {},
    auth: isObject(ctx.auth) ? ctx.auth : {},
    stream: ctx.stream === true,
    env: {},
    now: () => new Date('2024-01-01T00:00:00Z'),
    requestId: 'fixture',
  };
}

/** The client's request as ai-proxy builds it: the responses format, then the chat route's checks. */
function canonicalOf(body: unknown): CanonicalRequest {
  const req = responses.toCanonical(body as JsonObject, { requestId: 'fixture', owner: null });
  const issue = responsesExchange(req)?.issues[0];
  if (issue !== undefined) throw Object.assign(new TranslationError(issue.message, 400), { param: issue.param });
  return parseCanonicalRequest('llm/v1/chat', req);
}

function events(text: string): JsonObject[] {
  return text.split('\n\n').filter((b) => b.trim() !== '').map((block) => {
    const event = /^event: (.*)$/m.exec(block)?.[1];
    const data = JSON.parse(/^data: (.*)$/m.exec(block)?.[1] ?? 'null') as unknown;
    return { event, data };
  });
}

function streamEvents(provider: Provider, ctx: ProviderContext, req: CanonicalRequest, bytes: Buffer, step: number): JsonObject[] {
  const session = new StreamSession(provider, ctx, req);
  const writer = responses.stream({ id: 'fixture', model: ctx.model, includeUsage: true, request: req });
  let out = '';
  for (let i = 0; i < bytes.length; i += step) for (const c of session.feed(bytes.subarray(i, i + step))) out += writer.chunk(c);
  for (const c of session.end()) out += writer.chunk(c);
  out += writer.end(session.usage());
  return events(out);
}

async function run(provider: Provider, path: string): Promise<void> {
  const c = JSON.parse(readFileSync(path, 'utf8')) as JsonObject;
  const fromPath = join(PROVIDER_ROOT, String(c.from));
  const from = JSON.parse(readFileSync(fromPath, 'utf8')) as JsonObject;
  const ctx = context(from);
  const actual: JsonObject = {};
  try {
    const req = mergeModelOptions(ctx, canonicalOf(c.request));
    const up = await prepareUpstream(provider, ctx, req);
    actual.expected_upstream = { url: up.url.toString(), body: typeof up.body === 'string' ? JSON.parse(up.body) : up.body };
    if (typeof from.upstream_stream === 'string') {
      const bytes = readFileSync(join(dirname(fromPath), from.upstream_stream));
      const whole = streamEvents(provider, ctx, req, bytes, bytes.length);
      actual.expected_events = whole;
      for (const step of [1, 7]) expect(streamEvents(provider, ctx, req, bytes, step), `split every ${step} bytes`).toEqual(whole);
    } else {
      actual.expected_response = responses.response(translateResponse(provider, ctx, req, 200, from.upstream_response), req);
    }
  } catch (e) {
    if (!(e instanceof TranslationError)) throw e;
    actual.expected_error = { status: e.status, message: e.message, param: (e as { param?: string }).param ?? null };
  }
  if (UPDATE) {
    for (const k of EXPECTED) delete c[k];
    writeFileSync(path, `${JSON.stringify({ ...c, ...actual }, null, 2)}\n`);
    return;
  }
  for (const k of EXPECTED) expect(actual[k], `${k}`).toEqual(c[k]);
}

const translated = PROVIDERS.filter((p) => !p.capabilities.routeTypes.includes('llm/v1/responses'));

describe('responses fixtures cover every provider that gets Responses translated', () => {
  for (const p of translated) {
    it(`${p.name} has plain, tools and stream cases`, () => {
      const files = existsSync(join(ROOT, p.name)) ? readdirSync(join(ROOT, p.name)) : [];
      for (const kind of ['plain', 'tools', 'stream']) expect(files.some((f) => f.startsWith(kind)), `fixtures/responses/${p.name} lacks '${kind}'`).toBe(true);
    });
  }
});

for (const dir of existsSync(ROOT) ? readdirSync(ROOT).filter((d) => getProvider(d) !== undefined) : []) {
  const provider = getProvider(dir) as Provider;
  describe(`responses golden: ${dir}`, () => {
    for (const file of readdirSync(join(ROOT, dir)).filter((f) => f.endsWith('.json'))) {
      it(file, () => run(provider, join(ROOT, dir, file)));
    }
  });
}
