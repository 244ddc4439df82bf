/**
 * Golden tests: every fixture case under fixtures/providers/<provider>/<route-dir>/<case>.json is run
 * through the provider's translators (see fixtures/providers/README.md for the layout). Set
 * UPDATE_PROVIDER_FIXTURES=1 to (re)write the expected_* fields from the current output; review the diff.
 */
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { TranslationError } from '../../../src/gateway/llm/wire/errors.js';
import { isObject, parseCanonicalRequest, type CanonicalChunk, type JsonObject, type RouteType } from '../../../src/gateway/llm/wire/openai-types.js';
import { PROVIDERS, getProvider } from '../../../src/gateway/providers/index.js';
import { StreamSession, mergeModelOptions, prepareUpstream, translateResponse } from '../../../src/gateway/llm/call/translate.js';
import type { Provider, ProviderContext } from '../../../src/gateway/providers/types.js';

const ROOT = join(import.meta.dirname, '../../../fixtures/providers');
const UPDATE = process.env.UPDATE_PROVIDER_FIXTURES === '1';
/** Translated route types. `llm/v1/responses` (passed through natively) has its own golden suite: test/unit/formats/responses-golden.test.ts. */
const ROUTE_DIRS: Partial<Record<RouteType, string>> = {
  'llm/v1/chat': 'llm-v1-chat', 'llm/v1/completions': 'llm-v1-completions', 'llm/v1/embeddings': 'llm-v1-embeddings',
};
const translated = (p: Provider): RouteType[] => p.capabilities.routeTypes.filter((rt) => ROUTE_DIRS[rt] !== undefined);
const KINDS = ['plain', 'stream', 'tools', 'error'] as const;

function requiredKinds(p: Provider, rt: RouteType): string[] {
  const kinds = ['plain', 'error'];
  if (rt === 'llm/v1/chat') kinds.push('tools');
  if (rt !== 'llm/v1/embeddings' && p.capabilities.streaming) kinds.push('stream');
  return kinds;
}

function caseFiles(dir: string): string[] {
  return existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.json') && KINDS.some((k) => f === `${k}.json` || f.startsWith(`${k}-`))) : [];
}

function context(rt: RouteType, c: JsonObject): ProviderContext {
  const ctx = isObject(c.context) ? c.context : {};
  return {
    routeType: rt,
    model: typeof ctx.model === 'string' ? ctx.model : 'model',
    options: isObject(ctx.options) ? ctx.options : {},
    auth: isObject(ctx.auth) ? ctx.auth : {},
    stream: ctx.stream === true,
    env: isObject(ctx.env) ? Object.fromEntries(Object.entries(ctx.env).map(([k, v]) => [k, String(v)])) : {},
    now: () => new Date('2024-01-01T00:00:00Z'),
    requestId: 'chatcmpl-fixture',
    ...(typeof ctx.client_query === 'string' ? { clientQuery: new URLSearchParams(ctx.client_query) } : {}),
    gcpAccessToken: async (json: string) => {
      if (json.includes('"bad"')) throw new Error('token endpoint refused');
      return 'ya29.fixture-token';
    },
  };
}

async function capture(fn: () => unknown): Promise<{ status: number; message: string } | null> {
  try {
    await fn();
    return null;
  } catch (e) {
    if (e instanceof TranslationError) return { status: e.status, message: e.message };
    throw e;
  }
}

function streamChunks(provider: Provider, ctx: ProviderContext, req: ReturnType<typeof parseCanonicalRequest>, bytes: Buffer, step: number) {
  const session = new StreamSession(provider, ctx, req);
  const chunks: CanonicalChunk[] = [];
  for (let i = 0; i < bytes.length; i += step) chunks.push(...session.feed(bytes.subarray(i, i + step)));
  chunks.push(...session.end());
  return { chunks, usage: session.usage(), composite: session.composite() };
}

