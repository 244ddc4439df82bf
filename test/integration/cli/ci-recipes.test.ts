/**
 * The CI recipes in the repository, run as a user who copied them would run them: the commands of
 * docs/ci/github-actions.yml, docs/ci/gitlab-ci.yml and .pre-commit-hooks.yaml, in a fixture
 * repository (kong-ai.yaml from fixtures/review/ci-repo), against a real `aigw serve --db` on
 * 127.0.0.1 with an admin token. The CI services themselves are not involved: the test works out
 * env, conditions and rules itself (test/helpers/ci-recipes.ts) and runs each command in bash.
 * The npm install line is checked, not run: an `aigw` shim on the PATH runs this checkout's build.
 * The Konnect steps run against the local Konnect API server (test/helpers/konnect-server.ts),
 * reached through DECK_KONNECT_ADDR as a user's runner would reach konghq.com.
 */
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { execa, type ResultPromise } from 'execa';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  aigwShim, bash, gitlabPipeline, gitlabRuns, githubIf, githubWorkflow, runGithubJob, runGitlabJob, type GithubContext, type GithubStep,
} from '../../helpers/ci-recipes.js';
import { startKonnectServer, type KonnectServer } from '../../helpers/konnect-server.js';
import { request, servedUrls, startUpstream, type TestUpstream } from '../../helpers/net.js';

const ROOT = resolve(import.meta.dirname, '../../..');
const BIN = join(ROOT, 'dist/bin/aigw.js');
const VERSION = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;
const GITHUB = readFileSync(join(ROOT, 'docs/ci/github-actions.yml'), 'utf8');
const GITLAB = readFileSync(join(ROOT, 'docs/ci/gitlab-ci.yml'), 'utf8');
const HOOKS = readFileSync(join(ROOT, '.pre-commit-hooks.yaml'), 'utf8');
const FIXTURE = join(ROOT, 'fixtures/review/ci-repo');
const TOKEN = 'ci-admin-token';
const OPENAI_KEY = 'sk-ci-secret-4242';

const tmp = mkdtempSync(join(tmpdir(), 'aigw-ci-'));
const repo = join(tmp, 'repo');
let admin = '';
let server: ResultPromise | null = null;
let gitlabApi: TestUpstream;
let konnect: KonnectServer;
const KONNECT_TOKEN = 'kpat_CiRecipeToken0123456789abcdefghij';
let base: Record<string, string> = {};

const isInstall = (s: GithubStep) => s.name === 'Install aigw';
const usesKonnect = (text: string | undefined) => text !== undefined && text.includes('--konnect-token');

function github(event: 'push' | 'pull_request', ref: string, vars: Record<string, string>): GithubContext {
  return { github: { event_name: event, ref }, vars, secrets: { KONNECT_TOKEN: '', KONG_ADMIN_TOKEN: TOKEN, OPENAI_API_KEY: OPENAI_KEY } };
}

