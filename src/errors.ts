/**
 * Stable error and diagnostic codes. A code never changes meaning once published; new codes are
 * appended. Each has a one-line hint shown by `aigw validate` (and in `--json` output).
 */
export const CODES = {
  // CLI / input
  AIGW_USAGE: 'check the command line; `aigw <command> --help` lists the options',
  AIGW_IO: 'a file or directory could not be read',
  AIGW_NO_INPUT: 'no state file was given or found; pass files, directories or - for stdin',
  AIGW_EMPTY_CONFIG: 'the input has no content; refusing to treat it as "delete everything"',
  AIGW_MASKED_INPUT: 'the input is a dump whose secrets were written as [masked]; write a restorable one with aigw dump --show-secrets',
  // syntax and format
  AIGW_SYNTAX: 'the file is not valid YAML/JSON',
  AIGW_FORMAT_VERSION: 'set `_format_version: "3.0"` at the top of the file',
  AIGW_WORKSPACE_CONFLICT: 'all files merged together must name the same `_workspace`',
  AIGW_TRANSFORM: '`_transform: false` is not supported; remove it',
  // env templating
  AIGW_ENV_UNSET: 'export the variable, or validate with --mock-env',
  AIGW_ENV_PREFIX: 'environment variables in state files must start with AIGW_ or DECK_',
  AIGW_ENV_TEMPLATE: 'templates look like ${{ env "AIGW_NAME" }} with optional | toBool, toInt, toFloat, indent N',
  AIGW_SHELL_VAR: 'the gateway does not expand shell variables; use ${{ env "AIGW_NAME" }} or {vault://env/name}',
  // schema
  AIGW_UNKNOWN_FIELD: 'remove the field or fix its spelling; see schemas/ for the allowed fields',
  AIGW_TYPE: 'the value has the wrong type',
  AIGW_REQUIRED: 'a required field is missing',
  AIGW_VALUE: 'the value is out of range or not one of the allowed values',
  AIGW_ENTITY_CHECK: 'a rule across several fields of the entity is violated',
  // references and uniqueness
  AIGW_DUPLICATE: 'names, ids and credential keys must be unique',
  AIGW_REFERENCE: 'the referenced entity does not exist in the merged state',
  AIGW_NESTING: 'a nested entity names a parent different from the one it is nested under',
  AIGW_ROUTE_MATCHER: 'an http route needs at least one of paths, hosts, methods or headers',
  AIGW_REGEX: 'the regular expression does not compile',
  AIGW_UNKNOWN_PLUGIN: 'aigw does not know this plugin; it may exist on your Kong (an error with --strict)',
  AIGW_UNSUPPORTED: 'Kong accepts this field or value and aigw serve refuses it (at startup, on reload, in Admin API writes): the message says why',
  AIGW_NO_EFFECT: 'Kong accepts this field; it changes nothing under aigw serve (the message says why)',
  AIGW_EXTENSION: 'an aigw extension: it works under aigw serve, but a real Kong rejects it',
  AIGW_MIGRATE: 'the file uses a form aigw no longer accepts; the message says what to write instead',
  // gateway / admin
  AIGW_ADMIN_API: 'the Admin API answered with an error',
  AIGW_CONNECT: 'the Admin API could not be reached',
  AIGW_SERVE: 'the gateway could not start',
  // Konnect
  AIGW_KONNECT: 'Konnect answered with an error (control plane lookup, workspace, or an API error)',
  AIGW_KONNECT_AUTH: 'check --konnect-token (or --konnect-token-file, DECK_KONNECT_TOKEN) and the region in --konnect-addr',
  AIGW_KONNECT_VALIDATION: 'Konnect refused the entity: fix the field at this position (Konnect runs the newest Kong schema)',
  AIGW_KONNECT_UNSUPPORTED: 'Konnect does not offer this; remove it from the file or use a Kong Gateway target',
  AIGW_KONNECT_WAIT_TIMEOUT: 'some data planes did not report the new configuration in time; check them (or raise --wait-timeout)',
  AIGW_INTERNAL: 'an unexpected error; please report it',
  AIGW_VAULT_REFERENCE: 'a {vault://…} reference is resolved only in fields Kong marks referenceable; write the value itself, or move the secret to a referenceable field',
  AIGW_GATEWAY_REFERENCE: 'the referenced entity is not in the files: diff and sync look it up on the gateway (_info.default_lookup_tags, or a nested plugin naming it by id)',
  AIGW_STREAM: "Kong serves this on its stream listener (stream_listen: tcp, tls, udp, tls_passthrough); aigw serve has none: it stores the entity and leaves it out of HTTP routing, as a Kong with stream_listen off does",
} as const;

export type ErrorCode = keyof typeof CODES;

/** A failure that ends a command. `bin/aigw.ts` maps it to an exit code and a one-line message. */
export class AigwError extends Error {
  readonly code: ErrorCode;
  readonly exitCode: number;
  constructor(code: ErrorCode, message: string, options: { exitCode?: number; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'AigwError';
    this.code = code;
    this.exitCode = options.exitCode ?? 1;
  }
}

export function hintFor(code: ErrorCode): string {
  return CODES[code];
}
