import type { Command } from './types.js';

/**
 * THE command list. Each command lives in its own file and is loaded only when invoked, so that
 * `aigw --version` and `aigw validate` do not pay for the gateway's imports.
 */
export const COMMANDS: Record<string, { summary: string; load: () => Promise<Command> }> = {
  validate: { summary: 'check state files offline and report every problem with file:line:col', load: async () => (await import('./validate.js')).command },
  serve: { summary: 'run state files as an embedded Kong-compatible AI gateway, with hot reload', load: async () => (await import('./serve.js')).command },
  diff: { summary: 'show what sync would change (exit 2 with --exit-code on drift)', load: async () => (await import('./diff.js')).command },
  sync: { summary: 'make the gateway match the state files', load: async () => (await import('./sync.js')).command },
  dump: { summary: "write the gateway's configuration as a state file", load: async () => (await import('./dump.js')).command },
  ping: { summary: 'check the Admin API; print version, edition, database mode', load: async () => (await import('./ping.js')).command },
  reset: { summary: 'delete every entity (scoped by --select-tag); asks unless --yes', load: async () => (await import('./reset.js')).command },
  render: { summary: 'print the merged, normalised state with Kong defaults filled (secrets masked)', load: async () => (await import('./render.js')).command },
  mock: { summary: 'run a local mock LLM server speaking every supported provider wire format', load: async () => (await import('./mock.js')).command },
};
