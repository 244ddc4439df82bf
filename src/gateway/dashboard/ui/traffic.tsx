/**
 * Live traffic: requests as they finish, newest first, filterable; a request opens to its detail
 * (the path it took through the route's plugins, headers with secrets masked, prompt and answer
 * when the AI plugin logs payloads, plugin phase timings, failover attempts).
 */
import { useEffect, useState } from 'preact/hooks';
import type { FlowRoute, RequestDetail, RequestSummary } from '../api-types.js';
import { getJson } from './api.js';
import { clock, cost, int, ms, statusClass } from './format.js';
import type { Live } from './main.js';

interface Filter {
  text: string;
  status: '' | '2xx' | '4xx' | '5xx';
  aiOnly: boolean;
  refusedOnly: boolean;
}

function matches(s: RequestSummary, f: Filter): boolean {
  if (f.status && statusClass(s.status) !== `s${f.status[0]}`) return false;
  if (f.aiOnly && !s.ai) return false;
  if (f.refusedOnly && !(s.exit && s.exit.status >= 400)) return false;
  if (!f.text) return true;
  const hay = [s.route, s.consumer, s.path, s.method, String(s.status), s.ai?.provider, s.ai?.model, s.exit?.plugin, s.error, s.id].join(' ').toLowerCase();
  return f.text.toLowerCase().split(/\s+/).every((w) => hay.includes(w));
}

function Refusal(props: { s: RequestSummary }) {
  const { exit, error } = props.s;
  if (exit) {
    const cls = exit.status >= 400 ? 'refused' : 'answered';
    return <span class={cls} data-testid="refused-by" title={exit.reason ?? ''}>{exit.status >= 400 ? 'refused by' : 'answered by'} <b>{exit.plugin}</b>{exit.message ? `: ${exit.message}` : ''}{exit.reason ? ` (${exit.reason})` : ''}</span>;
  }
  return error ? <span class="refused">{error}</span> : null;
}

function Row(props: { s: RequestSummary; open: boolean; onOpen(): void }) {
  const { s } = props;
  const ai = s.ai;
  return (
    <tr class={props.open ? 'open' : ''} onClick={props.onOpen} data-testid="request-row" data-request-id={s.id}>
      <td class="mono">{clock(s.time)}</td>
      <td><span class={`status ${statusClass(s.status)}`} data-testid="cell-status">{s.status}</span></td>
      <td class="mono">{s.method} {s.path}</td>
      <td data-testid="cell-route">{s.route ?? '–'}</td>
      <td data-testid="cell-consumer">{s.consumer ?? '–'}</td>
      <td data-testid="cell-model">{ai?.provider ? `${ai.provider}/${ai.model ?? '?'}` : '–'}</td>
      <td class="num">{ms(s.latencyMs)}</td>
      <td class="num">{ai?.ttftMs != null ? ms(ai.ttftMs) : '–'}</td>
      <td class="num" data-testid="cell-tokens">{ai ? `${int(ai.promptTokens)} / ${int(ai.completionTokens)}` : '–'}</td>
      <td class="num" data-testid="cell-cost">{ai ? cost(ai.cost) : '–'}</td>
      <td>{ai?.cache ?? '–'}</td>
      <td class="num">{ai?.attempts ?? '–'}</td>
      <td><Refusal s={s} /></td>
    </tr>
  );
}

function PathTaken(props: { s: RequestSummary; route: FlowRoute | undefined }) {
  const { s, route } = props;
  if (!route) return <p class="path">client → {s.error ?? 'no route matched'}</p>;
  const stop = s.exit ? route.plugins.findIndex((p) => p.name === s.exit?.plugin) : -1;
  const shown = stop >= 0 ? route.plugins.slice(0, stop + 1) : route.plugins;
  const target = s.ai?.provider ? `${s.ai.provider}/${s.ai.model ?? '?'}` : s.upstreamStatus !== null ? (route.targets[0]?.label ?? 'service') : null;
  return (
    <p class="path" data-testid="path-taken">
      client → route <b>{route.name}</b>
      {shown.map((p, i) => <> → <span class={i === stop ? (s.exit && s.exit.status >= 400 ? 'refused' : 'answered') : ''}>{p.name}{i === stop ? (s.exit && s.exit.status >= 400 ? ' ✕' : ' ↩') : ' ✓'}</span></>)}
      {stop < 0 && target && <> → <b data-testid="path-target">{target}</b></>}
    </p>
  );
}

function Headers(props: { title: string; h: Record<string, string | string[]> }) {
  return (
    <div>
      <h4>{props.title}</h4>
      <table class="kv">
        {Object.entries(props.h).map(([k, v]) => <tr><td>{k}</td><td class="mono">{Array.isArray(v) ? v.join(', ') : v}</td></tr>)}
      </table>
    </div>
  );
}