/** The edit the recipe's comment asks for: map the state file's env value from a secret. */
const githubRecipe = GITHUB.replace(/# (AIGW_OPENAI_API_KEY: \$\{\{ secrets\.OPENAI_API_KEY \}\})/g, '$1');

function setRepo(file: string, edit: (t: string) => string = (t) => t): void {
  writeFileSync(join(repo, 'kong-ai.yaml'), edit(readFileSync(join(FIXTURE, file), 'utf8')));
}

async function gatewayServices(): Promise<string[]> {
  const res = await request(`${admin}/services`, { headers: { 'kong-admin-token': TOKEN } });
  return res.json<{ data: Array<{ name: string }> }>().data.map((s) => s.name);
}

beforeAll(async () => {
  mkdirSync(join(repo, '.github/workflows'), { recursive: true });
  copyFileSync(join(ROOT, 'docs/ci/github-actions.yml'), join(repo, '.github/workflows/aigw.yml'));
  copyFileSync(join(ROOT, 'docs/ci/gitlab-ci.yml'), join(repo, '.gitlab-ci.yml'));
  base = { PATH: `${aigwShim(tmp, BIN)}:${process.env.PATH ?? ''}`, HOME: tmp, NO_COLOR: '1' };
  server = execa(process.execPath, [BIN, 'serve', '--db', join(tmp, 'gw.db'), '--listen', '127.0.0.1:0', '--admin-listen', '127.0.0.1:0', '--admin-token', TOKEN, '--no-access-log'], { cwd: tmp, reject: false, env: { NO_COLOR: '1' }, extendEnv: false });
  admin = (await servedUrls(server)).admin ?? '';
  gitlabApi = await startUpstream((_req, res) => {
    res.writeHead(201, { 'content-type': 'application/json' });
    res.end('{"id":1}');
  });
  konnect = await startKonnectServer({ tokens: [KONNECT_TOKEN], controlPlanes: [{ name: 'ci-cp' }] });
});

afterAll(async () => {
  server?.kill('SIGTERM');
  await server?.catch(() => undefined);
  await gitlabApi?.close();
  await konnect?.close();
  rmSync(tmp, { recursive: true, force: true });
});

describe('GitHub Actions recipe (docs/ci/github-actions.yml)', { timeout: 120_000 }, () => {
  it('installs the aigw release this repository builds, and runs each job on the right events', () => {
    const wf = githubWorkflow(GITHUB);
    expect(wf.env.AIGW_VERSION).toBe(VERSION);
    // aigw is not published on the npm registry ('aigw@x' would install nothing, or someone else's package)
    expect(wf.env.AIGW_REPOSITORY).toMatch(/^git\+https:\/\/.+\.git$/);
    for (const job of Object.values(wf.jobs)) expect(job.steps.filter(isInstall).map((s) => s.run)).toEqual(['npm install --global "${AIGW_REPOSITORY}#v${AIGW_VERSION}"']);
    const on = (e: 'push' | 'pull_request', ref: string) => Object.entries(wf.jobs).filter(([, j]) => githubIf(j.if, github(e, ref, {}))).map(([n]) => n);
    expect(on('pull_request', 'refs/pull/7/merge')).toEqual(['validate', 'diff']);
    expect(on('push', 'refs/heads/main')).toEqual(['validate', 'sync']);
    expect(on('push', 'refs/heads/feature')).toEqual(['validate']);
  });

  it('validate: annotations for a broken file, silence and exit 0 for a good one', async () => {
    setRepo('broken.yaml');
    const bad = await runGithubJob(githubRecipe, 'validate', github('push', 'refs/heads/feature', {}), repo, base, isInstall);
    const step = bad.find((s) => s.name === 'Validate');
    expect(step?.code).toBe(1);
    expect(step?.stdout).toMatch(/^::error file=kong-ai\.yaml,line=5,col=14,endLine=5,endColumn=17,title=aigw AIGW_TYPE::expected an integer/m);
    setRepo('kong-ai.yaml');
    const good = await runGithubJob(githubRecipe, 'validate', github('push', 'refs/heads/feature', {}), repo, base, isInstall);
    expect(good.find((s) => s.name === 'Validate')).toMatchObject({ ran: true, code: 0, stdout: '' });
  });

  it('sync on main (Kong target), then a pull request gets the diff comment with the one changed word', async () => {
    const vars = { KONG_ADDR: admin };
    setRepo('kong-ai.yaml');
    const sync = await runGithubJob(githubRecipe, 'sync', github('push', 'refs/heads/main', vars), repo, base, isInstall);
    expect(sync.filter((s) => s.ran).map((s) => [s.name, s.code, s.stderr])).toEqual([['Sync to Kong Gateway', 0, expect.any(String)]]);
    expect(await gatewayServices()).toEqual(['openai']);

    setRepo('kong-ai.yaml', (t) => t.replace('answer politely and', 'answer briefly and'));
    const diff = await runGithubJob(githubRecipe, 'diff', github('pull_request', 'refs/pull/7/merge', vars), repo, base, isInstall);
    expect(diff.filter((s) => s.ran).map((s) => [s.name, s.code])).toEqual([['Diff against Kong Gateway', 0]]);
    const md = readFileSync(join(repo, 'aigw-diff.md'), 'utf8');
    expect(md).toContain('### aigw diff: 0 to create, 1 to update, 0 to delete');
    expect(md).toContain('! config.prompts.prepend[0].content: "You are the support assistant of ACME Corp. Always answer [-politely-]{+briefly+} and concisely');
    expect(md).not.toContain(OPENAI_KEY);
    const comment = githubWorkflow(GITHUB).jobs.diff.steps.find((s) => s.uses?.startsWith('marocchino/sticky-pull-request-comment@'));
    expect(comment?.with).toEqual({ header: 'aigw-diff', path: 'aigw-diff.md' });
  });

  it('tells a user who set neither gateway what to set', async () => {
    for (const job of ['diff', 'sync']) {
      const ctx = github(job === 'diff' ? 'pull_request' : 'push', 'refs/heads/main', {});
      const steps = await runGithubJob(githubRecipe, job, ctx, repo, base, isInstall);
      const check = steps.find((s) => s.name === 'Check the gateway settings');
      expect(check?.code).toBe(1);
      expect(check?.stdout).toContain('::error::set the variable KONNECT_CONTROL_PLANE_NAME');
    }
  });

  it('has Konnect variants of the diff and the sync, with the token from secrets', () => {
    const steps = Object.values(githubWorkflow(GITHUB).jobs).flatMap((j) => j.steps).filter((s) => usesKonnect(s.run));
    expect(steps.map((s) => s.name)).toEqual(['Diff against Konnect', 'Sync to Konnect']);
    for (const s of steps) {
      expect(s.env).toEqual({ KONNECT_TOKEN: '${{ secrets.KONNECT_TOKEN }}' });
      expect(s.run).toContain('--konnect-token "$KONNECT_TOKEN" --konnect-control-plane-name "$KONNECT_CONTROL_PLANE_NAME"');
    }
    expect(steps[1].run).toBe('aigw gateway sync "$STATE_FILE" --konnect-token "$KONNECT_TOKEN" --konnect-control-plane-name "$KONNECT_CONTROL_PLANE_NAME"');
  });

  it('Konnect: sync on main fills the control plane, then a pull request diff shows the one change, token never printed', async () => {
    const vars = { KONNECT_CONTROL_PLANE_NAME: 'ci-cp' };
    const ctx = (event: 'push' | 'pull_request', ref: string): GithubContext => ({ ...github(event, ref, vars), secrets: { KONNECT_TOKEN, OPENAI_API_KEY: OPENAI_KEY } });
    const env = { ...base, DECK_KONNECT_ADDR: konnect.url };
    setRepo('kong-ai.yaml');
    const sync = await runGithubJob(githubRecipe, 'sync', ctx('push', 'refs/heads/main'), repo, env, isInstall);
    expect(sync.filter((s) => s.ran).map((s) => [s.name, s.code, s.stderr])).toEqual([['Sync to Konnect', 0, expect.any(String)]]);
    expect(konnect.controlPlane('ci-cp').entities('services').length).toBeGreaterThan(0);
    setRepo('kong-ai.yaml', (t) => t.replace('answer politely and', 'answer briefly and'));
    const diff = await runGithubJob(githubRecipe, 'diff', ctx('pull_request', 'refs/pull/8/merge'), repo, env, isInstall);
    expect(diff.find((s) => s.name === 'Diff against Konnect')?.code).toBe(0);
    const md = readFileSync(join(repo, 'aigw-diff.md'), 'utf8');
    expect(md).toContain('briefly');
    for (const s of [...sync, ...diff]) expect(konnect.leakedTokens(s.stdout + s.stderr)).toEqual([]);
    expect(konnect.leakedTokens(md)).toEqual([]);
  });
});

describe('GitLab CI recipe (docs/ci/gitlab-ci.yml)', { timeout: 120_000 }, () => {
  const install = (l: string) => l.startsWith('npm install --global');
  const vars = (more: Record<string, string>) => ({ KONG_ADDR: admin, AIGW_ADMIN_TOKEN: TOKEN, AIGW_OPENAI_API_KEY: OPENAI_KEY, GITLAB_TOKEN: 'glpat-test', CI_DEFAULT_BRANCH: 'main', CI_API_V4_URL: `${gitlabApi.url}/api/v4`, CI_PROJECT_ID: '42', ...more });

  it('installs the aigw release this repository builds, and runs each job in the right pipelines', () => {
    const p = gitlabPipeline(GITLAB);
    expect(p.variables.AIGW_VERSION).toBe(VERSION);
    expect(p.variables.AIGW_REPOSITORY).toMatch(/^git\+https:\/\/.+\.git$/);
    expect(p.default.before_script).toEqual(['npm install --global "${AIGW_REPOSITORY}#v${AIGW_VERSION}"']);
    const runs = (v: Record<string, string>) => Object.entries(p.jobs).filter(([, j]) => gitlabRuns(j, v)).map(([n]) => n);
    expect(runs({ CI_PIPELINE_SOURCE: 'merge_request_event', CI_DEFAULT_BRANCH: 'main', KONG_ADDR: 'x' })).toEqual(['aigw-validate', 'aigw-diff-kong']);
    expect(runs({ CI_PIPELINE_SOURCE: 'push', CI_COMMIT_BRANCH: 'main', CI_DEFAULT_BRANCH: 'main', KONNECT_CONTROL_PLANE_NAME: 'cp' })).toEqual(['aigw-validate', 'aigw-sync-konnect']);
    expect(runs({ CI_PIPELINE_SOURCE: 'push', CI_COMMIT_BRANCH: 'feature', CI_DEFAULT_BRANCH: 'main', KONG_ADDR: 'x' })).toEqual(['aigw-validate']);
    for (const name of ['aigw-diff-konnect', 'aigw-sync-konnect']) expect(p.jobs[name].script.some((l) => l.includes('--konnect-token "$KONNECT_TOKEN" --konnect-control-plane-name "$KONNECT_CONTROL_PLANE_NAME"'))).toBe(true);
  });

  it('validate keeps a SARIF report and prints the problems when the file is broken', async () => {
    setRepo('broken.yaml');
    const bad = await runGitlabJob(GITLAB, 'aigw-validate', vars({}), repo, base, install);
    expect(bad.code).toBe(1);
    expect(bad.stdout).toContain('kong-ai.yaml:5:14  error    AIGW_TYPE  expected an integer');
    const sarif = JSON.parse(readFileSync(join(repo, 'aigw-validate.sarif'), 'utf8')) as { version: string; runs: Array<{ results: Array<{ ruleId: string }> }> };
    expect(sarif.version).toBe('2.1.0');
    expect(sarif.runs[0].results.map((r) => r.ruleId)).toEqual(['AIGW_TYPE']);
    expect(gitlabPipeline(GITLAB).jobs['aigw-validate'].artifacts).toMatchObject({ when: 'always', paths: ['aigw-validate.sarif'] });
    setRepo('kong-ai.yaml');
    expect((await runGitlabJob(GITLAB, 'aigw-validate', vars({}), repo, base, install)).code).toBe(0);
  });

  it('a merge request gets the diff as a note; the default branch syncs', async () => {
    setRepo('kong-ai.yaml', (t) => t.replace('name: gpt-4o', 'name: gpt-4o-mini'));
    const diff = await runGitlabJob(GITLAB, 'aigw-diff-kong', vars({ CI_PIPELINE_SOURCE: 'merge_request_event', CI_MERGE_REQUEST_IID: '7' }), repo, base, install);
    expect(diff.code, diff.stderr).toBe(0);
    const note = gitlabApi.seen.at(-1);
    expect(note?.url).toBe('/api/v4/projects/42/merge_requests/7/notes');
    expect(note?.headers['private-token']).toBe('glpat-test');
    const body = new URLSearchParams(note?.body ?? '').get('body');
    expect(body).toBe(readFileSync(join(repo, 'aigw-diff.md'), 'utf8'));
    expect(body).toContain('- config.model.name: "gpt-4o"\n+ config.model.name: "gpt-4o-mini"');
    expect(body).not.toContain(OPENAI_KEY);

    const sync = await runGitlabJob(GITLAB, 'aigw-sync-kong', vars({ CI_COMMIT_BRANCH: 'main' }), repo, base, install);
    expect(sync.code, sync.stderr).toBe(0);
    const again = await bash('aigw diff kong-ai.yaml --exit-code', repo, { ...base, AIGW_KONG_ADDR: admin, AIGW_ADMIN_TOKEN: TOKEN, AIGW_OPENAI_API_KEY: OPENAI_KEY });
    expect(again.code, again.stdout).toBe(0);
  });
});

describe('pre-commit hooks (.pre-commit-hooks.yaml)', { timeout: 120_000 }, () => {
  const hooks = parse(HOOKS) as Array<{ id: string; entry: string; language: string; files: string; require_serial?: boolean }>;

  it('are node hooks that pre-commit can install from this repository', () => {
    expect(hooks.map((h) => h.id)).toEqual(['aigw-validate', 'aigw-validate-kong']);
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { bin: Record<string, string>; scripts: Record<string, string> };
    // pre-commit runs `npm install` in a clone (which runs `prepare`: the build), `npm pack`, then `npm install -g` the pack
    expect(pkg.bin.aigw).toBe('dist/bin/aigw.js');
    expect(pkg.scripts.prepare).toBe('npm run build');
    // pre-commit < 4.6.1 reads the tarball's name from `npm pack`'s stdout: the build must not print there
    expect(readFileSync(join(ROOT, '.npmrc'), 'utf8')).toMatch(/^foreground-scripts=false$/m);
    for (const h of hooks) {
      expect(h.language).toBe('node');
      expect(h.entry.startsWith('aigw validate --mock-env')).toBe(true);
      expect(h.require_serial).toBe(true);
    }
  });

  it('pick state files by name and validate them as pre-commit runs them', async () => {
    const files = new RegExp(hooks[0].files);
    const staged = ['kong-ai.yaml', 'config/kong.yml', 'deck/services.json', 'package.json', 'docker-compose.yaml', 'src/kong.ts'];
    expect(staged.filter((f) => files.test(f))).toEqual(['kong-ai.yaml', 'config/kong.yml', 'deck/services.json']);
    setRepo('kong-ai.yaml');
    // pre-commit passes the matching files after the entry; env values are not needed (--mock-env)
    const good = await bash(`${hooks[0].entry} kong-ai.yaml`, repo, base);
    expect(good.code, good.stderr).toBe(0);
    setRepo('broken.yaml');
    const bad = await bash(`${hooks[1].entry} kong-ai.yaml`, repo, base);
    expect(bad.code).toBe(1);
    expect(bad.stdout).toContain('kong-ai.yaml:5:14  error    AIGW_TYPE  expected an integer');
  });
});

describe('a masked dump used as input', { timeout: 120_000 }, () => {
  it('is refused with one message that says how to get a restorable one', async () => {
    setRepo('kong-ai.yaml');
    const env = { ...base, AIGW_KONG_ADDR: admin, AIGW_ADMIN_TOKEN: TOKEN, AIGW_OPENAI_API_KEY: OPENAI_KEY };
    const dump = await bash('aigw dump -o dump.yaml', repo, env);
    expect(dump.stderr).toContain('use --show-secrets for a restorable dump');
    for (const cmd of ['validate dump.yaml', 'diff dump.yaml', 'sync dump.yaml']) {
      const r = await bash(`aigw ${cmd}`, repo, env);
      expect(r.code).toBe(1);
      const text = r.stdout + r.stderr;
      expect(text.match(/AIGW_MASKED_INPUT/g)).toHaveLength(1);
      expect(text).toContain('dump.yaml holds masked secrets');
      expect(text).toContain('aigw dump --show-secrets -o dump.yaml');
      expect(text).not.toContain('defined more than once');
    }
    expect(existsSync(join(repo, 'dump.yaml'))).toBe(true);
    const restorable = await bash('aigw dump --show-secrets -o full.yaml && aigw diff full.yaml --exit-code', repo, env);
    expect(restorable.code, restorable.stderr).toBe(0);
  });
});
