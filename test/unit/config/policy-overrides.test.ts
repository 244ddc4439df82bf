/**
 * decK's `_info.consumer_group_policy_overrides` (or `--consumer-group-policy-overrides`):
 * consumer_groups[].plugins become Kong Enterprise's consumer-group policy overrides of
 * rate-limiting-advanced (entity consumer_group_plugins), checked with Kong's schema and messages;
 * without it they stay consumer-group-scoped plugins. Dumps write the key back.
 */
import { describe, expect, it } from 'vitest';
import { loadText, type Issue } from '../../../src/config/index.js';
import { refId } from '../../../src/config/state.js';
import { writeState } from '../../../src/config/write.js';
import { konnectIssues } from '../../../src/commands/deck/konnect-rules.js';

function load(text: string, flag = false) {
  return loadText(`_format_version: "3.0"\n${text}`, { env: {}, name: 'f.yaml', consumerGroupPolicyOverrides: flag });
}

const errors = (issues: readonly Issue[]) => issues.filter((i) => i.severity === 'error').map((i) => `${i.line}:${i.column} ${i.code} ${i.message}`);

const GROUPS = `consumer_groups:
  - name: premium
    plugins:
      - name: rate-limiting-advanced
        config:
          limit: [100]
          window_size: [60]
consumers:
  - username: frank
    groups: [{name: premium}]
plugins:
  - name: rate-limiting-advanced
    config:
      limit: [10]
      window_size: [60]
      consumer_groups: [premium]
      enforce_consumer_groups: true
`;

describe('consumer_groups[].plugins with consumer_group_policy_overrides', () => {
  it('are overrides keyed by group and name, with Kong\'s defaults, not scoped plugins', () => {
    for (const r of [load(`_info:\n  consumer_group_policy_overrides: true\n${GROUPS}`), load(GROUPS, true)]) {
      expect(errors(r.issues)).toEqual([]);
      const s = r.state!;
      expect(r.consumerGroupPolicyOverrides).toBe(true);
      expect(s.entities.plugins.map((p) => p.name)).toEqual(['rate-limiting-advanced']);
      expect(refId(s.entities.plugins[0].consumer_group)).toBeNull();
      expect(s.entities.consumer_group_plugins).toHaveLength(1);
      const o = s.entities.consumer_group_plugins[0];
      expect(o).toMatchObject({ name: 'rate-limiting-advanced', consumer_group: { id: s.entities.consumer_groups[0].id } });
      expect(o.config).toEqual({ limit: [100], window_size: [60], window_type: 'sliding', retry_after_jitter_max: 0 });
    }
  });

  it('without the flag they stay scoped plugins, and the plugin\'s consumer_groups is decK\'s upgrade error', () => {
    const r = load(GROUPS);
    expect(r.consumerGroupPolicyOverrides).toBe(false);
    expect(errors(r.issues)).toEqual([expect.stringMatching(/^17:7 AIGW_ENTITY_CHECK a rate-limiting-advanced plugin with config.consumer_groups/)]);
    const scoped = load(GROUPS.replace('      consumer_groups: [premium]\n      enforce_consumer_groups: true\n', ''));
    expect(errors(scoped.issues)).toEqual([]);
    expect(scoped.state!.entities.consumer_group_plugins).toEqual([]);
    expect(scoped.state!.entities.plugins.filter((p) => refId(p.consumer_group) !== null)).toHaveLength(1);
  });

  it('refuses what Kong\'s consumer_group_plugins schema refuses, with its messages', () => {
    const r = load(`consumer_groups:
  - name: premium
    plugins:
      - name: rate-limiting-advanced
        tags: [x]
        enabled: true
        config:
          limit: [100, 5]
          window_size: [60]
          window_type: rolling
  - name: basic
    plugins:
      - name: key-auth
        config: {limit: [1], window_size: [1]}
      - name: rate-limiting-advanced
        config: {limit: [1], window_size: [1], retry_after_jitter_max: -1}
      - name: rate-limiting-advanced
        config: {window_size: [1]}
`, true);
    expect(errors(r.issues)).toEqual([
      "6:9 AIGW_UNKNOWN_FIELD unknown field 'tags'",
      "7:9 AIGW_UNKNOWN_FIELD unknown field 'enabled'",
      '8:9 AIGW_ENTITY_CHECK You must provide the same number of windows and limits',
      '11:24 AIGW_VALUE expected one of: fixed, sliding',
      expect.stringMatching(/^14:15 AIGW_VALUE consumer group policy overrides exist for rate-limiting-advanced only, not 'key-auth'/),
      '17:48 AIGW_ENTITY_CHECK Non-negative retry_after_jitter_max value is expected',
      expect.stringMatching(/^18:9 AIGW_DUPLICATE consumer_group policy override 'rate-limiting-advanced' is defined more than once/),
      '19:9 AIGW_REQUIRED limit: required field missing',
    ]);
    expect(r.state).toBeNull();
  });

  it('a dump writes the overrides under their group and the _info key back; reloading gives the same State', () => {
    const s = load(GROUPS, true).state!;
    const text = writeState(s);
    expect(text).toContain('_info:\n  consumer_group_policy_overrides: true\n');
    const again = loadText(text, { env: {}, name: 'dump.yaml' });
    expect(errors(again.issues)).toEqual([]);
    expect(again.state!.entities).toEqual(s.entities);
  });

  it('a group-scoped plugin next to overrides is dumped at the top level (consumer_groups[].plugins are overrides there)', () => {
    const s = load(`${GROUPS}  - name: rate-limiting
    consumer_group: premium
    config: {minute: 5, policy: local}
`, true).state!;
    const again = loadText(writeState(s), { env: {}, name: 'dump.yaml' });
    expect(errors(again.issues)).toEqual([]);
    expect(again.state!.entities).toEqual(s.entities);
  });

  it('are refused for Konnect at their position (aigw does not speak Konnect\'s override API)', () => {
    const r = load(GROUPS, true);
    expect(errors(konnectIssues(r.state!, r.sources))).toEqual([expect.stringMatching(/^5:15 AIGW_KONNECT_UNSUPPORTED consumer-group policy overrides cannot be synced to Konnect by aigw/)]);
  });
});
