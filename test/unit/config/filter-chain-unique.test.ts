/**
 * Kong allows one filter chain per service and one per route (`filter_chains.route` and `.service`
 * are unique foreign keys; its cache_key): a file with a second one gets the message of Kong's
 * database at the second chain's reference, or at the chain when it is nested.
 */
import { describe, expect, it } from 'vitest';
import { loadText } from '../../../src/config/index.js';

/** `line:col code message` of each issue of a file. */
function issues(text: string): string[] {
  const r = loadText(text, { env: {}, name: 'kong.yaml' });
  return r.issues.map((i) => `${i.line ?? 0}:${i.column ?? 0} ${i.severity} ${i.code} ${i.message}`);
}

describe('filter_chains: one per service and one per route (Kong: unique foreign keys, its cache_key)', () => {
  const FILE = `_format_version: "3.0"
services:
  - name: s1
    url: http://example.com
    filter_chains:
      - name: a
        enabled: false
        filters: [{ name: f1 }]
    routes:
      - name: r1
        paths: [/r1]
        filter_chains:
          - name: c
            enabled: false
            filters: [{ name: f1 }]
  - name: s2
    url: http://example.com
    filter_chains:
      - name: e
        enabled: false
        filters: [{ name: f1 }]
filter_chains:
  - name: b
    service: s1
    enabled: false
    filters: [{ name: f1 }]
  - name: d
    route: { name: r1 }
    enabled: false
    filters: [{ name: f1 }]
routes:
  - name: r2
    paths: [/r2]
    service: s2
    filter_chains:
      - name: f
        enabled: false
        filters: [{ name: f1 }]
      - name: g
        enabled: false
        filters: [{ name: f1 }]
`;

  it("refuses a second chain with Kong's message, at the reference or at the nested chain", () => {
    const found = issues(FILE).filter((l) => l.includes('AIGW_DUPLICATE'));
    const id = '[0-9a-f-]{36}';
    expect(found).toHaveLength(3);
    expect(found[0]).toMatch(new RegExp(`^24:14 error AIGW_DUPLICATE UNIQUE violation detected on '\\{route=null,service=\\{id="${id}"\\}\\}' \\(Kong allows one filter chain per service; filter_chain 'a' is first at kong\\.yaml:6:9\\)$`));
    expect(found[1]).toMatch(new RegExp(`^28:20 error AIGW_DUPLICATE UNIQUE violation detected on '\\{route=\\{id="${id}"\\},service=null\\}' \\(Kong allows one filter chain per route; filter_chain 'c' is first at kong\\.yaml:13:13\\)$`));
    expect(found[2]).toMatch(/^39:9 error AIGW_DUPLICATE UNIQUE violation detected on '\{route=\{id="[0-9a-f-]{36}"\},service=null\}' \(Kong allows one filter chain per route; filter_chain 'f' is first at kong\.yaml:36:9\)$/);
    // one chain per service and one per route of it is allowed (s2 and r2: e and f)
    expect(found.join('\n')).not.toMatch(/'e'|chain 'f' is first at kong\.yaml:3[^6]/);
  });

  it('names the id of the route, as Kong does', () => {
    const text = FILE.replace(/\nfilter_chains:[\s\S]*\nroutes:/, '\nroutes:');
    const valid = loadText(text.replace(/\n {6}- name: g\n.*\n.*\n/, '\n'), { env: {}, name: 'kong.yaml' });
    expect(valid.issues.filter((i) => i.severity === 'error')).toEqual([]);
    const r2 = valid.state?.entities.routes.find((x) => x.name === 'r2')?.id;
    expect(r2).toMatch(/^[0-9a-f-]{36}$/);
    const r = loadText(text, { env: {}, name: 'kong.yaml' });
    expect(r.issues.filter((i) => i.code === 'AIGW_DUPLICATE').map((i) => `${i.line}:${i.column} ${i.message}`)).toEqual([
      `30:9 UNIQUE violation detected on '{route={id="${r2}"},service=null}' (Kong allows one filter chain per route; filter_chain 'f' is first at kong.yaml:27:9)`,
    ]);
  });
});
