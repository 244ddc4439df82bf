import type { Command } from './types.js';

type Entry = { summary: string; load: () => Promise<Command> };

/**
 * THE command list. Each command lives in its own file and is loaded only when invoked, so that
 * `aigw --version` and `aigw validate` do not pay for the gateway's imports.
 */
export const COMMANDS: Record<string, Entry> = {
  validate: { summary: 'check state files offline and report every problem with file:line:col', load: async () => (await import('./validate.js')).command },
  serve: {
    summary: 'run state files as an embedded Kong-compatible AI gateway, with hot reload',
    load: async () => {
      // before the gateway's modules load (see startup-heap.ts)
      (await import('../gateway/startup-heap.js')).holdYoungGeneration();
      (await import('../gateway/old-generation.js')).holdOldGenerationGrowth();
      return (await import('./serve.js')).command;
    },
  },
  diff: { summary: 'show what sync would change (exit 2 with --non-zero-exit-code on drift)', load: async () => (await import('./diff.js')).command },
  sync: { summary: 'make the gateway (or Konnect control plane) match the state files', load: async () => (await import('./sync.js')).command },
  dump: { summary: "write the gateway's configuration as a state file", load: async () => (await import('./dump.js')).command },
  ping: { summary: 'check the Admin API or Konnect; print version, edition, database mode', load: async () => (await import('./ping.js')).command },
  reset: { summary: 'delete every entity (scoped by --select-tag); asks unless --force', load: async () => (await import('./reset.js')).command },
  render: { summary: 'print the merged, normalised state with Kong defaults filled (secrets masked)', load: async () => (await import('./render.js')).command },
  mock: { summary: 'run a local mock LLM server speaking every supported provider wire format', load: async () => (await import('./mock.js')).command },
};

/** decK's command namespaces: `aigw gateway sync …`, `aigw file merge …`. */
export const GROUPS: Record<string, { summary: string; commands: Record<string, Entry> }> = {
  gateway: {
    summary: 'talk to a Kong Admin API or a Konnect control plane (decK: deck gateway …)',
    commands: {
      sync: COMMANDS.sync,
      diff: COMMANDS.diff,
      dump: COMMANDS.dump,
      ping: COMMANDS.ping,
      reset: COMMANDS.reset,
      validate: { summary: "check every entity with the target's own validator (online)", load: async () => (await import('./gateway-validate.js')).command },
      apply: { summary: 'create and update the entities of the files; never delete', load: async () => (await import('./apply.js')).command },
    },
  },
  file: {
    summary: 'work on state files offline (decK: deck file …)',
    commands: {
      validate: COMMANDS.validate,
      render: { summary: 'combine state files into one rendered file (env values mocked unless --populate-env-vars)', load: async () => (await import('./render.js')).fileCommand },
      convert: { summary: 'convert a decK file between Kong versions (3.10 → 3.14 pins the changed defaults)', load: async () => (await import('./file/convert.js')).command },
      merge: { summary: 'merge decK files into one', load: async () => (await import('./file/merge.js')).command },
      patch: { summary: 'set, remove or append values on selected objects', load: async () => (await import('./file/patch.js')).command },
      'add-tags': { summary: 'add tags to entities', load: async () => (await import('./file/tags.js')).addTags },
      'remove-tags': { summary: 'remove tags from entities', load: async () => (await import('./file/tags.js')).removeTags },
      'list-tags': { summary: 'list the tags in use', load: async () => (await import('./file/tags.js')).listTags },
      'add-plugins': { summary: 'add plugins to selected objects', load: async () => (await import('./file/add-plugins.js')).command },
      namespace: { summary: 'apply a namespace to routes by path prefix or host', load: async () => (await import('./file/namespace.js')).command },
    },
  },
};
