/**
 * Schema profiles by Kong version: `--kong-version` on validate/render, and diff/sync checking the
 * file against the target's own version (GET /), so defaults that Kong flipped in 3.14
 * (hide_credentials, max_request_body_size…) show no phantom change.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { bufferIo } from '../../../src/cli/io.js';
import { command as diff } from '../../../src/commands/diff.js';
import { command as render } from '../../../src/commands/render.js';
import { command as sync } from '../../../src/commands/sync.js';
import { command as validate } from '../../../src/commands/validate.js';
import { DEFAULT_PROFILE, profileForVersion } from '../../../src/config/kong-version.js';
import { useKongProfile } from '../../../src/config/schemas.js';
import { emptyState } from '../../../src/config/state.js';
import { startAdmin, type Running } from '../admin-api/serve.js';

const FILE = `_format_version: "3.0"
services:
  - name: llm
    url: http://127.0.0.1:9
    routes:
      - name: chat
        paths: [/chat]
        plugins:
          - name: key-auth
          - name: ai-proxy
            config:
              route_type: llm/v1/chat
              model: { provider: openai, name: gpt-4o }
`;

const RESPONSES = `_format_version: "3.0"
plugins:
  - name: ai-proxy
    config:
      route_type: llm/v1/responses
      genai_category: text/generation
      model: { provider: openai, name: gpt-4.1 }
`;

let dir: string;
const targets: Running[] = [];

/** An Admin API that answers GET / as a real Kong of `version` (the rest is aigw's Admin API). */
async function kong(version: string): Promise<Running> {
  const r = await startAdmin({
    intercept: (req, res) => {
      if (req.method !== 'GET' || req.url !== '/') return false;
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ tagline: 'Welcome to kong', version, edition: 'enterprise', configuration: { database: 'postgres' } }));
      return true;
    },
  });
  targets.push(r);
  return r;
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'aigw-kong-version-'));
  writeFileSync(join(dir, 'kong.yaml'), FILE);
  writeFileSync(join(dir, 'responses.yaml'), RESPONSES);
});
afterEach(() => useKongProfile(DEFAULT_PROFILE));
afterAll(async () => {
  for (const t of targets) await t.close();
  rmSync(dir, { recursive: true, force: true });
});

const pluginConfig = (t: Running, name: string): Record<string, unknown> =>
  t.store.list('plugins').find((p) => p.name === name)?.config as Record<string, unknown>;

