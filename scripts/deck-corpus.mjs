#!/usr/bin/env node
/**
 * decK's integration-test corpus through aigw: `aigw validate` on every decK-accepted Kong 3.x state
 * file, and a round trip (`sync` → `diff` = no change → `dump` → `diff` of the dump = no change)
 * through `aigw serve --db` (files with a `_konnect` block: through the Konnect API test server,
 * test/helpers/konnect-server.ts). Not part of `npm test`; decK's files are read where they are
 * extracted, never copied into this repository.
 *
 * Usage:
 *   npm run build                                   # the harness runs dist/ (the built aigw)
 *   # fetch a Kong/deck checkout, then extract its integration tests (testdata and the *.go tests):
 *   git --git-dir <deck.git> archive HEAD tests/integration | tar -x -C /tmp/deck
 *   nice -n 10 node scripts/deck-corpus.mjs /tmp/deck/tests/integration [--only REGEX] [--json OUT] [--list] [-v]
 *
 * The argument is decK's `tests/integration` folder (its `testdata/` tree and the Go tests next to
 * it); a path ending in `/testdata` is accepted too (the Go tests are then read from its parent).
 * `--only` keeps the files whose path (relative to testdata/) matches; `--list` prints the selection
 * with the reason of each file and stops; `--json` writes every result; `-v` prints each failure's
 * whole output. The output ends with `selected N / validate pass V / round-trip pass R / expected
 * refusals E / unexpected failures U`. Exit code: 0 when every failure is an expected refusal, 1 otherwise.
 *
 * Which files (the rule, from decK's own tests):
 * 1. A file is a candidate when a decK test (sync, apply, diff, dump, reset, validate _test.go)
 *    names it, as a "testdata/…" string literal or a variable holding one, in a test gated on
 *    Kong ≥ 3.0 and < 4: `runWhen(t, "kong"|"enterprise", R)`, `runWhenKongOrKonnect(t, R)`,
 *    `runWhenEnterpriseOrKonnect(t, R)`, `runWhenExpressions(t, R)` (R a literal, or `tc.<field>`
 *    read from the table entry holding the file), or a Konnect-only test (`runWhen(t, "konnect")`,
 *    `runWhenKonnect`) when the file has a `_konnect` block. Tests gated on RBAC or on the AI Gateway
 *    edition (`runWhenRBAC`, `runWhenAIGateway`) do not count.
 * 2. A use is an expected failure when its table entry sets an error field (`expectedError`,
 *    `errorExpected`, `wantErr`… not nil/false/"") or when the first assertion within 6 lines of it
 *    is `require.Error`/`assert.Error`/`EqualError`/`ErrorContains`. A file counts when at least one
 *    use is not an expected failure; files only used as expected failures are listed, not run.
 * 3. The file must be a decK state file (a YAML/JSON object with `_format_version` or an entity
 *    key) and hold no Enterprise- or Konnect-only kind: `_workspace`, `workspaces`, `rbac_*`,
 *    `custom_entities`, `developers`, `files`, `licenses`, `custom_plugins`, `cloned_plugins`,
 *    `ai_models`, `model_providers`, `agents`, `mcp_servers`, `identity_providers`, `policies`, nor
 *    a vault other than Kong's open-source `env` vault.
 * Kong version: `validate` runs at aigw's default profile, with `--kong-version 3.N` when decK's range
 * for the file starts above 3.14 (the `*315*` files decK only syncs to 3.15).
 * Environment: the `DECK_*` values decK's test file sets ("DECK_X": "value" maps, `t.Setenv` with a
 * literal or a constant) are given to aigw; a file whose test sets none is validated with `--mock-env`.
 * Gateway state first: a file decK syncs or applies on top of another (a table entry's first/initial/
 * before file, or a sync/apply earlier in the same test, since its last reset, than the call taking
 * the file or its table field) is round-tripped after
 * syncing that seed; decK's apply tests are applied, not synced, are valid alone or merged with their
 * seed, and only their dump is diffed. A
 * file whose only accepting tests create gateway state in Go (`setupFn`) is skipped. A table entry whose
 * file no sync/apply takes (validate, dump) is seeded with the files the test loop syncs before reading it.
 * decK flags on the call taking the file (`--consumer-group-policy-overrides`) are passed to aigw too.
 * aigw serve gets placeholder values for the variables the file's env-vault references name (it
 * resolves a reference when the write arrives, Kong when the plugin runs).
 * Expected refusals (EXPECTED below, one reason each): a seed holding an Enterprise/Konnect-only
 * kind; Enterprise-only plugins (degraphql); Kong 3.15-only fields into aigw serve (Kong 3.14); files
 * decK accepts for Kong < 3.4 only; sync of a `_format_version: "1.1"` file (decK's sync refuses it too).
 */
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command as Commander, Option } from 'commander';
import { parseAllDocuments } from 'yaml';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const DIST = join(ROOT, 'dist', 'src');

