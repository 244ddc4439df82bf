/**
 * Flow: the whole configuration at a glance (routes × plugins), then each route drawn as
 * client → route → plugins in execution order → service, upstream or LLM targets, with live counts:
 * how many requests reached each step, how many a plugin refused (or answered itself, like a cache
 * hit), and which target answered.
 */
import type { FlowCounts, FlowPlugin, FlowRoute, FlowView } from '../api-types.js';
import { int } from './format.js';

const SCOPE: Record<FlowPlugin['scope'], string> = { route: 'R', service: 'S', global: 'G', consumer: 'C' };

function Overview(props: { flow: FlowView }) {
  const byName = new Map<string, number>();
  for (const p of [...props.flow.globalPlugins, ...props.flow.routes.flatMap((r) => r.plugins)]) byName.set(p.name, p.priority);
  const columns = [...byName].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).map(([n]) => n);
  if (props.flow.routes.length === 0) return <p class="empty">No routes are configured.</p>;
  return (
    <table class="matrix" data-testid="flow-overview">
      <thead>
        <tr>
          <th>route</th>
          {columns.map((c) => <th class="rot"><span>{c}</span></th>)}
          <th>targets</th>
          <th>requests</th>
        </tr>
      </thead>
      <tbody>
        {props.flow.routes.map((r) => (
          <tr>
            <td><a href={`#flow`} onClick={() => document.getElementById(`route-${r.id}`)?.scrollIntoView()}>{r.name}</a></td>
            {columns.map((c) => {
              const p = r.plugins.find((x) => x.name === c);
              return <td class={p ? `on ${p.scope}` : ''} title={p ? `${c}: ${p.scope}` : ''}>{p ? SCOPE[p.scope] : ''}</td>;
            })}
            <td>{r.targets.map((t) => t.label).join(', ') || '–'}</td>
            <td class="num">{int(props.flow.counts[r.id]?.total ?? 0)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function Step(props: { kind: string; title: string; sub?: string; count: number; testid?: string; plugin?: string; refused?: number; answered?: number }) {
  return (
    <div class={`step ${props.kind}`} data-testid={props.testid} data-plugin={props.plugin}>
      <div class="title">{props.title}</div>
      {props.sub && <div class="sub">{props.sub}</div>}
      <div class="count" data-testid="step-count">{int(props.count)}</div>
      {(props.refused ?? 0) > 0 && <div class="refused" data-testid="step-refused">✕ {int(props.refused ?? 0)} refused</div>}
      {(props.answered ?? 0) > 0 && <div class="answered">↩ {int(props.answered ?? 0)} answered here</div>}
    </div>
  );
}

const Arrow = () => <div class="arrow">→</div>;

function RouteFlow(props: { route: FlowRoute; counts: FlowCounts | undefined }) {
  const r = props.route;
  const c = props.counts;
  const total = c?.total ?? 0;
  let reached = total;
  const steps = r.plugins.map((p) => {
    const refused = c?.refused[p.name] ?? 0;
    const answered = c?.answered[p.name] ?? 0;
    const here = reached;
    reached -= refused + answered;
    const sub = `${p.phases.join(' · ') || 'no phase'} · ${p.scope}${p.consumerOverrides ? ` (+${p.consumerOverrides} consumer)` : ''}`;
    return <><Arrow /><Step kind="plugin" title={p.name} sub={sub} count={here} testid="flow-step" plugin={p.name} refused={refused} answered={answered} /></>;
  });
  const known = new Set(r.targets.map((t) => t.label));
  const extra = Object.keys(c?.targets ?? {}).filter((k) => k !== 'service' && !known.has(k));
  const targetCount = (label: string, kind: string) => (kind === 'llm' ? c?.targets[label] ?? 0 : c?.targets.service ?? 0);
  return (
    <section class="route" id={`route-${r.id}`} data-testid="flow-route" data-route={r.name}>
      <h3>
        {r.name} <small>{[r.methods.join(','), r.hosts.join(','), r.paths.join(' ')].filter(Boolean).join('  ')}</small>
        {c && <span class="statuses">{(['2xx', '3xx', '4xx', '5xx'] as const).filter((k) => c.status[k]).map((k) => <span class={`badge ${k}`}>{k} {int(c.status[k])}</span>)}</span>}
      </h3>
      <div class="flow">
        <Step kind="client" title="client" count={total} />
        <Arrow />
        <Step kind="routebox" title={`route ${r.name}`} sub={r.service ? `service ${r.service}` : 'no service'} count={total} />
        {steps}
        <Arrow />
        <div class="targets">
          {r.targets.length === 0 && extra.length === 0 && <div class="step target"><div class="title">no target</div></div>}
          {r.targets.map((t) => (
            <div class={`step target ${t.kind}`} data-testid="flow-target" data-target={t.label}>
              <div class="title">{t.label}</div>
              {t.members.length > 0 && <div class="sub">{t.members.join(' · ')}</div>}
              <div class="count">{int(targetCount(t.label, t.kind))}</div>
            </div>
          ))}
          {extra.map((k) => (
            <div class="step target llm" data-testid="flow-target" data-target={k}>
              <div class="title">{k}</div>
              <div class="count">{int(c?.targets[k] ?? 0)}</div>
            </div>
          ))}
        </div>
      </div>
    </section>
  );
}

export function FlowPage(props: { flow: FlowView }) {
  const f = props.flow;
  const unmatched = f.counts['(no route)'];
  return (
    <div class="page flow-page">
      <h2>Whole config at a glance</h2>
      <p class="hint">R: set on the route · S: on its service · G: global · C: for consumers only. Plugins run left to right (Kong's priority order).</p>
      <Overview flow={f} />
      {f.globalPlugins.length > 0 && <p class="hint">Global plugins: {f.globalPlugins.map((p) => p.name).join(', ')} (they also run for requests that match no route{unmatched ? `: ${int(unmatched.total)} so far` : ''}).</p>}
      <h2>Routes</h2>
      {f.routes.map((r) => <RouteFlow route={r} counts={f.counts[r.id]} />)}
    </div>
  );
}
