/**
 * `aigw file …` — decK's file subcommands, run with the built CLI against the goldens in
 * fixtures/deck-file/expected (reviewed by hand; this test never writes them), plus their errors.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';

const root = join(__dirname, '..', '..', '..');
const dir = join(root, 'fixtures', 'deck-file');
const bin = join(root, 'dist', 'bin', 'aigw.js');

interface Case {
  name: string;
  args: string[];
  ext?: string;
  stderr?: boolean;
}

const aigw = (args: string[], input?: string) => execa(process.execPath, [bin, ...args], { cwd: dir, reject: false, input, env: { NO_COLOR: '1' }, extendEnv: false });

describe('aigw file … (goldens)', { timeout: 60_000 }, () => {
  const cases = JSON.parse(readFileSync(join(dir, 'cases.json'), 'utf8')) as Case[];
  for (const c of cases) {
    it(c.name, async () => {
      const r = await aigw(c.args);
      expect(r.exitCode, r.stderr).toBe(0);
      expect(`${r.stdout}\n`).toBe(readFileSync(join(dir, 'expected', `${c.name}.${c.ext ?? 'yaml'}`), 'utf8'));
      if (c.stderr) expect(`${r.stderr}\n`).toBe(readFileSync(join(dir, 'expected', `${c.name}.stderr`), 'utf8'));
    });
  }

  it('reads stdin when no -s is given, and writes -o files', async () => {
    const r = await aigw(['file', 'list-tags'], readFileSync(join(dir, 'kong.yaml'), 'utf8'));
    expect(r.stdout).toBe('ai\ndemo');
  });
});

describe('aigw file … errors', { timeout: 60_000 }, () => {
  const cases: Array<[string[], RegExp]> = [
    [['file', 'patch', '-s', 'kong.yaml', '--selector', '$..services[*]'], /if any flags in the group \[selector value\] are set they must all be set/],
    [['file', 'patch', '-s', 'kong.yaml', '--selector', '$..services[*]', '--value', 'read_timeout'], /expected '--value' entry to have format 'key:json-string'/],
    [['file', 'patch', '-s', 'kong.yaml', '--selector', '$..services[*]', '--value', 'name:not-json'], /did you forget to wrap a json-string-value in quotes\?/],
    [['file', 'patch', '-s', 'kong.yaml', '--selector', '$[', '--value', 'a:1'], /selector '\$\[' is not a valid JSONpath expression/],
    [['file', 'patch', '-s', 'kong.yaml'], /must specify at least one of these/],
    [['file', 'namespace', '-s', 'kong.yaml', '--path-prefix', 'team-a'], /the namespace MUST start with '\/'/],
    [['file', 'namespace', '-s', 'kong.yaml', '--path-prefix', '/x', '--selector', '$.services[*]'], /the selectors returned non-route entities; 2/],
    [['file', 'namespace', '-s', 'kong.yaml', '--path-prefix', '/x', '--selector', "$.routes[?@.name=='none']"], /no routes matched the selectors \(use --allow-empty-selectors to suppress this error\)/],
    [['file', 'convert', '--from', 'kong-gateway-2.x', '--to', 'kong-gateway-3.x', '--input-file', 'kong.yaml'], /cannot convert from 'kong-gateway-2.x' to 'kong-gateway-3.x' format/],
    [['file', 'convert', '--from', '3.11', '--to', '3.14'], /invalid value '3.11' for --from/],
    [['file', 'add-plugins', '-s', 'kong.yaml', '--selector', '$..routes[*]'], /--selector flag given, but no --config specified/],
    [['file', 'add-plugins', '-s', 'kong.yaml', '--selector', '$..routes[*]', '--config', '{"name":"cors","route":"raw"}'], /plugin 0 has foreign keys, but they are only supported in the main plugin array/],
    [['file', 'remove-tags', '-s', 'kong.yaml'], /no tags to remove/],
    [['file', 'merge', 'kong.yaml', 'missing.yaml'], /failed to read input file 'missing.yaml'/],
  ];
  for (const [args, message] of cases) {
    it(args.slice(1).join(' '), async () => {
      const r = await aigw(args);
      expect(r.exitCode).toBe(1);
      expect(r.stderr).toMatch(message);
    });
  }
});