// ---------------------------------------------------------------- arguments
const argv = process.argv.slice(2);
const flag = (name) => {
  const i = argv.indexOf(name);
  if (i < 0) return undefined;
  const v = argv[i + 1];
  argv.splice(i, 2);
  return v;
};
const only = flag('--only');
const jsonOut = flag('--json');
const listOnly = argv.includes('--list');
const verbose = argv.includes('-v');
const positional = argv.filter((a) => !a.startsWith('-'));
if (positional.length !== 1) {
  process.stderr.write('usage: node scripts/deck-corpus.mjs <deck>/tests/integration [--only REGEX] [--json OUT] [--list] [-v]\n');
  process.exit(2);
}
let integration = resolve(positional[0]);
if (basename(integration) === 'testdata') integration = dirname(integration);
const testdata = join(integration, 'testdata');
if (!existsSync(testdata)) {
  process.stderr.write(`no testdata/ under ${integration}\n`);
  process.exit(2);
}
if (!existsSync(join(DIST, 'commands', 'sync.js'))) {
  process.stderr.write('dist/ is missing: run `npm run build` first\n');
  process.exit(2);
}

// ---------------------------------------------------------------- semver ranges (blang/semver's syntax)
const parseV = (s) => s.replace(/^v/, '').split(/[.-]/).slice(0, 3).map((x) => Number.parseInt(x, 10) || 0);
const cmp = (a, b) => a[0] - b[0] || a[1] - b[1] || a[2] - b[2];
function satisfies(range, v) {
  if (range.trim() === '') return true;
  return range.split('||').some((alt) =>
    alt.trim().split(/\s+/).filter(Boolean).every((term) => {
      const m = /^(>=|<=|>|<|==|=|!=|!)?\s*(.+)$/.exec(term);
      const c = cmp(v, parseV(m[2]));
      switch (m[1]) {
        case '>=': return c >= 0;
        case '<=': return c <= 0;
        case '>': return c > 0;
        case '<': return c < 0;
        case '!': case '!=': return c !== 0;
        default: return c === 0;
      }
    }),
  );
}
/** Kong 3.x versions a range admits (3.0.0 … 3.20.x). */
const KONG3 = [];
for (let minor = 0; minor <= 20; minor++) for (const patch of [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10]) KONG3.push([3, minor, patch]);
const kong3In = (range) => KONG3.filter((v) => satisfies(range, v));

// ---------------------------------------------------------------- decK's tests → which files it accepts
const GO_TESTS = ['sync_test.go', 'apply_test.go', 'diff_test.go', 'dump_test.go', 'reset_test.go', 'validate_test.go'];
const GATES = [
  { re: /runWhen\(t,\s*"(kong|enterprise|konnect)"\s*,\s*([^)]*)\)/g, modes: (m) => [m[1]], range: (m) => m[2] },
  { re: /runWhenKongOrKonnect\(t,\s*([^)]*)\)/g, modes: () => ['kong', 'konnect'], range: (m) => m[1] },
  { re: /runWhenEnterpriseOrKonnect\(t,\s*([^)]*)\)/g, modes: () => ['enterprise', 'konnect'], range: (m) => m[1] },
  { re: /runWhenExpressions\(t,\s*([^)]*)\)/g, modes: () => ['expressions'], range: (m) => m[1] },
  { re: /runWhenKonnect\(t\)/g, modes: () => ['konnect'], range: () => '""' },
  { re: /runWhenRBAC\(t,\s*([^)]*)\)/g, modes: () => ['rbac'], range: (m) => m[1] },
  { re: /runWhenAIGateway\(t,\s*([^)]*)\)/g, modes: () => ['ai-gateway'], range: (m) => m[1] },
  { re: /kong\.RunWhenKong\(t,\s*([^)]*)\)/g, modes: () => ['kong'], range: (m) => m[1] },
  { re: /kong\.RunWhenEnterprise\(t,\s*([^,)]*)/g, modes: () => ['enterprise'], range: (m) => m[1] },
];
const ERROR_FIELD = /\b(expectedError|errorExpected|expectedErr|wantErr|expectError|expectedErrMsg|errorString|errMsg|wantError)\w*\s*:\s*(?!nil\b|false\b|""|``)\S/;

