// A workflow's runs: the history (newest first, a status badge each), one run's per-node log
// (input, output, error, duration) with retry for a failed run and cancel for one that has not
// ended, and the catalogue the editor's forms are built from.
import { useState } from 'react';
import { ApiError } from '../api/client';
import { errorSentence } from '../errors';
import { formatDateTime } from '../i18n';
import { usePermissions } from '../permissions';
import { tk } from '../tickets/api';
import { useLoad } from '../ui';
import { duration, runActions, type Catalogue, type Run, type RunDetail, type RunStatus } from './logic';
import { STATUS_COLOUR, useWorkflowText } from './strings';

/** The server's catalogue of node kinds and events (null while it loads), and its error. */
export function useCatalogue(): { catalogue: Catalogue | null; error: unknown } {
  const c = useLoad(async (signal) => (await tk<Catalogue>('GET', '/workflows/catalogue', undefined, { signal })).data, []);
  return { catalogue: c.data ?? null, error: c.error };
}

export function StatusBadge({ status }: { status: RunStatus }) {
  const w = useWorkflowText();
  return (
    <em className="badge" data-testid="run-status" data-status={status} style={{ background: STATUS_COLOUR[status] }}>
      {w.st(status)}
    </em>
  );
}

const json = (v: unknown) => (v === undefined || v === null ? '' : JSON.stringify(v, null, 2));
const pre = { margin: 0, maxHeight: '12rem', overflow: 'auto', fontSize: '.8rem', whiteSpace: 'pre-wrap', wordBreak: 'break-word' } as const;

/** One run: its status, where it failed, its per-node log and its buttons. */
export function RunLog({ run, onChange }: { run: RunDetail; onChange?: (r: RunDetail) => void }) {
  const w = useWorkflowText();
  const { canEdit } = usePermissions();
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const acts = runActions(run.status);
  async function act(what: 'retry' | 'cancel') {
    setBusy(true);
    setError(null);
    try {
      onChange?.((await tk<RunDetail>('POST', `/workflow-runs/${run.id}/${what}`)).data);
    } catch (e) {
      setError(e instanceof ApiError ? errorSentence(e, w.lang) : String(e));
    } finally {
      setBusy(false);
    }
  }
  return (
    <div data-testid="run-log" data-run={run.id}>
      <p>
        <StatusBadge status={run.status} /> {w.version} {run.version} · {w.started} {formatDateTime(run.started_at)}
        {run.finished_at ? ` · ${w.finished} ${formatDateTime(run.finished_at)}` : ''}
      </p>
      {run.status === 'failed' && run.failed_node && <p className="error">{w.failedAt(run.failed_node)} {run.error}</p>}
      <table>
        <thead>
          <tr><th>{w.node}</th><th>{w.input}</th><th>{w.output}</th><th>{w.error}</th><th>{w.duration}</th></tr>
        </thead>
        <tbody>
          {run.steps.map((s) => (
            <tr key={s.seq} data-testid="run-step" data-node={s.node} data-ok={s.succeeded ? 'yes' : 'no'}>
              <td>{s.succeeded ? '✓' : '✗'} <strong>{s.node}</strong> <span className="muted">{s.kind}</span></td>
              <td><pre style={pre}>{json(s.input)}</pre></td>
              <td><pre style={pre}>{json(s.output)}</pre></td>
              <td className={s.error ? 'error' : ''}>{s.error}</td>
              <td className="num">{duration(s.duration_us)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {canEdit && (acts.retry || acts.cancel) && (
        <div className="actions">
          {acts.retry && <button type="button" data-testid="run-retry" disabled={busy} onClick={() => void act('retry')}>{w.retry}</button>}
          {acts.cancel && <button type="button" className="danger" data-testid="run-cancel" disabled={busy} onClick={() => void act('cancel')}>{w.cancel}</button>}
        </div>
      )}
      {error && <div className="error" role="alert">{error}</div>}
    </div>
  );
}

/** The history of a workflow's runs; a click opens a run's log below the list. */
export function RunHistory({ workflowId, tick }: { workflowId: string; tick: number }) {
  const w = useWorkflowText();
  const runs = useLoad((signal) => tk<{ runs: Run[] }>('GET', `/workflows/${workflowId}/runs`, undefined, { signal }).then((r) => r.data.runs), [workflowId, tick]);
  const [open, setOpen] = useState<string | null>(null);
  const detail = useLoad((signal) => (open ? tk<RunDetail>('GET', `/workflow-runs/${open}`, undefined, { signal }).then((r) => r.data) : Promise.resolve(null)), [open, tick]);
  return (
    <section className="card" data-testid="run-history">
      <div className="toolbar"><h2>{w.history}</h2><button type="button" onClick={runs.reload}>{w.reload}</button></div>
      {runs.error ? <p className="error">{errorSentence(runs.error as ApiError, w.lang)}</p> : null}
      {runs.data && !runs.data.length && <p className="muted">{w.noRuns}</p>}
      {!!runs.data?.length && (
        <table>
          <thead><tr><th>{w.started}</th><th>{w.version}</th><th>{w.status}</th><th>{w.stepsN}</th><th /></tr></thead>
          <tbody>
            {runs.data.map((r) => (
              <tr key={r.id} data-testid="run-row" data-run={r.id}>
                <td>{formatDateTime(r.started_at)}</td>
                <td className="num">{r.version}</td>
                <td><StatusBadge status={r.status} /></td>
                <td className="num">{r.step_count}</td>
                <td><button type="button" data-testid="run-open" onClick={() => setOpen(open === r.id ? null : r.id)}>{open === r.id ? w.close : w.open}</button></td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {open && detail.data && <RunLog run={detail.data} onChange={(r) => { detail.setData(r); runs.reload(); }} />}
    </section>
  );
}