function Detail(props: { s: RequestSummary; route: FlowRoute | undefined; onClose(): void }) {
  const [d, setD] = useState<RequestDetail | null>(null);
  const [err, setErr] = useState<string | null>(null);
  useEffect(() => {
    setD(null);
    setErr(null);
    if (props.s.hasDetail) getJson<RequestDetail>(`requests/${encodeURIComponent(props.s.id)}`).then(setD, (e: Error) => setErr(e.message));
  }, [props.s.id]);
  const s = props.s;
  return (
    <aside class="detail" data-testid="request-detail">
      <button class="close" onClick={props.onClose}>×</button>
      <h3><span class={`status ${statusClass(s.status)}`}>{s.status}</span> {s.method} {s.path}</h3>
      <p class="mono small">request id {s.id}</p>
      <PathTaken s={s} route={props.route} />
      <p><Refusal s={s} /></p>
      {s.ai && (
        <table class="kv">
          <tr><td>model</td><td>{s.ai.provider}/{s.ai.model}{s.ai.responseModel && s.ai.responseModel !== s.ai.model ? ` (answered by ${s.ai.responseModel})` : ''}</td></tr>
          <tr><td>tokens in / out</td><td>{int(s.ai.promptTokens)} / {int(s.ai.completionTokens)}</td></tr>
          <tr><td>cost</td><td>{cost(s.ai.cost)}</td></tr>
          <tr><td>LLM latency</td><td>{ms(s.ai.llmLatencyMs)}{s.ai.stream ? ` · streamed, first token after ${ms(s.ai.ttftMs)}` : ''}</td></tr>
          {s.ai.cache && <tr><td>semantic cache</td><td>{s.ai.cache}</td></tr>}
          {s.ai.tries && <tr><td>attempts</td><td>{s.ai.tries.map((t) => `${t.target} → ${t.status}${t.error ? ` (${t.error})` : ''} in ${ms(t.latencyMs)}`).join(' · ')}</td></tr>}
        </table>
      )}
      <p class="small">total {ms(s.latencyMs)} · upstream {ms(s.upstreamMs)}</p>
      {!s.hasDetail && <p class="hint">Headers and payloads are captured only while a dashboard is connected; this request finished before.</p>}
      {err && <p class="hint">{err}</p>}
      {d && (
        <>
          {d.phases && <p class="small">phases: {d.phases.map((p) => `${p.plugin} ${p.phase} ${ms(p.ms)}`).join(' · ')}</p>}
          <Headers title="Request headers" h={d.request.headers} />
          <Headers title="Response headers" h={d.response.headers} />
          {d.payload ? (
            <div data-testid="payload">
              <h4>Prompt</h4>
              <pre>{d.payload.request ?? '–'}</pre>
              <h4>Answer</h4>
              <pre>{d.payload.response ?? '–'}</pre>
              {d.payload.truncated && <p class="hint">Cut at 16 KiB.</p>}
            </div>
          ) : s.ai ? <p class="hint">Prompt and answer are not shown: the route's AI plugin does not set <code>logging.log_payloads</code>.</p> : null}
        </>
      )}
    </aside>
  );
}

export function TrafficPage(props: { live: Live }) {
  const [f, setF] = useState<Filter>({ text: '', status: '', aiOnly: false, refusedOnly: false });
  const [openId, setOpenId] = useState<string | null>(null);
  const rows = props.live.requests.filter((s) => matches(s, f));
  const open = openId ? props.live.requests.find((s) => s.id === openId) : undefined;
  const set = (patch: Partial<Filter>) => setF({ ...f, ...patch });
  return (
    <div class="page traffic">
      <div class="filters">
        <input type="search" placeholder="filter: route, consumer, model, plugin, path, status…" value={f.text} onInput={(e) => set({ text: (e.target as HTMLInputElement).value })} data-testid="filter-text" />
        <select value={f.status} onChange={(e) => set({ status: (e.target as HTMLSelectElement).value as Filter['status'] })}>
          <option value="">any status</option>
          <option value="2xx">2xx</option>
          <option value="4xx">4xx</option>
          <option value="5xx">5xx</option>
        </select>
        <label><input type="checkbox" checked={f.aiOnly} onChange={(e) => set({ aiOnly: (e.target as HTMLInputElement).checked })} /> AI only</label>
        <label><input type="checkbox" checked={f.refusedOnly} onChange={(e) => set({ refusedOnly: (e.target as HTMLInputElement).checked })} /> refused only</label>
        <span class="small">{rows.length} of {props.live.requests.length} kept (up to {props.live.snapshot.sizes.requests})</span>
      </div>
      <div class="split">
        <table class="requests">
          <thead>
            <tr><th>time</th><th>status</th><th>request</th><th>route</th><th>consumer</th><th>provider/model</th><th>latency</th><th>TTFT</th><th>tokens in/out</th><th>cost</th><th>cache</th><th>tries</th><th>refused by / error</th></tr>
          </thead>
          <tbody>
            {rows.length === 0 && <tr><td colSpan={13} class="empty">No requests yet: send one through the proxy ({props.live.snapshot.proxyUrl}).</td></tr>}
            {rows.map((s) => <Row s={s} open={s.id === openId} onOpen={() => setOpenId(s.id === openId ? null : s.id)} />)}
          </tbody>
        </table>
        {open && <Detail s={open} route={props.live.flow.routes.find((r) => r.id === open.routeId)} onClose={() => setOpenId(null)} />}
      </div>
    </div>
  );
}