/** The `{ … }` blocks enclosing offset p, innermost first, as [start, end) offsets. */
function enclosingBlocks(text, p) {
  const out = [];
  let depth = 0;
  for (let i = p - 1; i >= 0; i--) {
    const ch = text[i];
    if (ch === '}') depth++;
    else if (ch === '{') {
      if (depth === 0) {
        let d = 0;
        let j = i;
        for (; j < text.length; j++) {
          if (text[j] === '{') d++;
          else if (text[j] === '}' && --d === 0) break;
        }
        out.push([i, j + 1]);
      } else depth--;
    }
  }
  return out;
}
const stringValue = (s) => {
  const m = /^\s*"([^"]*)"\s*$/.exec(s) ?? /^\s*`([^`]*)`\s*$/.exec(s);
  return m ? m[1] : null;
};

/** The first assertion within 6 lines of a call expects an error. */
function expectsError(body, at) {
  const first = body.slice(at).split('\n').slice(0, 6).find((l) => /Error\w*\(/.test(l));
  return first !== undefined && !/NoError/.test(first) && /(require|assert)\.(Error|EqualError|ErrorContains)/.test(first);
}

function readGoTests() {
  /** testdata-relative path → { uses: [{test, modes, range, fail}], env } */
  const files = new Map();
  for (const name of GO_TESTS) {
    const path = join(integration, name);
    if (!existsSync(path)) continue;
    const text = readFileSync(path, 'utf8');
    const globals = new Map();
    for (const m of text.matchAll(/(\w+)\s*(?::=|=)\s*"(testdata\/[^"]+)"/g)) globals.set(m[1], m[2]);
    const consts = new Map([...text.matchAll(/(\w+)\s*=\s*`([^`]*)`/g)].map((m) => [m[1], m[2]]));
    // the DECK_* values the file sets anywhere (package-level maps such as diff_test.go's diffEnvVars)
    const fileEnv = Object.fromEntries([...text.matchAll(/"((?:DECK|KONG)_\w+)"\s*:\s*"([^"]*)"/g)].map((m) => [m[1], m[2]]));
    const starts = [...text.matchAll(/^func (\w+)/gm)].map((m) => ({ name: m[1], at: m.index }));
    starts.forEach((fn, i) => {
      const body = text.slice(fn.at, i + 1 < starts.length ? starts[i + 1].at : text.length);
      const gates = [];
      for (const g of GATES) for (const m of body.matchAll(g.re)) gates.push({ at: m.index, modes: g.modes(m), range: g.range(m).trim() });
      gates.sort((a, b) => a.at - b.at);
      const env = { ...fileEnv, ...Object.fromEntries([...body.matchAll(/"((?:DECK|KONG)_\w+)"\s*:\s*"([^"]*)"/g)].map((m) => [m[1], m[2]])) };
      // the first value a test sets (t.Setenv with a literal or a constant)
      for (const m of body.matchAll(/t\.Setenv\("((?:DECK|KONG)_\w+)",\s*(?:"([^"]*)"|(\w+))\)/g)) {
        const v = m[2] ?? consts.get(m[3]);
        if (v !== undefined && !(m[1] in env && !(m[1] in fileEnv))) env[m[1]] = v;
      }
      const uses = [];
      for (const m of body.matchAll(/"(testdata\/[^"]+)"/g)) uses.push({ at: m.index, path: m[1] });
      for (const [v, p] of globals) for (const m of body.matchAll(new RegExp(`(?<![\\w."])${v}(?![\\w"])`, 'g'))) uses.push({ at: m.index, path: p });
      uses.sort((a, b) => a.at - b.at);
      for (const use of uses) {
        const line = body.slice(body.lastIndexOf('\n', use.at) + 1, body.indexOf('\n', use.at));
        if (/^\s*\w+\s*(?::=|=)\s*"testdata/.test(line)) continue; // the variable's definition
        const inTable = /^\s*\w+\s*:\s/.test(line);
        const field = /^\s*(\w+)\s*:/.exec(line)?.[1] ?? '';
        const blocks = enclosingBlocks(body, use.at);
        const entryBlock = inTable ? blocks[0] : undefined;
        const before = gates.filter((g) => g.at < use.at);
        const after = gates.filter((g) => g.at > use.at);
        // a table entry may gate itself (`runWhen: func(t) { runWhen(t, "kong", ">=3.0.0") }`)
        const own = entryBlock ? gates.find((g) => g.at > entryBlock[0] && g.at < entryBlock[1]) : undefined;
        const gate = own ?? (inTable ? (after[0] ?? before.at(-1)) : (before.at(-1) ?? after[0]));
        if (!gate) continue;
        // what decK's test puts on the gateway first: the entry's first/initial/before file, state its
        // setup function creates, or (a call) the files synced or applied earlier since the last reset
        const seeds = [];
        let setup = false;
        if (entryBlock) {
          const entryText = body.slice(entryBlock[0], entryBlock[1]);
          setup = /\bsetup\w*\s*:\s*func/i.test(entryText);
          if (!/^(first|initial|before|seed|base|setup)/i.test(field) && !/expected/i.test(field))
            for (const m of entryText.matchAll(/\b(first|initial|before|seed|base)\w*\s*:\s*"(testdata\/[^"]+)"/gi)) seeds.push(m[2].replace(/^testdata\//, ''));
        }
        // a call: the files synced before it; a table entry: those synced before the call that takes its field
        const call = entryBlock ? new RegExp(`\\b(sync|apply|syncWithOutput)\\w*\\([^,)]*,\\s*(?:tc|tt|test)\\.${field}\\b`).exec(body) : null;
        // a table entry whose field no sync/apply takes (validate, diff, dump): the files the loop syncs before reading it
        const read = entryBlock && !call ? new RegExp(`\\b(?:tc|tt|test)\\.${field}\\b`, 'g') : null;
        if (read) read.lastIndex = entryBlock[1];
        const callAt = entryBlock ? (call?.index ?? read?.exec(body)?.index ?? -1) : /\b(sync|apply|syncWithOutput)\w*\(/.test(line) ? use.at : -1;
        if (seeds.length === 0 && callAt > 0) {
          const since = Math.max(body.lastIndexOf('reset(t', callAt), body.lastIndexOf('t.Run(', callAt), 0);
          for (const u of uses) {
            if (u.at <= since || u.at >= callAt) continue;
            const l = body.slice(body.lastIndexOf('\n', u.at) + 1, body.indexOf('\n', u.at));
            if (/\b(sync|apply|syncWithOutput)\w*\(/.test(l) && !expectsError(body, u.at)) seeds.push(u.path.replace(/^testdata\//, ''));
          }
        }
        // decK's flags on the call that takes the file (its arguments, up to the call's end)
        const callText = callAt > 0 ? body.slice(callAt, body.indexOf('))', callAt) + 2) : '';
        const flags = ['--consumer-group-policy-overrides'].filter((f) => callText.includes(`"${f}"`));
        const applied = /\bapply\(/.test(line) || call?.[1] === 'apply' || (entryBlock !== undefined && name === 'apply_test.go' && /second/i.test(field));
        let range = stringValue(gate.range);
        if (range === null) {
          const field = /^(?:tc|tt|test)\.(\w+)$/.exec(gate.range)?.[1] ?? gate.range;
          for (const [s, e] of blocks) {
            const f = new RegExp(`\\b${field}\\s*:\\s*("[^"]*")`).exec(body.slice(s, e));
            if (f) { range = stringValue(f[1]); break; }
          }
        }
        if (range === null) range = '';
        let fail = false;
        if (inTable && blocks.length > 0) {
          const [s, e] = blocks[0];
          fail = ERROR_FIELD.test(body.slice(s, e));
        } else {
          fail = expectsError(body, use.at);
        }
        const rel = use.path.replace(/^testdata\//, '');
        const entry = files.get(rel) ?? { uses: [], env: {} };
        entry.uses.push({ test: `${name.replace(/_test\.go$/, '')}:${fn.name}`, modes: gate.modes, range, fail, seeds: [...new Set(seeds)].filter((x) => x !== rel), setup, applied, flags });
        Object.assign(entry.env, env);
        files.set(rel, entry);
      }
    });
  }
  return files;
}

