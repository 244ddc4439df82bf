/**
 * Runs the commands of aigw's CI recipes (docs/ci/*.yml) the way their CI service would, without
 * the service: a GitHub Actions job's `run:` steps (with `env:` and `if:` worked out) and a GitLab
 * CI job's `before_script`/`script` lines (with `rules: if:`), each in bash with the service's
 * error options, in a fixture repository. Only the expression forms the recipes use are
 * understood; anything else throws, so a recipe change that needs more fails the test.
 */
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { parse } from 'yaml';

export interface StepResult {
  name: string;
  ran: boolean;
  code: number;
  stdout: string;
  stderr: string;
}

/** Put an `aigw` on the PATH that runs this checkout's build (what `npm install -g aigw` provides). */
export function aigwShim(dir: string, bin: string): string {
  const binDir = join(dir, 'shim-bin');
  mkdirSync(binDir, { recursive: true });
  writeFileSync(join(binDir, 'aigw'), `#!/bin/sh\nexec "${process.execPath}" "${bin}" "$@"\n`);
  chmodSync(join(binDir, 'aigw'), 0o755);
  return binDir;
}

export async function bash(script: string, cwd: string, env: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }> {
  const r = await execa('bash', ['--noprofile', '--norc', '-eo', 'pipefail', '-c', script], { cwd, env, extendEnv: false, reject: false });
  return { code: r.exitCode ?? 1, stdout: String(r.stdout), stderr: String(r.stderr) };
}

// ---------------------------------------------------------------- GitHub Actions

export interface GithubContext {
  github: Record<string, string>;
  vars: Record<string, string>;
  secrets: Record<string, string>;
}

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj => (v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : {});

function lookup(path: string, ctx: GithubContext): string {
  const [scope, key, ...rest] = path.split('.');
  if (rest.length > 0 || !(scope === 'github' || scope === 'vars' || scope === 'secrets')) throw new Error(`unsupported expression ${path}`);
  return ctx[scope][key] ?? '';
}

/** `${{ secrets.X }}`, `${{ vars.X }}`, `${{ github.X }}` inside a string. */
export function expandGithub(text: string, ctx: GithubContext): string {
  return text.replace(/\$\{\{\s*([^}]+?)\s*\}\}/g, (_m, expr: string) => lookup(expr, ctx));
}

/** `a == 'x'`, `a != ''`, joined by `&&`. */
export function githubIf(expr: unknown, ctx: GithubContext): boolean {
  if (expr === undefined) return true;
  return String(expr).split('&&').every((clause) => {
    const m = /^\s*([\w.]+)\s*(==|!=)\s*'([^']*)'\s*$/.exec(clause);
    if (m === null) throw new Error(`unsupported if: ${clause}`);
    const value = lookup(m[1], ctx);
    return m[2] === '==' ? value === m[3] : value !== m[3];
  });
}

export interface GithubStep {
  name?: string;
  run?: string;
  uses?: string;
  if?: string;
  env?: Obj;
  with?: Obj;
}

export function githubWorkflow(text: string): { env: Obj; jobs: Record<string, { if?: string; env?: Obj; steps: GithubStep[] }> } {
  const doc = obj(parse(text));
  return { env: obj(doc.env), jobs: obj(doc.jobs) as Record<string, { if?: string; env?: Obj; steps: GithubStep[] }> };
}

/**
 * Run a job's `run:` steps in order, as the runner would: workflow, job and step `env:` (with
 * expressions expanded), step `if:` conditions, stop at the first failure. `skip` names steps
 * not to run (they are reported with ran: false).
 */
export async function runGithubJob(text: string, jobName: string, ctx: GithubContext, cwd: string, base: Record<string, string>, skip: (s: GithubStep) => boolean): Promise<StepResult[]> {
  const wf = githubWorkflow(text);
  const job = wf.jobs[jobName];
  const envOf = (o: Obj) => Object.fromEntries(Object.entries(o).map(([k, v]) => [k, expandGithub(String(v), ctx)]));
  const jobEnv = { ...envOf(wf.env), ...envOf(obj(job.env)) };
  const out: StepResult[] = [];
  for (const step of job.steps) {
    const name = step.name ?? step.uses ?? step.run ?? '?';
    if (step.run === undefined || skip(step) || !githubIf(step.if, ctx)) {
      out.push({ name, ran: false, code: 0, stdout: '', stderr: '' });
      continue;
    }
    const r = await bash(step.run, cwd, { ...base, ...jobEnv, ...envOf(obj(step.env)), GITHUB_ACTIONS: 'true', CI: 'true' });
    out.push({ name, ran: true, ...r });
    if (r.code !== 0) break;
  }
  return out;
}

// ---------------------------------------------------------------- GitLab CI

/** `$A == "x"`, `$A == $B`, `$A` (set and not empty), joined by `&&`. */
export function gitlabIf(expr: string, vars: Record<string, string>): boolean {
  const value = (t: string): string => (t.startsWith('$') ? (vars[t.slice(1)] ?? '') : /^"(.*)"$/.exec(t)?.[1] ?? ((): string => { throw new Error(`unsupported operand ${t}`); })());
  return expr.split('&&').every((clause) => {
    const parts = clause.trim().split(/\s*(==|!=)\s*/);
    if (parts.length === 1) return value(parts[0]) !== '';
    if (parts.length !== 3) throw new Error(`unsupported rule ${clause}`);
    return parts[1] === '==' ? value(parts[0]) === value(parts[2]) : value(parts[0]) !== value(parts[2]);
  });
}

export interface GitlabJob {
  script: string[];
  before_script?: string[];
  rules?: Array<{ if: string }>;
  extends?: string;
  artifacts?: Obj;
}

export function gitlabPipeline(text: string): { variables: Record<string, string>; default: { before_script?: string[] }; jobs: Record<string, GitlabJob> } {
  const doc = obj(parse(text));
  const jobs: Record<string, GitlabJob> = {};
  for (const [k, v] of Object.entries(doc)) {
    if (['variables', 'stages', 'default', 'include', 'workflow'].includes(k) || k.startsWith('.')) continue;
    const job = obj(v) as unknown as GitlabJob;
    jobs[k] = job.extends === undefined ? job : ({ ...(obj(doc[job.extends]) as unknown as GitlabJob), ...job } as GitlabJob);
  }
  return { variables: obj(doc.variables) as Record<string, string>, default: obj(doc.default) as { before_script?: string[] }, jobs };
}

/** Whether the job's rules let it run with these variables (no rules: always). */
export function gitlabRuns(job: GitlabJob, vars: Record<string, string>): boolean {
  return job.rules === undefined || job.rules.some((r) => gitlabIf(r.if, vars));
}

/** The job's script lines after the default before_script (minus `skip`), run as the runner's bash does. */
export async function runGitlabJob(text: string, jobName: string, vars: Record<string, string>, cwd: string, base: Record<string, string>, skip: (line: string) => boolean): Promise<{ code: number; stdout: string; stderr: string }> {
  const p = gitlabPipeline(text);
  const job = p.jobs[jobName];
  const lines = [...(job.before_script ?? p.default.before_script ?? []), ...job.script].filter((l) => !skip(l));
  return bash(lines.join('\n'), cwd, { ...base, ...p.variables, ...vars, GITLAB_CI: 'true', CI: 'true' });
}
