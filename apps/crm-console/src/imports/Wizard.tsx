// The import wizard (`/imports`, editors only): upload a CSV, map its columns (the suggested
// mapping preselected, a select per column, the preview redone on each change), the dry run's
// report (totals and the rows by outcome), the run with its progress (the job polled), and the
// result with links to the customers and the rows in error as CSV.
import { useEffect, useState } from 'react';
import { ApiError, session, toApiError } from '../api/client';
import { errorSentence } from '../errors';
import { useI18n } from '../i18n';
import { usePermissions } from '../permissions';
import { Link } from '../router';
import { tk } from '../tickets/api';
import {
  customerOf, errorsFileName, FIELDS, isFinished, keyBody, keyColumns, mappingProblem, OUTCOMES, progressOf,
  type Field, type Job, type KeyChoice, type OutcomeKind, type Preview, type RowPage, type RowView, type Upload,
} from './logic';
import { mappingProblemText, useImportText } from './strings';

type Step = 'upload' | 'map' | 'report' | 'result';

/** Sends the file as a form; the answer is the upload with its preview. */
async function uploadFile(file: File): Promise<Upload> {
  const form = new FormData();
  form.append('file', file, file.name);
  const url = '/api/crm/imports/uploads';
  const t = session.token();
  const res = await fetch(url, { method: 'POST', headers: t ? { Authorization: `Bearer ${t}` } : {}, body: form });
  const text = await res.text();
  let data: unknown = null;
  try {
    data = text ? JSON.parse(text) : null;
  } catch {
    data = text;
  }
  if (res.status === 401) session.clear();
  if (!res.ok) throw toApiError(res.status, data, url);
  return data as Upload;
}

/** Downloads the rows in error with the session's token and saves them under their name. */
async function downloadErrors(job: Job): Promise<void> {
  const url = `/api/crm/imports/${job.id}/errors.csv`;
  const t = session.token();
  const res = await fetch(url, { headers: t ? { Authorization: `Bearer ${t}` } : {} });
  if (!res.ok) throw toApiError(res.status, await res.json().catch(() => null), url);
  const href = URL.createObjectURL(await res.blob());
  const a = document.createElement('a');
  a.href = href;
  a.download = errorsFileName(job.file_name);
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(href), 10_000);
}