// ---------------------------------------------------------------- file content rule
const ENTERPRISE_KEYS = ['_workspace', 'workspaces', 'custom_entities', 'developers', 'files', 'licenses', 'custom_plugins', 'cloned_plugins', 'ai_models', 'model_providers', 'agents', 'mcp_servers', 'identity_providers', 'policies'];
const ENTITY_KEYS = ['services', 'routes', 'consumers', 'consumer_groups', 'plugins', 'upstreams', 'certificates', 'ca_certificates', 'vaults', 'partials', 'key_sets', 'keys', 'snis'];

function readStateFile(abs) {
  let text;
  try {
    text = readFileSync(abs, 'utf8');
  } catch {
    return { error: 'unreadable' };
  }
  let docs;
  try {
    docs = abs.endsWith('.json') ? [JSON.parse(text)] : parseAllDocuments(text).map((d) => d.toJS());
  } catch (e) {
    return { error: `not YAML/JSON: ${e.message}` };
  }
  const doc = docs.find((d) => d !== null && typeof d === 'object' && !Array.isArray(d));
  if (!doc) return { error: 'not a state file (no object)' };
  if (doc._format_version === undefined && !ENTITY_KEYS.some((k) => k in doc)) return { error: 'not a state file' };
  const enterprise = Object.keys(doc).filter((k) => ENTERPRISE_KEYS.includes(k) || k.startsWith('rbac_'));
  for (const v of Array.isArray(doc.vaults) ? doc.vaults : []) if (v?.name !== 'env') enterprise.push(`vault '${v?.name}'`);
  return { doc, enterprise, konnect: doc._konnect !== undefined };
}

