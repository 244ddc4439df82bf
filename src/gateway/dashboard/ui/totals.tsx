/**
 * Totals: tokens and cost per consumer, route, provider and model over the last minutes or hours;
 * error rates; the semantic-cache hit ratio; per-minute charts (uPlot); and what is left of every
 * token budget and rate limit. Refreshed every few seconds while shown.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import uPlot from 'uplot';
import type { LimitsView, TotalsRow, TotalsView } from '../api-types.js';
import { getJson } from './api.js';
import { cost, int, pct } from './format.js';

const WINDOWS = ['5m', '15m', '1h', '6h', '24h'];
const REFRESH_MS = 5000;

function Chart(props: { title: string; x: number[]; series: Array<{ label: string; values: number[]; color: string }>; format?: (v: number) => string }) {
  const ref = useRef<HTMLDivElement>(null);
  const key = JSON.stringify([props.x, props.series.map((s) => s.values)]);
  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    const opts: uPlot.Options = {
      width: Math.max(280, el.clientWidth),
      height: 160,
      legend: { show: true },
      cursor: { drag: { x: false, y: false } },
      scales: { x: { time: true } },
      series: [{}, ...props.series.map((s) => ({ label: s.label, stroke: s.color, fill: `${s.color}22`, width: 1.5, points: { show: false } }))],
      axes: [{}, { size: 70, values: (_u, ticks) => ticks.map((v) => (props.format ? props.format(v) : String(v))) }],
    };
    const plot = new uPlot(opts, [props.x.map((t) => t / 1000), ...props.series.map((s) => s.values)], el);
    return () => plot.destroy();
  }, [key]);
  return (
    <figure class="chart" data-testid="chart">
      <figcaption>{props.title}</figcaption>
      <div ref={ref} />
    </figure>
  );
}

function Table(props: { title: string; rows: TotalsRow[] }) {
  if (props.rows.length === 0) return null;
  return (
    <div class="totals-table">
      <h4>{props.title}</h4>
      <table data-testid={`totals-${props.title}`}>
        <thead><tr><th>{props.title}</th><th>requests</th><th>4xx</th><th>5xx</th><th>tokens in</th><th>tokens out</th><th>cost</th><th>cache hits</th></tr></thead>
        <tbody>
          {props.rows.map((r) => (
            <tr>
              <td>{r.key}</td>
              <td class="num">{int(r.requests)}</td>
              <td class="num">{pct(r.clientErrors, r.requests)}</td>
              <td class="num">{pct(r.serverErrors, r.requests)}</td>
              <td class="num">{int(r.promptTokens)}</td>
              <td class="num">{int(r.completionTokens)}</td>
              <td class="num">{cost(r.cost)}</td>
              <td class="num">{r.cacheLookups ? `${int(r.cacheHits)} of ${int(r.cacheLookups)}` : '–'}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function Limits(props: { limits: LimitsView | null }) {
  const l = props.limits;
  if (!l) return null;
  return (
    <div class="limits">
      <h3>Budgets and rate limits: what is left</h3>
      {l.rows.length === 0 && <p class="hint">No counter is running (a limit shows here once a request has been counted in its current window).</p>}
      {l.rows.length > 0 && (
        <table data-testid="limits">
          <thead><tr><th>plugin</th><th>scope</th><th>who</th><th>window</th><th>used</th><th>left</th><th /><th>resets in</th></tr></thead>
          <tbody>
            {l.rows.map((r) => {
              const fmt = r.unit === 'cost' ? cost : int;
              const used = r.limit > 0 ? Math.min(1, r.used / r.limit) : 1;
              return (
                <tr>
                  <td>{r.plugin}</td>
                  <td>{r.scope}</td>
                  <td>{r.subject}</td>
                  <td>{r.window}</td>
                  <td class="num">{fmt(r.used)} of {fmt(r.limit)} {r.unit === 'cost' ? '' : r.unit}</td>
                  <td class="num"><b>{fmt(r.remaining)}</b></td>
                  <td><div class="bar"><div style={{ width: `${100 * used}%` }} class={used > 0.9 ? 'hot' : ''} /></div></td>
                  <td class="num">{r.resetSeconds} s</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
      {l.unavailable.map((u) => <p class="hint">{u.plugin} ({u.pluginId}): {u.reason}</p>)}
    </div>
  );
}

export function TotalsPage() {
  const [win, setWin] = useState('15m');
  const [t, setT] = useState<TotalsView | null>(null);
  const [limits, setLimits] = useState<LimitsView | null>(null);
  const [err, setErr] = useState<string | null>(null);
  useEffect(() => {
    const load = () => {
      getJson<TotalsView>(`totals?window=${win}`).then((v) => { setT(v); setErr(null); }, (e: Error) => setErr(e.message));
      getJson<LimitsView>('limits').then(setLimits, (e: Error) => setErr(e.message));
    };
    load();
    const timer = setInterval(load, REFRESH_MS);
    return () => clearInterval(timer);
  }, [win]);
  const a = t?.all;
  const x = t ? t.series.map((p) => p[0]) : [];
  return (
    <div class="page totals">
      <div class="filters">
        {WINDOWS.map((w) => <button class={w === win ? 'active' : ''} onClick={() => setWin(w)}>last {w}</button>)}
        {err && <span class="hint">{err}</span>}
      </div>
      {a && (
        <div class="kpis" data-testid="kpis">
          <div><span>requests</span><b>{int(a.requests)}</b></div>
          <div><span>4xx / 5xx</span><b>{pct(a.clientErrors, a.requests)} / {pct(a.serverErrors, a.requests)}</b></div>
          <div><span>tokens in / out</span><b>{int(a.promptTokens)} / {int(a.completionTokens)}</b></div>
          <div><span>cost</span><b data-testid="kpi-cost">{cost(a.cost)}</b></div>
          <div><span>semantic cache hits</span><b>{a.cacheLookups ? pct(a.cacheHits, a.cacheLookups) : '–'}</b></div>
        </div>
      )}
      {t && (
        <div class="charts">
          <Chart title="requests" x={x} series={[{ label: 'requests', values: t.series.map((p) => p[1]), color: '#2b6cb0' }, { label: '4xx', values: t.series.map((p) => p[2]), color: '#d69e2e' }, { label: '5xx', values: t.series.map((p) => p[3]), color: '#c53030' }]} />
          <Chart title="tokens" x={x} series={[{ label: 'tokens', values: t.series.map((p) => p[4]), color: '#2f855a' }]} />
          <Chart title="cost" x={x} series={[{ label: 'cost', values: t.series.map((p) => p[5]), color: '#6b46c1' }]} format={cost} />
        </div>
      )}
      <Limits limits={limits} />
      {t && (
        <>
          <Table title="consumer" rows={t.byConsumer} />
          <Table title="route" rows={t.byRoute} />
          <Table title="provider" rows={t.byProvider} />
          <Table title="model" rows={t.byModel} />
        </>
      )}
    </div>
  );
}
