/**
 * The aigw dashboard: one page, four views (Flow, Live traffic, Totals, Config), fed by a snapshot
 * and the gateway's event stream. Everything it loads comes from the gateway itself.
 */
import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import type { ConfigView, FlowView, RequestSummary, Snapshot } from '../api-types.js';
import { getJson, openStream, setToken, Unauthorized, type StreamState } from './api.js';
import { ConfigPage } from './config.js';
import { FlowPage } from './flow.js';
import { TotalsPage } from './totals.js';
import { TrafficPage } from './traffic.js';

const TABS = [
  ['flow', 'Flow'],
  ['traffic', 'Live traffic'],
  ['totals', 'Totals'],
  ['config', 'Config'],
] as const;
type Tab = (typeof TABS)[number][0];

export interface Live {
  snapshot: Snapshot;
  /** Newest first, at most snapshot.sizes.requests. */
  requests: RequestSummary[];
  flow: FlowView;
  config: ConfigView;
}

function tabFromHash(): Tab {
  const h = location.hash.slice(1);
  return (TABS.find(([id]) => id === h)?.[0] ?? 'traffic') as Tab;
}

function merge(live: Live, batch: RequestSummary[]): Live {
  const newest = live.requests[0]?.seq ?? 0;
  const fresh = batch.filter((s) => s.seq > newest).reverse();
  if (fresh.length === 0) return live;
  return { ...live, requests: [...fresh, ...live.requests].slice(0, live.snapshot.sizes.requests) };
}

function fromSnapshot(s: Snapshot): Live {
  return { snapshot: s, requests: [...s.requests].reverse(), flow: s.flow, config: s.config };
}

function TokenForm(props: { onDone(): void }) {
  const [value, setValue] = useState('');
  return (
    <form class="token" onSubmit={(e) => { e.preventDefault(); setToken(value); props.onDone(); }}>
      <p>This gateway runs with <code>--admin-token</code>: enter it to see its dashboard (kept for this browser tab only).</p>
      <input type="password" value={value} onInput={(e) => setValue((e.target as HTMLInputElement).value)} placeholder="Kong-Admin-Token" autofocus />
      <button type="submit">Open</button>
    </form>
  );
}

function App() {
  const [tab, setTab] = useState<Tab>(tabFromHash());
  const [live, setLive] = useState<Live | null>(null);
  const [state, setState] = useState<StreamState>('connecting');
  const [attempt, setAttempt] = useState(0);
  useEffect(() => {
    const onHash = () => setTab(tabFromHash());
    addEventListener('hashchange', onHash);
    return () => removeEventListener('hashchange', onHash);
  }, []);
  useEffect(() => {
    const resync = () => getJson<Snapshot>('snapshot').then((s) => setLive(fromSnapshot(s))).catch((e: unknown) => e instanceof Unauthorized && setState('unauthorized'));
    const stream = openStream({
      onState: setState,
      onEvent(event, data) {
        if (event === 'hello') setLive(fromSnapshot(data as Snapshot));
        else if (event === 'requests') setLive((l) => (l ? merge(l, data as RequestSummary[]) : l));
        else if (event === 'counts') setLive((l) => (l ? { ...l, flow: { ...l.flow, counts: data as FlowView['counts'] } } : l));
        else if (event === 'config') setLive((l) => (l ? { ...l, ...(data as { flow: FlowView; config: ConfigView }) } : l));
        else if (event === 'resync') void resync();
      },
    });
    return () => stream.stop();
  }, [attempt]);

  return (
    <div class="app">
      <header>
        <h1>aigw</h1>
        <nav>
          {TABS.map(([id, label]) => (
            <a href={`#${id}`} class={id === tab ? 'active' : ''} data-testid={`tab-${id}`}>{label}</a>
          ))}
        </nav>
        <span class={`conn ${state}`} data-testid="connection" title="event stream">{state}</span>
        {live && <span class="meta">v{live.snapshot.version} · proxy {live.snapshot.proxyUrl}</span>}
      </header>
      <main>
        {state === 'unauthorized' ? (
          <TokenForm onDone={() => setAttempt((n) => n + 1)} />
        ) : !live ? (
          <p class="empty">Connecting to the gateway…</p>
        ) : tab === 'flow' ? (
          <FlowPage flow={live.flow} />
        ) : tab === 'traffic' ? (
          <TrafficPage live={live} />
        ) : tab === 'totals' ? (
          <TotalsPage />
        ) : (
          <ConfigPage config={live.config} />
        )}
      </main>
    </div>
  );
}

render(<App />, document.getElementById('app') as HTMLElement);