function select() {
  const uses = readGoTests();
  const chosen = [];
  const skipped = [];
  for (const [rel, { uses: us, env }] of [...uses].sort(([a], [b]) => a.localeCompare(b))) {
    if (only && !new RegExp(only).test(rel)) continue;
    const abs = join(testdata, rel);
    if (!existsSync(abs) || !statSync(abs).isFile() || !/\.(ya?ml|json)$/.test(rel)) continue;
    const kong = us.filter((u) => u.modes.some((m) => ['kong', 'enterprise', 'expressions'].includes(m)) && kong3In(u.range).length > 0);
    const konnect = us.filter((u) => u.modes.includes('konnect'));
    const content = readStateFile(abs);
    const ok = kong.filter((u) => !u.fail);
    const konnectOk = konnect.filter((u) => !u.fail);
    let why = null;
    if (kong.length === 0 && konnect.length === 0) why = 'not in a Kong 3.x or Konnect test';
    else if (content.error) why = content.error;
    else if (content.enterprise.length > 0) why = `Enterprise/Konnect-only: ${content.enterprise.join(', ')}`;
    else if (ok.length === 0 && !(content.konnect && konnectOk.length > 0)) why = (kong.length > 0 || konnect.length > 0) && us.every((u) => u.fail || !(kong.includes(u) || konnect.includes(u))) ? 'decK expects it to fail' : 'not in a Kong 3.x test (Konnect only, no _konnect block)';
    if (why) {
      skipped.push({ rel, why });
      continue;
    }
    // the recipe: a use whose state decK's test does not create in Go, the fewest seeds first
    const runnable = [...ok, ...(content.konnect ? konnectOk : [])].filter((u) => !u.setup).sort((a, b) => a.seeds.length - b.seeds.length || a.flags.length - b.flags.length);
    if (runnable.length === 0) {
      skipped.push({ rel, why: 'needs gateway state that decK\'s test creates in Go (setupFn)' });
      continue;
    }
    const recipe = runnable[0];
    const versions = ok.flatMap((u) => kong3In(u.range));
    const low = versions.length > 0 ? versions.reduce((a, b) => (cmp(a, b) <= 0 ? a : b)) : null;
    const kongVersion = low !== null && cmp(low, [3, 14, 0]) > 0 && !versions.some((v) => v[1] === 14) ? `3.${low[1]}` : undefined;
    const pre310 = versions.length > 0 && versions.every((v) => v[1] < 10);
    const pre34 = versions.length > 0 && versions.every((v) => v[1] < 4);
    // Enterprise- or Konnect-only kinds in the files synced first (decK's test seeds the gateway with them)
    const seedEnterprise = recipe.seeds.flatMap((x) => readStateFile(join(testdata, x)).enterprise ?? []);
    chosen.push({ rel, abs, env, seeds: recipe.seeds, applied: recipe.applied, flags: recipe.flags, pre310, pre34, seedEnterprise, konnect: content.konnect, doc: content.doc, controlPlane: content.doc._konnect?.control_plane_name ?? content.doc._konnect?.runtime_group_name, kongVersion, tests: [...new Set(us.map((u) => u.test))] });
  }
  return { chosen, skipped };
}

// ---------------------------------------------------------------- running aigw in process
const { bufferIo } = await import(join(DIST, 'cli', 'io.js'));
const commands = {};
for (const n of ['validate', 'sync', 'apply', 'diff', 'dump']) commands[n] = (await import(join(DIST, 'commands', `${n}.js`))).command;
const { serve } = await import(join(DIST, 'commands', 'serve.js'));

