/**
 * Coding agents through `aigw serve` against the mock, with their defaults, over an OpenAI upstream
 * (`oa`) and an Anthropic one (`an`), one tool round trip each (the mock calls the tool whose
 * parameters the prompt's JSON object fills; see src/mock/README.md):
 *   - Claude Code (`claude -p`): ANTHROPIC_BASE_URL = the route prefix, telemetry off
 *     (CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC), `--allowedTools Read` (bypass modes refuse root);
 *   - Codex (`codex exec`): a custom model provider whose base URL is aigw (no WebSocket attempt),
 *     plugins, analytics, feedback and the hosted web_search off.
 * Both are native binaries (~400 MB each, installed as devDependencies); each run takes 2–6 s, so
 * the runs are few and serial.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKENDS, startClientsEnv, type ClientsEnv } from './setup.js';
import { runCli, sandbox, SECRET, writeFixture } from './spawn.js';

const BIN = join(import.meta.dirname, '../../../node_modules/.bin');
const TIMEOUT = 90_000;

let env: ClientsEnv;
beforeAll(async () => {
  env = await startClientsEnv();
});
afterAll(async () => env.close());

function claude(backend: (typeof BACKENDS)[number], args: string[]) {
  const box = sandbox();
  const file = writeFixture(box.work);
  const base = env.base(backend).replace(/\/v1$/, '');
  const cliEnv = {
    PATH: process.env.PATH ?? '', HOME: box.home, ANTHROPIC_BASE_URL: base, ANTHROPIC_API_KEY: 'sk-ant-client',
    CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
  };
  const prompt = `Read the file ${JSON.stringify({ file_path: file })} and tell me the secret word.`;
  return runCli(join(BIN, 'claude'), ['-p', prompt, '--allowedTools', 'Read', '--no-session-persistence', ...args], { cwd: box.work, env: cliEnv, timeoutMs: TIMEOUT - 5000 });
}

function codex(backend: (typeof BACKENDS)[number]) {
  const box = sandbox();
  writeFixture(box.work);
  const codexHome = join(box.home, '.codex');
  mkdirSync(codexHome);
  const cliEnv = { PATH: process.env.PATH ?? '', HOME: box.home, CODEX_HOME: codexHome, AIGW_KEY: 'sk-client' };
  const c = (kv: string): string[] => ['-c', kv];
  const args = [
    'exec', '--json', '--skip-git-repo-check', '--ephemeral', '--disable', 'plugins', '-s', 'read-only', '-m', 'gpt-5.5',
    ...c('model_providers.aigw.name="aigw"'), ...c(`model_providers.aigw.base_url="${env.base(backend)}"`),
    ...c('model_providers.aigw.env_key="AIGW_KEY"'), ...c('model_provider="aigw"'),
    ...c('model_providers.aigw.request_max_retries=0'), ...c('model_providers.aigw.stream_max_retries=0'),
    ...c('analytics.enabled=false'), ...c('feedback.enabled=false'), ...c('web_search="disabled"'), ...c('check_for_update_on_startup=false'),
    `Show me fixture.txt with ${JSON.stringify({ cmd: 'cat fixture.txt' })}`,
  ];
  return runCli(join(BIN, 'codex'), args, { cwd: box.work, env: cliEnv, timeoutMs: TIMEOUT - 5000 });
}

const jsonl = (text: string): Array<Record<string, unknown>> => text.split('\n').filter((l) => l.trim().startsWith('{')).map((l) => JSON.parse(l) as Record<string, unknown>);

describe('Claude Code (claude -p with its defaults), one Read tool round trip', () => {
  // two runs cost ~15 s on a loaded 2-core machine: JSON output over OpenAI, streaming JSON over Anthropic
  it('over OpenAI: JSON result', async () => {
    const r = await claude('oa', ['--output-format', 'json']);
    expect(r.code, r.stderr + r.stdout).toBe(0);
    const out = JSON.parse(r.stdout) as { is_error: boolean; num_turns: number; result: string };
    expect(out.is_error).toBe(false);
    expect(out.num_turns).toBe(2);
    expect(out.result).toContain(SECRET);
  }, TIMEOUT);

  it('over Anthropic: streaming JSON (init, the assistant tool call, its result, the answer)', async () => {
    const r = await claude('an', ['--output-format', 'stream-json', '--verbose']);
    expect(r.code, r.stderr + r.stdout).toBe(0);
    const lines = jsonl(r.stdout);
    expect(lines.map((l) => l.type)).toEqual(expect.arrayContaining(['system', 'assistant', 'user', 'result']));
    expect(JSON.stringify(lines.filter((l) => l.type === 'assistant'))).toContain('"name":"Read"');
    expect(lines.at(-1)).toMatchObject({ type: 'result', is_error: false, num_turns: 2 });
    expect(String(lines.at(-1)?.result)).toContain(SECRET);
  }, TIMEOUT);
});

for (const b of BACKENDS) {
  describe(`Codex over ${b === 'oa' ? 'OpenAI' : 'Anthropic'}`, () => {
    it('codex exec with a custom provider: a shell tool round trip', async () => {
      const r = await codex(b);
      expect(r.code, r.stderr + r.stdout).toBe(0);
      const items = jsonl(r.stdout).filter((l) => l.type === 'item.completed').map((l) => l.item as Record<string, unknown>);
      const cmd = items.find((i) => i.type === 'command_execution');
      expect(cmd).toMatchObject({ exit_code: 0 });
      expect(String(cmd?.aggregated_output)).toContain(SECRET);
      expect(String(items.find((i) => i.type === 'agent_message')?.text)).toContain(SECRET);
    }, TIMEOUT);
  });
}
