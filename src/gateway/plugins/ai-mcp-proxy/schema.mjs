// ai-mcp-proxy: config schema source (built into schemas/plugins/ai-mcp-proxy.json by `npm run gen:schemas`).
// `priority` is declared here only: the runtime reads it from the built schema (`x-kong-priority`).
import { KONG_REFERENCE, arr, bool, el, elRec, int, map, num, pluginConfig, rec, since, str } from '../../../../schemas/src/dsl.mjs';
import { redisEE } from '../../../../schemas/src/llm.mjs';

export const name = 'ai-mcp-proxy';
export const priority = 820;
/** The Kong version that added the plugin. */
export const kongSince = '3.12';

const json = (description) => ({ description, type: ['object', 'null'] });

function aclRecord(description) {
  return rec(description, {
    allow: arr('Subjects (consumer or consumer group) allowed.', el('string')),
    deny: arr('Subjects (consumer or consumer group) denied.', el('string')),
  });
}

function tool(kong) {
  const props = {
    description: str('What the tool does (shown to MCP clients).', { required: true }),
    name: str('Name of the tool; derived from the method and path when unset.'),
    method: str('HTTP method of the REST operation.', { one_of: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] }),
    path: str('Path of the REST operation, relative to the Service (may hold {parameters}).'),
    host: str('Host of the REST operation, when it is not the Service\'s.'),
    scheme: str('Scheme of the REST operation.', { one_of: ['http', 'https'] }),
    headers: map('Fixed headers sent with the operation.', arr(undefined, el('string'), { required: true })),
    query: map('Fixed query arguments sent with the operation.', arr(undefined, el('string'), { required: true })),
    parameters: arr('OpenAPI parameter objects of the operation (name, in, required, schema).', { type: 'object' }),
    request_body: json('OpenAPI requestBody object of the operation.'),
    annotations: rec('MCP tool annotations.', {
      title: str('Human-readable title.'),
      read_only_hint: bool('The tool does not modify its environment.'),
      destructive_hint: bool('The tool may perform destructive updates.'),
      idempotent_hint: bool('Calling the tool twice with the same arguments has no further effect.'),
      open_world_hint: bool('The tool interacts with an open world of external entities.'),
    }),
  };
  if (since(kong, '3.13')) {
    props.responses = json('OpenAPI responses object of the operation (structured output).');
    props.acl = aclRecord('ACL of this tool; replaces default_acl for it.');
  }
  return elRec(props);
}

/** The config schema for Kong version `kong`; null before the plugin existed. */
export function schema(kong = KONG_REFERENCE) {
  if (!since(kong, kongSince)) return null;
  const logging = {
    log_statistics: bool('Log MCP statistics under ai.mcp.', { required: true, default: false }),
    log_payloads: bool('Log the JSON-RPC request and response payloads.', { required: true, default: false }),
  };
  if (since(kong, '3.13')) logging.log_audits = bool('Log the ACL decisions under ai.mcp.audit.', { required: true, default: false });
  const server = {
    tag: str('listener mode: tools of the conversion-only plugins carrying this tag are served.'),
    timeout: num('Timeout of calls to the REST operations (ms).', { required: true, default: 10000 }),
    forward_client_headers: bool('Forward the MCP client\'s headers to the REST operations.', { required: true, default: true }),
  };
  if (since(kong, '3.14')) {
    server.session = rec('MCP session sharing between gateway nodes.', {
      strategy: str('Where sessions are kept.', { one_of: ['client', 'redis'] }),
      managed: bool('The gateway issues and tracks Mcp-Session-Id.', { required: true, default: true }),
      session_ttl: num('Lifetime of a session (s).', { required: true, default: 86400 }),
      client: rec('Client-side sessions (encrypted in the session id).', {
        secrets: arr('Secrets encrypting client-side sessions (the first encrypts, all decrypt).', el('string', { len_min: 8, referenceable: true, secret: true }), { minItems: 1 }),
      }),
      redis: redisEE('Redis holding shared sessions.'),
    });
  }
  const props = {
    mode: str('What the plugin does: passthrough-listener, conversion-listener, conversion-only or listener.', {
      required: true, one_of: ['passthrough-listener', 'conversion-listener', 'conversion-only', 'listener'],
    }),
    tools: arr('REST operations exposed as MCP tools (conversion modes).', tool(kong)),
    server: rec('The MCP server the plugin exposes.', server),
    logging: rec('What the plugin logs.', logging),
    max_request_body_size: int('Maximum request body size (bytes) read.', { required: true, default: since(kong, '3.13') ? 1048576 : 8192 }),
  };
  if (since(kong, '3.13')) {
    Object.assign(props, {
      default_acl: arr('ACLs applying to every tool without its own acl.', elRec({
        scope: str('What the ACL controls.', { required: true, default: 'tools' }),
        allow: arr('Subjects allowed.', el('string')),
        deny: arr('Subjects denied.', el('string')),
      })),
      consumer_identifier: str('Consumer attribute matched against ACL subjects.', {
        required: true, default: 'username', one_of: ['username', 'consumer_id', 'custom_id'],
      }),
      include_consumer_groups: bool('Also match the names of the consumer\'s groups.', { required: true, default: false }),
    });
  }
  if (since(kong, '3.14')) {
    Object.assign(props, {
      acl_attribute_type: str('What ACL subjects are matched against: the consumer, or a claim of the OAuth access token.', {
        required: true, default: 'consumer', one_of: ['consumer', 'oauth_access_token'],
      }),
      access_token_claim_field: str('Claim of the access token holding the ACL subjects.', { len_min: 1 }),
    });
  }
  return pluginConfig(name, priority, 'Serves Model Context Protocol (MCP) traffic: proxies MCP servers or exposes REST operations as MCP tools.', props);
}