/** A command line parsed as `aigw <command>` parses it (the command's options and defaults; no environment). */
function parse(cmd, argv) {
  const sub = new Commander(cmd.name).exitOverride().configureOutput({ writeErr: () => undefined, writeOut: () => undefined });
  if (cmd.args) sub.argument(cmd.args);
  for (const spec of cmd.options) {
    const o = new Option(spec.flags, spec.description);
    if (spec.default !== undefined) o.default(spec.default);
    if (spec.parse) o.argParser(spec.parse);
    sub.addOption(o);
  }
  sub.action(() => undefined);
  sub.parse(argv, { from: 'user' });
  return { args: sub.processedArgs.flat().filter((a) => typeof a === 'string'), opts: sub.opts() };
}
const TOKEN = 'kpat_DeckCorpusHarness0123456789abcdef';

function firstError(text) {
  const lines = text.split('\n').map((l) => l.trim()).filter(Boolean);
  return lines.find((l) => /\berror\b/i.test(l) && !/\bwarning\b/.test(l)) ?? lines.find((l) => /✗|refus|invalid|must|cannot/i.test(l)) ?? lines[0] ?? '(no output)';
}
/** `aigw <name> <argv…>` in this process, its output captured. */
async function run(name, argv, env, cwd) {
  const io = bufferIo({ env: { ...env }, cwd });
  let code;
  try {
    code = await commands[name].run(parse(commands[name], argv), io);
  } catch (e) {
    return { code: e.exitCode ?? 1, out: `${io.stdout()}${io.stderr()}error: ${e.code ?? ''} ${e.message}` };
  }
  return { code, out: `${io.stdout()}${io.stderr()}` };
}

async function validate(f, dir) {
  // the values decK's test sets when it sets any (a placeholder is no integer, no JWK), else --mock-env
  const mock = Object.keys(f.env).length === 0 ? ['--mock-env'] : [];
  const version = f.kongVersion ? ['--kong-version', f.kongVersion] : [];
  const r = await run('validate', [f.abs, ...mock, ...version, ...f.flags], f.env, dir);
  if (r.code === 0 || !f.applied || f.seeds.length === 0) return r.code === 0 ? null : firstError(r.out);
  // a file decK applies on top of its seed may name the seed's entities: valid too when valid merged with it
  const merged = await run('validate', [...f.seeds.map((x) => join(testdata, x)), f.abs, ...mock, ...version, ...f.flags], f.env, dir);
  return merged.code === 0 ? null : firstError(r.out);
}

/**
 * Values for the variables the file's env-vault references name (`{vault://<prefix>/<name>}`): Kong
 * stores such a reference and resolves it when the plugin runs, while aigw serve resolves it when the
 * write arrives and refuses one it cannot (by design: what its Admin API accepts builds). decK's
 * tests run without the variables, so serve is given placeholders.
 */
function vaultEnv(f) {
  const text = readFileSync(f.abs, 'utf8');
  const prefixes = new Map([['env', '']]);
  for (const v of Array.isArray(f.doc.vaults) ? f.doc.vaults : []) if (v?.name === 'env' && typeof v.prefix === 'string') prefixes.set(v.prefix, v.config?.prefix ?? '');
  const env = {};
  for (const m of text.matchAll(/\{vault:\/\/([^/}]+)\/([^/}]+)(?:\/[^}]*)?\}/g)) {
    const prefix = prefixes.get(m[1]);
    if (prefix !== undefined) env[`${prefix}${m[2]}`.toUpperCase().replace(/-/g, '_')] = 'deck-corpus-placeholder';
  }
  return env;
}

/** A fresh `aigw serve --db` (its own SQLite file) for one file; returns its Admin API URL and stop(). */
async function startServe(dir, env = {}) {
  let stop;
  const stopped = new Promise((r) => (stop = r));
  let ready;
  const up = new Promise((r) => (ready = r));
  const io = bufferIo({ cwd: dir, env });
  const done = serve({ args: [], opts: { db: join(dir, 'gw.db'), listen: '127.0.0.1:0', adminListen: '127.0.0.1:0', accessLog: false, watch: false, dashboard: false, logFormat: 'json' } }, io, { stop: stopped, onReady: (u) => ready(u.adminUrl) });
  const adminUrl = await Promise.race([up, done.then(() => { throw new Error(`serve exited: ${io.stderr()}`); })]);
  return { adminUrl, stop: async () => { stop(); await done; } };
}

let konnectModule;
async function startKonnect(controlPlane) {
  if (!konnectModule) {
    const { runnerImport } = await import('vite');
    konnectModule = (await runnerImport(join(ROOT, 'test', 'helpers', 'konnect-server.ts'), { configFile: false, logLevel: 'silent' })).module;
  }
  const srv = await konnectModule.startKonnectServer({ tokens: [TOKEN] });
  if (controlPlane && controlPlane !== 'default') {
    try { srv.controlPlane(controlPlane); } catch { srv.addControlPlane({ name: controlPlane }); }
  }
  return srv;
}

