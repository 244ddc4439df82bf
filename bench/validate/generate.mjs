// Generates a realistic state file with about N entities (services, nested routes and plugins,
// consumers with credentials and ACLs, global plugins). Deterministic for a given N.
import { stringify } from 'yaml';

export function generateState(n = 10_000) {
  const perService = 4; // service + route + 2 plugins
  const perConsumer = 3; // consumer + key-auth + acl
  const services = [];
  const consumers = [];
  const nServices = Math.floor((n * 0.6) / perService);
  const nConsumers = Math.floor((n - nServices * perService) / perConsumer);
  for (let i = 0; i < nServices; i++) {
    const ai = i % 5 === 0;
    services.push({
      name: `svc-${i}`,
      url: `http://backend-${i % 50}.internal:8080/api/${i}`,
      tags: ['bench', `team-${i % 10}`],
      routes: [{
        name: `route-${i}`,
        paths: [`/svc/${i}`, `~/svc/${i}/items/(?<id>\\d+)$`],
        methods: ['GET', 'POST'],
        strip_path: true,
        plugins: [
          ai
            ? { name: 'ai-proxy', config: { route_type: 'llm/v1/chat', auth: { header_name: 'Authorization', header_value: `Bearer sk-${i}` }, model: { provider: 'openai', name: 'gpt-4o', options: { max_tokens: 512, temperature: 0.7 } } } }
            : { name: 'rate-limiting', config: { minute: 100 + i, hour: 10_000 + i, policy: 'local' } },
          { name: 'key-auth', config: { key_names: ['apikey'], hide_credentials: true } },
        ],
      }],
    });
  }
  for (let i = 0; i < nConsumers; i++) {
    consumers.push({ username: `user-${i}`, custom_id: `cid-${i}`, keyauth_credentials: [{ key: `key-${i}-${(i * 7919) % 100000}` }], acls: [{ group: `group-${i % 20}` }] });
  }
  return { _format_version: '3.0', services, consumers, plugins: [{ name: 'prometheus', config: { status_code_metrics: true } }, { name: 'correlation-id' }] };
}

export function generateYaml(n) {
  return stringify(generateState(n), { lineWidth: 0 });
}

export function countEntities(state) {
  let c = state.plugins.length + state.services.length + state.consumers.length;
  for (const s of state.services) for (const r of s.routes) c += 1 + r.plugins.length;
  for (const u of state.consumers) c += u.keyauth_credentials.length + u.acls.length;
  return c;
}
