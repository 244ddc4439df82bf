/**
 * Config: what is being served (mode, source, entities), the last reload and its result, and the
 * last invalid change with the same `file:line:col` lines `aigw validate` prints.
 */
import type { ConfigView, ReloadResult } from '../api-types.js';
import { ago, clock } from './format.js';

function Reload(props: { r: ReloadResult; now: number }) {
  const r = props.r;
  return (
    <div class={`reload ${r.ok ? 'ok' : 'bad'}`} data-testid="reload">
      <b>{r.ok ? '✓ serving' : '✕ rejected'}</b> · {r.source === 'startup' ? 'at startup' : r.source === 'file' ? 'file change' : 'Admin API'} · {clock(r.at)} ({ago(r.at, props.now)})
      {r.error && <pre class="issues">{r.error}</pre>}
      {r.issues.length > 0 && <pre class="issues" data-testid="issues">{r.issues.join('\n')}</pre>}
      {!r.ok && <p class="hint">The last good configuration keeps serving.</p>}
    </div>
  );
}

export function ConfigPage(props: { config: ConfigView }) {
  const c = props.config;
  const now = Date.now();
  const last = c.reloads[0];
  return (
    <div class="page config">
      <p>{c.describe}</p>
      <p class="small mono">configuration hash {c.hash}</p>
      <div class="kpis">
        {Object.entries(c.counts).map(([k, n]) => <div><span>{k}</span><b>{n}</b></div>)}
      </div>
      <h3>Last reload</h3>
      {last ? <Reload r={last} now={now} /> : <p class="hint">None yet.</p>}
      {c.lastInvalid && c.lastInvalid !== last && (
        <>
          <h3>Last invalid change</h3>
          <Reload r={c.lastInvalid} now={now} />
        </>
      )}
      {c.warnings.length > 0 && (
        <>
          <h3>Warnings</h3>
          <ul>{c.warnings.map((w) => <li>{w}</li>)}</ul>
        </>
      )}
      <h3>Entities served</h3>
      <table class="entities" data-testid="entities">
        <thead><tr><th>kind</th><th>name</th><th /></tr></thead>
        <tbody>
          {c.entities.map((e) => <tr><td>{e.kind}</td><td>{e.name}</td><td class="mono small">{e.detail}</td></tr>)}
        </tbody>
      </table>
      {c.reloads.length > 1 && (
        <>
          <h3>Reload history</h3>
          {c.reloads.slice(1).map((r) => <Reload r={r} now={now} />)}
        </>
      )}
    </div>
  );
}