async function roundTrip(f, dir) {
  let target;
  let conn;
  if (f.konnect) {
    target = await startKonnect(f.controlPlane);
    conn = ['--konnect-token', TOKEN, '--konnect-addr', target.url];
  } else {
    target = await startServe(dir, vaultEnv(f));
    conn = ['--kong-addr', target.adminUrl];
  }
  conn.push(...f.flags);
  const dumpConn = f.konnect ? [...conn, '--konnect-control-plane-name', f.controlPlane ?? 'default'] : conn;
  try {
    for (const seed of f.seeds) {
      const r = await run('sync', [join(testdata, seed), ...conn], f.env, dir);
      if (r.code !== 0) return { step: `seed ${seed}`, error: firstError(r.out), out: r.out };
    }
    // decK's apply tests add a file on top of the seed: apply it, and compare only the dump
    const s = await run(f.applied ? 'apply' : 'sync', [f.abs, ...conn], f.env, dir);
    if (s.code !== 0) return { step: f.applied ? 'apply' : 'sync', error: firstError(s.out), out: s.out };
    const d1 = f.applied ? { code: 0, out: '' } : await run('diff', [f.abs, ...conn, '--exit-code'], f.env, dir);
    if (d1.code !== 0) return { step: 'diff', error: firstError(d1.out.split('\n').filter((l) => /^[-+~]|updating|creating|deleting/.test(l.trim())).join('\n') || d1.out), out: d1.out };
    const out = join(dir, 'dump.yaml');
    const dp = await run('dump', [...dumpConn, '--output-file', out, '--show-secrets', '--yes'], f.env, dir);
    if (dp.code !== 0) return { step: 'dump', error: firstError(dp.out), out: dp.out };
    const d2 = await run('diff', [out, ...dumpConn, '--exit-code'], f.env, dir);
    if (d2.code !== 0 && process.env.DECK_CORPUS_SHOW_DUMP) process.stderr.write(readFileSync(out, 'utf8'));
    if (d2.code !== 0) return { step: 'diff of dump', error: firstError(d2.out.split('\n').filter((l) => /^[-+~]|updating|creating|deleting/.test(l.trim())).join('\n') || d2.out), out: d2.out };
    return null;
  } finally {
    if (f.konnect) await target.close();
    else await target.stop();
  }
}

// ---------------------------------------------------------------- expected refusals
/**
 * Failures that are correct refusals or documented limits, not aigw defects; each rule names its
 * reason. A file counts as an expected refusal when every failing step matches one rule.
 */
const EXPECTED = [
  {
    why: 'its seed holds an Enterprise/Konnect-only kind',
    match: (f, step) => f.seedEnterprise.length > 0 && step.startsWith('seed '),
  },
  {
    why: 'an Enterprise-only plugin: aigw serve refuses it as an open-source Kong does',
    match: (f, step, error) => !f.konnect && /plugin '[\w-]+' not enabled/.test(error),
  },
  {
    why: 'Kong 3.15-only fields: aigw serve is Kong 3.14 and refuses them as Kong 3.14 does',
    match: (f, step, error) => !f.konnect && f.kongVersion !== undefined && step === 'sync' && /AIGW_UNKNOWN_FIELD/.test(error),
  },
  {
    why: "decK accepts it for Kong < 3.4 only; against 3.4+ decK refuses it with the same error",
    match: (f, step, error) => f.pre34 && /config\.consumer_groups and\/or config\.enforce_consumer_groups/.test(error),
  },
  {
    why: "_format_version 1.1: decK's sync refuses it against Kong 3.x too (decK only validates it)",
    match: (f, step, error) => step === 'sync' && /cannot apply '1\.1' config format version/.test(error),
  },
];

/** The reason a file's failures are all expected, or null (no failure, or one that is not). */
function expectedRefusal(f, v, rt) {
  const failures = [...(v ? [{ step: 'validate', error: v }] : []), ...(rt ? [{ step: rt.step, error: rt.error }] : [])];
  if (failures.length === 0) return null;
  const whys = failures.map(({ step, error }) => EXPECTED.find((e) => e.match(f, step, error))?.why);
  return whys.every((w) => w !== undefined) ? [...new Set(whys)].join('; ') : null;
}

