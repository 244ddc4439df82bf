/**
 * Golden scenarios: fixtures/state/NNN-name/{before.yaml?, after.yaml, env.json?, forbidden.json?,
 * expected-plan.json, expected-diff.txt}. Secrets (env values, forbidden.json) must never be printed. Each runs against a real Admin API (createAdminApi on node:http, db mode):
 * sync before → diff after (text must equal expected-diff.txt, plan must equal expected-plan.json)
 * → sync after → diff is empty → dump --show-secrets → diff of the dump is empty.
 * UPDATE_GOLDEN=1 rewrites the expected files; a missing one fails the test.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bufferIo } from '../../../src/cli/io.js';
import { command as diff } from '../../../src/commands/diff.js';
import { command as dump } from '../../../src/commands/dump.js';
import { command as sync } from '../../../src/commands/sync.js';
import { startAdmin, type Running } from '../admin-api/serve.js';

const ROOT = resolve(import.meta.dirname, '../../../fixtures/state');
const UPDATE = process.env.UPDATE_GOLDEN === '1';
const scenarios = readdirSync(ROOT).filter((d) => /^\d{3}-/.test(d) && existsSync(join(ROOT, d, 'after.yaml'))).sort();

interface PlanLine {
  action: string;
  kind: string;
  name: string;
}

function planOf(reportText: string): PlanLine[] {
  const report = JSON.parse(reportText) as { changes: Record<string, Array<{ kind: string; name: string }>> };
  const out: PlanLine[] = [];
  for (const action of ['creating', 'updating', 'deleting']) for (const e of report.changes[action]) out.push({ action, kind: e.kind, name: e.name });
  return out;
}

function golden(path: string, actual: string): void {
  if (UPDATE) writeFileSync(path, actual);
  // a missing expected file fails: a golden test never writes its own expectation
  expect(existsSync(path), `${path} is missing; review the output and write it with UPDATE_GOLDEN=1`).toBe(true);
  expect(actual).toBe(readFileSync(path, 'utf8'));
}

describe.each(scenarios)('scenario %s', (name) => {
  const dir = join(ROOT, name);
  const env: Record<string, string> = existsSync(join(dir, 'env.json')) ? JSON.parse(readFileSync(join(dir, 'env.json'), 'utf8')) : {};
  let s: Running;
  let tmp: string;
  const opts = () => ({ kongAddr: s.url });
  const io = () => bufferIo({ cwd: dir, env });
  beforeAll(async () => {
    s = await startAdmin();
    tmp = mkdtempSync(join(tmpdir(), 'aigw-scenario-'));
  });
  afterAll(async () => {
    await s.close();
    rmSync(tmp, { recursive: true, force: true });
  });

  it('diff and plan match the golden files, sync converges, dump round-trips', async () => {
    if (existsSync(join(dir, 'before.yaml'))) {
      const b = io();
      expect(await sync.run({ args: ['before.yaml'], opts: opts() }, b), b.stderr()).toBe(0);
    }
    const json = io();
    await diff.run({ args: ['after.yaml'], opts: { ...opts(), json: true } }, json);
    const planned = planOf(json.stdout());
    golden(join(dir, 'expected-plan.json'), `${JSON.stringify(planned, null, 2)}\n`);
    const text = io();
    expect(await diff.run({ args: ['after.yaml'], opts: { ...opts(), exitCode: true } }, text), text.stderr()).toBe(planned.length > 0 ? 2 : 0);
    golden(join(dir, 'expected-diff.txt'), text.stdout());
    const forbidden: string[] = existsSync(join(dir, 'forbidden.json')) ? JSON.parse(readFileSync(join(dir, 'forbidden.json'), 'utf8')) : [];
    for (const secret of [...Object.values(env), ...forbidden]) {
      expect(text.stdout()).not.toContain(secret);
      expect(json.stdout()).not.toContain(secret);
    }

    const apply = io();
    expect(await sync.run({ args: ['after.yaml'], opts: opts() }, apply), apply.stderr()).toBe(0);
    const again = io();
    expect(await diff.run({ args: ['after.yaml'], opts: { ...opts(), exitCode: true } }, again)).toBe(0);
    const writes = s.requests.length;
    const noop = io();
    expect(await sync.run({ args: ['after.yaml'], opts: opts() }, noop)).toBe(0);
    expect(s.requests.slice(writes).filter((r) => r.method !== 'GET')).toEqual([]);

    const dumped = io();
    expect(await dump.run({ args: [], opts: { ...opts(), showSecrets: true, outputFile: join(tmp, 'dump.yaml') } }, dumped)).toBe(0);
    const roundTrip = io();
    expect(await diff.run({ args: [join(tmp, 'dump.yaml')], opts: { ...opts(), exitCode: true } }, roundTrip), roundTrip.stdout() + roundTrip.stderr()).toBe(0);
  });
});
