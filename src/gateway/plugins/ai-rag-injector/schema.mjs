// ai-rag-injector: config schema source (built into schemas/plugins/ai-rag-injector.json by `npm run gen:schemas`).
// `priority` is declared here only: the runtime reads it from the built schema (`x-kong-priority`).
import { KONG_REFERENCE, arr, bool, el, int, map, num, pluginConfig, rec, since, str } from '../../../../schemas/src/dsl.mjs';
import { embeddings } from '../../../../schemas/src/llm.mjs';
import { semanticVectordb } from '../../../../schemas/src/ai-fields.mjs';

export const name = 'ai-rag-injector';
export const priority = 778;
/** The Kong version that added the plugin. */
export const kongSince = '3.10';

const CLIENT_FILTERS = "aigw serve does not read clients' metadata filters (the ACLs apply)";

function acl(description, required = false) {
  return rec(description, {
    allow: arr('Subjects (by consumer_identifier) allowed.', el('string'), { default: [] }),
    deny: arr('Subjects (by consumer_identifier) denied.', el('string'), { default: [] }),
  }, { required });
}

/** The config schema for Kong version `kong`; null before the plugin existed. */
export function schema(kong = KONG_REFERENCE) {
  if (!since(kong, kongSince)) return null;
  const vectordb = semanticVectordb(kong);
  if (!since(kong, '3.13')) delete vectordb.threshold;
  const props = {
    embeddings: embeddings({ required: true }),
    vectordb: rec('Vector database holding the knowledge chunks.', vectordb, { required: true }),
    vectordb_namespace: str('Namespace (key prefix / index) of the chunks in the vector database.', { required: true, default: 'kong_rag_injector' }),
    inject_template: str('Template of the injected message: <CONTEXT> is replaced by the chunks found, <PROMPT> by the prompt.', {
      required: true, default: '<CONTEXT>\n<PROMPT>',
    }),
    inject_as_role: str('Role of the message the context is injected into.', { required: true, default: 'user', one_of: ['user', 'system', 'assistant'] }),
    fetch_chunks_count: num('Number of chunks fetched from the vector database.', { required: true, default: 5 }),
    stop_on_failure: bool('Refuse the request when the embeddings or the vector database fail.', { required: true, default: false }),
  };
  if (since(kong, '3.13')) {
    Object.assign(props, {
      global_acl_config: acl('ACL of every collection without its own entry in collection_acl_config.'),
      collection_acl_config: map('ACL per collection (the `collection` metadata of a chunk).', acl(undefined, true)),
      consumer_identifier: str('Consumer attribute matched against the ACLs.', {
        required: true, default: 'consumer_group', one_of: ['consumer_group', 'consumer_id', 'custom_id', 'username'],
      }),
      filter_mode: str("How chunks without metadata are treated by a client's filters: 'compatible' keeps them, 'strict' drops them.", {
        required: true, default: 'compatible', one_of: ['compatible', 'strict'], unsupported: CLIENT_FILTERS,
      }),
      max_filter_clauses: int('Maximum number of clauses in a metadata filter.', { required: true, default: 100, min: 1, max: 1000, unsupported: CLIENT_FILTERS }),
      stop_on_filter_error: bool('Refuse the request when its metadata filter cannot be parsed.', { required: true, default: false, unsupported: CLIENT_FILTERS }),
    });
  }
  return pluginConfig(name, priority, 'Injects chunks of a vector database, similar to the prompt, into the request (RAG).', props);
}