// ---------------------------------------------------------------- main
const { chosen, skipped } = select();
if (listOnly) {
  for (const f of chosen) process.stdout.write(`run   ${f.rel}${f.konnect ? '  [_konnect]' : ''}${f.kongVersion ? `  --kong-version ${f.kongVersion}` : ''}${f.seeds.length ? `  after ${f.seeds.join(', ')}` : ''}${f.applied ? '  (apply)' : ''}${f.flags.length ? `  ${f.flags.join(' ')}` : ''}${f.pre310 ? '  (decK: Kong < 3.10 only)' : ''}\n`);
  for (const s of skipped) process.stdout.write(`skip  ${s.rel}  (${s.why})\n`);
  process.stdout.write(`${chosen.length} selected (${chosen.filter((f) => f.konnect).length} with _konnect), ${skipped.length} skipped\n`);
  process.exit(0);
}
const results = [];
for (const f of chosen) {
  const dir = mkdtempSync(join(tmpdir(), 'aigw-deck-corpus-'));
  const t0 = process.hrtime.bigint();
  let v = null;
  let rt = null;
  try {
    v = await validate(f, dir);
    let timer;
    const limit = new Promise((_, reject) => (timer = setTimeout(() => reject(new Error('timed out after 60 s')), 60_000)));
    try {
      rt = await Promise.race([roundTrip(f, dir), limit]);
    } finally {
      clearTimeout(timer);
    }
  } catch (e) {
    rt = { step: 'harness', error: e.message };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  const expected = expectedRefusal(f, v, rt);
  results.push({ file: f.rel, konnect: f.konnect, kongVersion: f.kongVersion ?? null, pre310: f.pre310, validate: v, roundTrip: rt && { step: rt.step, error: rt.error }, expected, ms: Math.round(ms) });
  const mark = (x) => (x ? 'FAIL' : 'ok');
  process.stdout.write(`${mark(v).padEnd(5)}${mark(rt).padEnd(5)}${f.rel}${f.konnect ? ' [konnect]' : ''}${expected ? `  (expected: ${expected})` : ''}\n`);
  if (verbose && rt?.out) process.stdout.write(`${rt.out.replace(/^/gm, '      ')}\n`);
}

const plain = results.filter((r) => !r.konnect);
const kon = results.filter((r) => r.konnect);
const count = (rs, k) => rs.filter((r) => r[k] === null).length;
process.stdout.write('\n| set | files | validate | round trip |\n|---|---:|---:|---:|\n');
process.stdout.write(`| Kong 3.x (aigw serve --db) | ${plain.length} | ${count(plain, 'validate')} | ${count(plain, 'roundTrip')} |\n`);
process.stdout.write(`| _konnect (Konnect test server) | ${kon.length} | ${count(kon, 'validate')} | ${count(kon, 'roundTrip')} |\n`);
process.stdout.write(`| all | ${results.length} | ${count(results, 'validate')} | ${count(results, 'roundTrip')} |\n`);
const failures = results.filter((r) => r.validate || r.roundTrip);
const unexpected = failures.filter((r) => r.expected === null);
const expectedOnes = failures.filter((r) => r.expected !== null);
const table = (rows, title) => {
  if (rows.length === 0) return;
  process.stdout.write(`\n${title}\n\n| file | step | first error |\n|---|---|---|\n`);
  for (const r of rows) {
    const file = `${r.file}${r.pre310 ? ' (decK: Kong < 3.10 only)' : ''}`;
    if (r.validate) process.stdout.write(`| ${file} | validate${r.kongVersion ? ` --kong-version ${r.kongVersion}` : ''} | ${r.validate.replaceAll('|', '\\|')} |\n`);
    if (r.roundTrip) process.stdout.write(`| ${file} | ${r.roundTrip.step}${r.konnect ? ' (Konnect)' : ''} | ${r.roundTrip.error.replaceAll('|', '\\|')} |\n`);
  }
};
table(unexpected, 'Failures:');
if (expectedOnes.length > 0) {
  process.stdout.write('\nExpected refusals (correct refusals and documented limits, not defects):\n\n| file | why |\n|---|---|\n');
  for (const r of expectedOnes) process.stdout.write(`| ${r.file} | ${r.expected} |\n`);
}
process.stdout.write(`\n${skipped.length} files skipped (run with --list for the reasons)\n`);
if (jsonOut) writeFileSync(jsonOut, `${JSON.stringify({ integration: relative(process.cwd(), integration), results, skipped }, null, 2)}\n`);
process.stdout.write(`\nselected ${results.length} / validate pass ${count(results, 'validate')} / round-trip pass ${count(results, 'roundTrip')} / expected refusals ${expectedOnes.length} / unexpected failures ${unexpected.length}\n`);
process.exitCode = unexpected.length > 0 ? 1 : 0;
