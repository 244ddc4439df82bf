// bench/validate: a generated 10,000-entity file, validated by aigw versus a bare YAML parse of the
// same file, in one run; plus the cold start of `aigw --version`. Run from the repo root after
// `npm run build`:  node bench/validate/run.mjs [entities]
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execFileSync } from 'node:child_process';
import { parse } from 'yaml';
import { generateYaml, countEntities, generateState } from './generate.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const { loadState } = await import(join(root, 'dist/src/config/index.js'));
const n = Number(process.argv[2] ?? 10_000);
const dir = mkdtempSync(join(tmpdir(), 'aigw-bench-'));
const file = join(dir, 'kong.yaml');
const text = generateYaml(n);
writeFileSync(file, text);
const entities = countEntities(generateState(n));

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
async function time(fn, runs) {
  const out = [];
  for (let i = 0; i < runs; i++) {
    const t0 = process.hrtime.bigint();
    await fn();
    out.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  return out;
}

// warm up both paths (JIT, schema compilation) so the comparison is steady-state
parse(text);
const warm = await loadState([file], { env: {}, cwd: dir });
if (warm.issues.some((i) => i.severity === 'error')) {
  console.error(warm.issues.slice(0, 5));
  throw new Error('generated file did not validate');
}
const runs = 7;
const yamlMs = median(await time(() => parse(text), runs));
const validateMs = median(await time(() => loadState([file], { env: {}, cwd: dir }), runs));

// cold start of the CLI: a fresh node process each time
const bin = join(root, 'dist/bin/aigw.js');
const cold = await time(() => execFileSync(process.execPath, [bin, '--version']), 10);
const nodeBare = await time(() => execFileSync(process.execPath, ['-e', '0']), 10);
const coldValidate = await time(() => execFileSync(process.execPath, [bin, 'validate', file]), 3);

rmSync(dir, { recursive: true, force: true });
const report = {
  entities,
  bytes: text.length,
  yaml_parse_ms: +yamlMs.toFixed(1),
  aigw_validate_ms: +validateMs.toFixed(1),
  ratio: +(validateMs / yamlMs).toFixed(2),
  target_ratio: 3,
  version_cold_start_ms: +median(cold).toFixed(1),
  node_bare_start_ms: +median(nodeBare).toFixed(1),
  validate_cli_cold_ms: +median(coldValidate).toFixed(1),
};
console.log(JSON.stringify(report, null, 2));
