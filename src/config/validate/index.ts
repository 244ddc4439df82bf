/**
 * Config validation: the entry config/index.ts (and the Admin API) use. Two passes, each
 * returning Issue[] with Kong's messages at `file:line:col`:
 *
 *   validateFile(file, issues)         whole-file schema (ajv, generated validators) on the parsed
 *                                      text, before entities are collected and normalised
 *   validateEntities(origins, opts)    per entity after normalisation: plugin configs against their
 *                                      schemas, Kong's entity_checks and custom checks, references,
 *                                      duplicates, regexes, aigw extensions (AIGW_EXTENSION)
 *
 * The pieces the Admin API reuses on single entities are exported too.
 */
export { checkFile as validateFile } from './file-checks.js';
export { entityRules as validateEntities } from './entity-rules.js';
export { routeProblems } from './entity-rules.js';
export { validatePartialConfig, validatePluginConfig, vaultProblems } from './plugin-config.js';
export { runEntityChecks, type CheckFailure } from './entity-checks.js';
export { mapAjvErrors } from './schema-errors.js';