async function runCase(provider: Provider, rt: RouteType, dir: string, file: string): Promise<void> {
  const path = join(dir, file);
  const c = JSON.parse(readFileSync(path, 'utf8')) as JsonObject;
  const ctx = context(rt, c);
  const actual: JsonObject = {};
  let req: ReturnType<typeof parseCanonicalRequest> | undefined;
  const requestError = await capture(async () => {
    req = mergeModelOptions(ctx, parseCanonicalRequest(rt, c.request));
    const up = await prepareUpstream(provider, ctx, req);
    const headers = isObject(c.expected_upstream) && isObject(c.expected_upstream.headers) ? c.expected_upstream.headers : null;
    actual.expected_upstream = {
      url: up.url.toString(),
      headers: UPDATE || headers === null ? up.headers : Object.fromEntries(Object.keys(headers).map((k) => [k, up.headers[k]])),
      body: typeof up.body === 'string' ? JSON.parse(up.body) : up.body,
    };
  });
  if (requestError !== null) actual.expected_error = requestError;
  else if (req !== undefined && typeof c.upstream_stream === 'string') {
    const bytes = readFileSync(join(dir, c.upstream_stream));
    const whole = streamChunks(provider, ctx, req, bytes, bytes.length);
    actual.expected_chunks = whole.chunks;
    actual.expected_usage = whole.usage;
    actual.expected_composite = whole.composite;
    for (const step of [1, 7]) expect(streamChunks(provider, ctx, req, bytes, step).chunks, `${file} split every ${step} bytes`).toEqual(whole.chunks);
  } else if (req !== undefined && c.upstream_response !== undefined) {
    const r = req;
    const err = await capture(() => { actual.expected_response = translateResponse(provider, ctx, r, 200, c.upstream_response); });
    if (err !== null) {
      delete actual.expected_response;
      actual.expected_error = err;
    }
  }
  if (UPDATE) {
    for (const k of ['expected_upstream', 'expected_response', 'expected_chunks', 'expected_usage', 'expected_composite', 'expected_error']) delete c[k];
    writeFileSync(path, `${JSON.stringify({ ...c, ...actual }, null, 2)}\n`);
    return;
  }
  for (const [k, v] of Object.entries(actual)) expect(v, `${file}: ${k}`).toEqual(c[k]);
  for (const k of ['expected_response', 'expected_chunks', 'expected_error']) {
    if (c[k] !== undefined) expect(actual[k], `${file}: ${k} expected but not produced`).toBeDefined();
  }
}

describe('provider fixtures cover every registered provider × route type × case', () => {
  for (const p of PROVIDERS) {
    it(`${p.name} has fixtures for ${translated(p).join(', ')}`, () => {
      expect(existsSync(join(ROOT, p.name)), `fixtures/providers/${p.name} is missing`).toBe(true);
      for (const rt of translated(p)) {
        const files = caseFiles(join(ROOT, p.name, ROUTE_DIRS[rt] ?? ''));
        for (const kind of requiredKinds(p, rt)) {
          expect(files.some((f) => f === `${kind}.json` || f.startsWith(`${kind}-`)), `${p.name}/${ROUTE_DIRS[rt] ?? rt} lacks a '${kind}' case`).toBe(true);
        }
      }
    });
  }

  it('has no fixture directory for an unregistered provider or route type', () => {
    for (const name of readdirSync(ROOT).filter((f) => !f.includes('.'))) {
      const p = getProvider(name);
      expect(p, `fixtures/providers/${name} has no registered provider`).toBeDefined();
      const dirs = Object.entries(ROUTE_DIRS).filter(([rt]) => p?.capabilities.routeTypes.includes(rt as RouteType)).map(([, d]) => d);
      for (const d of readdirSync(join(ROOT, name))) expect(dirs, `${name}/${d}`).toContain(d);
    }
  });
});

for (const p of PROVIDERS) {
  describe(`golden: ${p.name}`, () => {
    for (const rt of translated(p)) {
      const dir = join(ROOT, p.name, ROUTE_DIRS[rt] ?? '');
      for (const file of caseFiles(dir)) it(`${ROUTE_DIRS[rt] ?? rt}/${file}`, () => runCase(p, rt, dir, file));
    }
  });
}