describe('profiles by Kong version', () => {
  it('maps versions to profiles, saying so when there is no exact one', () => {
    expect(profileForVersion('3.10.0.2')).toEqual({ profile: '3.10', note: null });
    expect(profileForVersion('3.14.0.1')).toEqual({ profile: '3.14', note: null });
    expect(profileForVersion('konnect')).toEqual({ profile: 'konnect', note: null });
    expect(profileForVersion('3.12')).toEqual({ profile: '3.14', note: 'no Kong 3.12 profile: checked against Kong 3.14' });
    expect(profileForVersion('3.9.1')?.profile).toBe('3.10');
    expect(profileForVersion('3.15.0.0')).toEqual({ profile: 'konnect', note: null });
    expect(profileForVersion('latest')).toBeNull();
  });

  it('validate: a Responses route is valid for 3.14 and an error for 3.10; a bad --kong-version is a usage error', async () => {
    const now = bufferIo({ cwd: dir });
    expect(await validate.run({ args: ['responses.yaml'], opts: { target: 'aigw' } }, now)).toBe(0);
    const old = bufferIo({ cwd: dir });
    expect(await validate.run({ args: ['responses.yaml'], opts: { target: 'aigw', kongVersion: '3.10' } }, old)).toBe(1);
    expect(old.stdout()).toMatch(/responses\.yaml:5:19 +error +AIGW_VALUE +expected one of: llm\/v1\/chat, llm\/v1\/completions, preserve, llm\/v1\/embeddings\n/);
    expect(old.stdout()).toMatch(/responses\.yaml:6:7 +error +AIGW_UNKNOWN_FIELD +unknown field 'genai_category'/);
    await expect(validate.run({ args: ['responses.yaml'], opts: { target: 'aigw', kongVersion: 'latest' } }, bufferIo({ cwd: dir })))
      .rejects.toThrow("--kong-version must be a Kong version (3.10, 3.14, …) or konnect, not 'latest'");
  });

  it('validate: a file with a _konnect block is checked against Konnect unless --kong-version says otherwise', async () => {
    // key-auth `principals` exists on Konnect (Kong 3.15) only
    writeFileSync(join(dir, 'konnect.yaml'), `_format_version: "3.0"\n_konnect:\n  control_plane_name: default\nplugins:\n  - name: key-auth\n    config:\n      principals: {}\n`);
    const io = bufferIo({ cwd: dir });
    expect(await validate.run({ args: ['konnect.yaml'], opts: { target: 'aigw' } }, io), io.stdout()).toBe(0);
    expect(io.stderr()).toContain('note: the files have a _konnect block: checked against Konnect (give --kong-version to choose another version)');
    const pinned = bufferIo({ cwd: dir });
    expect(await validate.run({ args: ['konnect.yaml'], opts: { target: 'aigw', kongVersion: '3.14' } }, pinned)).toBe(1);
    expect(pinned.stdout()).toMatch(/konnect\.yaml:7:7 +error +AIGW_UNKNOWN_FIELD +unknown field 'principals'/);
  });

  it('validate: the Kong 3.15 plugin fields of decK\'s 3.15/Konnect dumps (principals, counter_key) are valid for 3.15 and konnect, unknown for 3.14', async () => {
    // as decK's testdata dump/012-plugin-conditional/expected315.yaml and sync/037-…/kong315x.yaml write them
    writeFileSync(join(dir, 'k315.yaml'), `_format_version: "3.0"
plugins:
  - name: key-auth
    config:
      principals: { directory: default, enabled: false, error_on_miss: true }
  - name: rate-limiting-advanced
    config:
      limit: [10]
      window_size: [60]
      counter_key: null
`);
    for (const kongVersion of ['3.15', 'konnect', '3.15.0.0']) {
      const io = bufferIo({ cwd: dir });
      expect(await validate.run({ args: ['k315.yaml'], opts: { target: 'aigw', kongVersion } }, io), io.stdout()).toBe(0);
    }
    const old = bufferIo({ cwd: dir });
    expect(await validate.run({ args: ['k315.yaml'], opts: { target: 'aigw', kongVersion: '3.14' } }, old)).toBe(1);
    expect(old.stdout()).toMatch(/k315\.yaml:5:7 +error +AIGW_UNKNOWN_FIELD +unknown field 'principals'/);
    expect(old.stdout()).toMatch(/k315\.yaml:10:7 +error +AIGW_UNKNOWN_FIELD +unknown field 'counter_key'/);
    // Kong 3.15's counter_key is one of three consumer attributes (aigw serve refuses any set one: not-served.test.ts)
    writeFileSync(join(dir, 'k315-key.yaml'), `_format_version: "3.0"
plugins:
  - name: rate-limiting-advanced
    config: { limit: [10], window_size: [60], identifier: consumer, counter_key: consumer.email }
`);
    const bad = bufferIo({ cwd: dir });
    expect(await validate.run({ args: ['k315-key.yaml'], opts: { target: 'aigw', kongVersion: '3.15' } }, bad)).toBe(1);
    expect(bad.stdout()).toMatch(/k315-key\.yaml:4:\d+ +error +AIGW_VALUE +expected one of: consumer\.custom_id, consumer\.id, consumer\.username/);
  });

  it('render fills the defaults of the version asked for', async () => {
    const rendered = async (kongVersion?: string): Promise<string> => {
      const io = bufferIo({ cwd: dir });
      expect(await render.run({ args: ['kong.yaml'], opts: { format: 'json', ...(kongVersion ? { kongVersion } : {}) } }, io)).toBe(0);
      return io.stdout();
    };
    const old = await rendered('3.10');
    expect(old).toContain('"hide_credentials": false');
    expect(old).toContain('"max_request_body_size": 8192');
    const now = await rendered();
    expect(now).toContain('"hide_credentials": true');
    expect(now).toContain('"max_request_body_size": 1048576');
  });

  it.each([['3.10.0.2', false, 8192], ['3.14.0.1', true, 1048576]])(
    'sync to Kong %s writes its defaults, and the unchanged file then diffs clean',
    async (version, hide, bodySize) => {
      const t = await kong(version);
      t.store.replaceAll(emptyState());
      const opts = { kongAddr: t.url };
      const io = bufferIo({ cwd: dir });
      expect(await sync.run({ args: ['kong.yaml'], opts }, io), io.stderr()).toBe(0);
      expect(pluginConfig(t, 'key-auth').hide_credentials).toBe(hide);
      expect(pluginConfig(t, 'ai-proxy').max_request_body_size).toBe(bodySize);
      const again = bufferIo({ cwd: dir });
      expect(await diff.run({ args: ['kong.yaml'], opts }, again)).toBe(0);
      expect(again.stdout()).toContain('Created: 0\n  Updated: 0\n  Deleted: 0');
    },
  );
});