export default function ImportWizard() {
  const w = useImportText();
  const { lang } = useI18n();
  const { canEdit } = usePermissions();
  const [step, setStep] = useState<Step>('upload');
  const [upload, setUpload] = useState<Upload | null>(null);
  const [mapping, setMapping] = useState<Field[]>([]);
  const [key, setKey] = useState<KeyChoice>('contacts');
  const [preview, setPreview] = useState<Preview | null>(null);
  const [job, setJob] = useState<Job | null>(null);
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);

  const fail = (e: unknown) => setProblem(e instanceof ApiError ? `${errorSentence(e, lang)} (${e.message})` : String(e));

  // the preview follows the mapping
  useEffect(() => {
    if (step !== 'map' || !upload) return;
    if (mappingProblem(mapping, upload.headers.length)) return;
    const ctl = new AbortController();
    tk<Preview>('POST', `/imports/uploads/${upload.upload_id}/preview`, { mapping }, { signal: ctl.signal })
      .then((r) => setPreview(r.data))
      .catch((e) => {
        if (!(e instanceof DOMException)) fail(e);
      });
    return () => ctl.abort();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [step, upload, mapping]);

  // a running job is polled until it ends
  useEffect(() => {
    if (!job || isFinished(job.status) || job.status === 'planned') return;
    const h = setTimeout(() => {
      tk<Job>('GET', `/imports/${job.id}`).then((r) => {
        setJob(r.data);
        if (isFinished(r.data.status)) setStep('result');
      }, fail);
    }, 400);
    return () => clearTimeout(h);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [job]);

  if (!canEdit) return <p className="muted">{w.viewer}</p>;

  async function chosen(file: File | undefined) {
    if (!file) return;
    setBusy(true);
    setProblem(null);
    try {
      const up = await uploadFile(file);
      setUpload(up);
      setMapping(up.suggested);
      setPreview(up);
      setKey('contacts');
      setStep('map');
    } catch (e) {
      fail(e);
    } finally {
      setBusy(false);
    }
  }

  async function dryRun() {
    if (!upload) return;
    const p = mappingProblem(mapping, upload.headers.length);
    if (p) return setProblem(mappingProblemText(p, w));
    setBusy(true);
    setProblem(null);
    try {
      const r = await tk<Job>('POST', '/imports', { upload_id: upload.upload_id, mapping, key: keyBody(key, mapping) });
      setJob(r.data);
      setStep('report');
    } catch (e) {
      fail(e);
    } finally {
      setBusy(false);
    }
  }

  async function run() {
    if (!job) return;
    setBusy(true);
    setProblem(null);
    try {
      const r = await tk<Job>('POST', `/imports/${job.id}/run`, {});
      setJob(r.data);
      if (isFinished(r.data.status)) setStep('result');
    } catch (e) {
      fail(e);
    } finally {
      setBusy(false);
    }
  }

  async function cancel() {
    if (!job) return;
    try {
      await tk<Job>('POST', `/imports/${job.id}/cancel`, {});
      setProblem(w.cancelling);
    } catch (e) {
      fail(e);
    }
  }

  function restart() {
    setStep('upload');
    setUpload(null);
    setJob(null);
    setPreview(null);
    setProblem(null);
  }

  const running = job?.status === 'running';
  return (
    <section className="card" data-testid="import-wizard">
      <div className="toolbar"><h1>{w.title}</h1></div>
      <ol className="steps" data-testid="import-steps" style={{ display: 'flex', gap: '1.5rem', listStyle: 'none', padding: 0 }}>
        {([['upload', w.s_upload], ['map', w.s_map], ['report', w.s_report], ['run', w.s_run], ['result', w.s_result]] as const).map(([s, label]) => {
          const on = s === (running ? 'run' : step);
          return <li key={s} aria-current={on ? 'step' : undefined} style={on ? { fontWeight: 700 } : { color: 'var(--muted)' }}>{label}</li>;
        })}
      </ol>

      {step === 'upload' && (
        <label className="field">
          <span>{w.chooseFile}</span>
          <input type="file" name="file" accept=".csv,text/csv,text/plain" data-testid="import-file" disabled={busy} onChange={(e) => void chosen(e.target.files?.[0])} />
          {busy && <span className="muted">{w.uploading}</span>}
        </label>
      )}

      {step === 'map' && upload && (
        <>
          <p data-testid="import-read">{w.read(w.encodings[upload.encoding] ?? upload.encoding, w.delimiters[upload.delimiter] ?? upload.delimiter, upload.total_rows)}</p>
          <table className="list" data-testid="import-mapping">
            <thead><tr><th>{w.column}</th><th>{w.field}</th></tr></thead>
            <tbody>
              {upload.headers.map((h, i) => (
                <tr key={i}>
                  <td>{h || `#${i + 1}`}</td>
                  <td>
                    <select name={`map-${i}`} aria-label={h} value={mapping[i]} onChange={(e) => setMapping((m) => m.map((f, j) => (j === i ? (e.target.value as Field) : f)))}>
                      {FIELDS.map((f) => <option key={f} value={f}>{w.fields[f]}{upload.suggested[i] === f && f !== 'ignore' ? ` (${w.suggested})` : ''}</option>)}
                    </select>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          <label className="field">
            <span>{w.key}</span>
            <select name="key" value={String(key)} onChange={(e) => setKey(e.target.value === 'contacts' ? 'contacts' : Number(e.target.value))}>
              <option value="contacts">{w.keyContacts}</option>
              {keyColumns(mapping).map((i) => <option key={i} value={i}>{w.keyColumn(upload.headers[i] ?? `#${i + 1}`)}</option>)}
            </select>
          </label>
          {preview && <PreviewTable preview={preview} />}
          <div className="actions">
            <button type="button" onClick={restart}>{w.back}</button>
            <button type="button" className="primary" data-testid="import-dry-run" disabled={busy} onClick={() => void dryRun()}>{busy ? w.planning : w.dryRun}</button>
          </div>
        </>
      )}

      {(step === 'report' || step === 'result') && job && (
        <>
          <p data-testid="import-status">
            <strong>{job.file_name}</strong> · {w.statuses[job.status]}
            {step === 'report' && job.status === 'planned' && <span className="muted"> · {w.reportHint}</span>}
          </p>
          {running && <RunProgress job={job} onCancel={() => void cancel()} />}
          <Totals job={job} />
          {job.status === 'cancelled' && <p className="muted">{w.cancelledHint}</p>}
          <Rows job={job} />
          <div className="actions">
            {step === 'report' && job.status === 'planned' && (
              <>
                <button type="button" onClick={() => setStep('map')}>{w.back}</button>
                <button type="button" className="primary" data-testid="import-run" disabled={busy} onClick={() => void run()}>{w.run}</button>
              </>
            )}
            {step === 'result' && (
              <>
                <Link to="/customers" data-testid="import-to-customers">{w.toCustomers}</Link>
                <button type="button" onClick={restart}>{w.another}</button>
              </>
            )}
            {job.totals.error > 0 && (
              <button type="button" data-testid="import-errors-csv" onClick={() => void downloadErrors(job).catch(fail)}>{w.downloadErrors}</button>
            )}
          </div>
        </>
      )}

      {problem && <div className="error" role="alert">{problem}</div>}
    </section>
  );
}

function PreviewTable({ preview }: { preview: Preview }) {
  const w = useImportText();
  return (
    <>
      <h2>{w.preview}</h2>
      <p className="muted">{w.previewHint(preview.rows.length, preview.total_rows)}</p>
      <table className="list" data-testid="import-preview">
        <thead><tr><th>{w.row}</th><th>{w.name}</th><th>{w.organization}</th><th>{w.contacts}</th><th>{w.city}</th><th>{w.tags}</th></tr></thead>
        <tbody>
          {preview.rows.map((r) => (
            <tr key={r.row} className={r.error ? 'error' : ''}>
              <td>{r.row}</td>
              {r.customer ? (
                <>
                  <td>{r.customer.name}</td>
                  <td>{r.customer.organization ?? ''}</td>
                  <td>{r.customer.contacts.map((c) => c.value).join(', ')}</td>
                  <td>{r.customer.location?.city ?? ''}</td>
                  <td>{r.customer.tags.join(', ')}</td>
                </>
              ) : (
                <td colSpan={5}>{r.error ? `${r.error.column}: ${r.error.reason}` : ''}</td>
              )}
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}

function RunProgress({ job, onCancel }: { job: Job; onCancel: () => void }) {
  const w = useImportText();
  const p = progressOf(job);
  return (
    <div className="toolbar" data-testid="import-progress">
      <span>{w.running}</span>
      <progress max={p.total} value={p.done} aria-label={w.progress(p.done, p.total)} />
      <span>{w.progress(p.done, p.total)} ({p.percent}%)</span>
      <button type="button" data-testid="import-cancel" onClick={onCancel}>{w.cancel}</button>
    </div>
  );
}

function Totals({ job }: { job: Job }) {
  const w = useImportText();
  return (
    <div className="totals" data-testid="import-totals">
      <div><span>{w.total}</span><strong data-outcome="rows">{job.totals.rows}</strong></div>
      {OUTCOMES.map((o) => (
        <div key={o}><span>{w.outcomes[o]}</span><strong data-outcome={o}>{job.totals[o]}</strong></div>
      ))}
    </div>
  );
}

/** The rows of one outcome at a time, 50 a page. */
function Rows({ job }: { job: Job }) {
  const w = useImportText();
  const first = OUTCOMES.find((o) => job.totals[o] > 0) ?? 'create';
  const [outcome, setOutcome] = useState<OutcomeKind>(first);
  const [rows, setRows] = useState<RowView[]>([]);
  const [next, setNext] = useState<number | null>(null);
  const [problem, setProblem] = useState<unknown>(null);
  const stamp = `${job.id}:${job.status}:${job.written}`;
  useEffect(() => {
    let live = true;
    tk<RowPage>('GET', `/imports/${job.id}/rows?outcome=${outcome}&limit=50`).then((r) => {
      if (!live) return;
      setRows(r.data.rows);
      setNext(r.data.next_after ?? null);
    }, setProblem);
    return () => {
      live = false;
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [stamp, outcome]);
  async function more() {
    if (next === null) return;
    const r = await tk<RowPage>('GET', `/imports/${job.id}/rows?outcome=${outcome}&limit=50&after=${next}`);
    setRows((x) => [...x, ...r.data.rows]);
    setNext(r.data.next_after ?? null);
  }
  return (
    <div data-testid="import-rows">
      <div className="tabs" role="tablist">
        {OUTCOMES.map((o) => (
          <button key={o} type="button" role="tab" aria-selected={o === outcome} className={o === outcome ? 'active' : ''} data-testid={`outcome-${o}`} onClick={() => setOutcome(o)}>
            {w.outcomes[o]} ({job.totals[o]})
          </button>
        ))}
      </div>
      {problem !== null && <div className="error" role="alert">{String(problem)}</div>}
      {rows.length === 0 ? (
        <p className="muted">{w.noRows}</p>
      ) : (
        <table className="list">
          <tbody>
            {rows.map((r) => <RowLine key={r.row} r={r} />)}
          </tbody>
        </table>
      )}
      {next !== null && <button type="button" onClick={() => void more()}>{w.more}</button>}
    </div>
  );
}

function RowLine({ r }: { r: RowView }) {
  const w = useImportText();
  const id = customerOf(r);
  let detail = '';
  if (r.outcome === 'error') detail = `${r.column}: ${r.reason}`;
  else if (r.outcome === 'skip') detail = w.duplicateOf(r.duplicate_of);
  else if (r.outcome === 'update') detail = w.fieldsChanged(r.fields.join(', '));
  return (
    <tr data-testid="import-row">
      <td>{w.row} {r.row}</td>
      <td>{detail}</td>
      <td>{id && <Link to={`/customers/${id}`}>{w.customer}</Link>}</td>
    </tr>
  );
}
