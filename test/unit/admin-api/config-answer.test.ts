// POST /config's answer (issue 10: no long main-thread task during a reload): built an entity at a
// time in chunks of about ANSWER_CHUNK characters, each joined and encoded to UTF-8 in a step of
// its own (bytes outside the JS heap: a reload's scavenges do not copy them), written chunk by
// chunk; the bytes are those JSON.stringify of the entities by kind gives.
import { PassThrough } from 'node:stream';
import type { ServerResponse } from 'node:http';
import { describe, expect, it } from 'vitest';
import { KINDS } from '../../../src/config/kinds.js';
import { ANSWER_CHUNK, configAnswer } from '../../../src/gateway/admin-api/node.js';
import { send } from '../../../src/gateway/admin-api/respond.js';
import { runAtOnce } from '../../../src/gateway/time-slices.js';
import { stateFrom } from '../../helpers/gateway.js';

const N = 400;
const yaml = `_format_version: "3.0"
consumers:
- username: ünïcödé-ユーザー
services:
${Array.from({ length: N }, (_, i) => `- name: s${i}
  url: http://127.0.0.1:9/${i}
  tags: ["${'t'.repeat(200)}"]
  routes:
  - name: r${i}
    paths: [/r/${i}]
`).join('')}`;

/** What the answer was before it was chunked: one JSON.stringify per entity, joined by kind. */
const whole = (state: Awaited<ReturnType<typeof stateFrom>>): string =>
  `{${KINDS.filter((k) => state.entities[k.name].length > 0).map((k) => `${JSON.stringify(k.name)}:[${state.entities[k.name].map((e) => JSON.stringify(e)).join(',')}]`).join(',')}}`;

describe("POST /config's answer", () => {
  it('is the JSON of every non-empty kind, in UTF-8 chunks of about ANSWER_CHUNK characters, with its length', async () => {
    const state = await stateFrom(yaml);
    const a = runAtOnce(configAnswer(state));
    for (const c of a.chunks) expect(Buffer.isBuffer(c)).toBe(true);
    const text = Buffer.concat(a.chunks).toString('utf8');
    expect(text).toBe(whole(state));
    expect(a.bytes).toBe(Buffer.byteLength(text));
    expect(a.bytes).toBeGreaterThan(text.length); // the consumer's name is not ASCII
    const longest = Math.max(...KINDS.flatMap((k) => state.entities[k.name].map((e) => JSON.stringify(e).length)));
    expect(a.chunks.length).toBeGreaterThan(Math.floor(text.length / ANSWER_CHUNK));
    for (const c of a.chunks) expect(new TextDecoder().decode(c).length).toBeLessThan(ANSWER_CHUNK + longest + 64);
  });

  it('serialises one entity per step and joins a chunk in a step of its own', async () => {
    const state = await stateFrom(yaml);
    const steps = configAnswer(state);
    const entities = KINDS.reduce((n, k) => n + state.entities[k.name].length, 0);
    let n = 0;
    let r = steps.next();
    while (!r.done) {
      n++;
      r = steps.next();
    }
    expect(n).toBe(entities + r.value.chunks.length - 1);
  });

  it('is written chunk by chunk with its content-length', async () => {
    const state = await stateFrom(yaml);
    const a = runAtOnce(configAnswer(state));
    const out = new PassThrough();
    const written: Uint8Array[] = [];
    let head: Record<string, unknown> = {};
    const res = Object.assign(out, {
      writeHead: (_s: number, h: Record<string, unknown>) => void (head = h),
      write: (c: Uint8Array) => written.push(c) > 0,
      end: () => undefined,
    }) as unknown as ServerResponse;
    send(res, 201, a);
    expect(head['content-length']).toBe(a.bytes);
    expect(written).toEqual(a.chunks);
  });
});
