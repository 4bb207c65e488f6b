// «Κατάσταση συνδέσεων» (crm:admin): every mail account and folder, WhatsApp, the PBX,
// Nextcloud and the queues with their failed jobs, refreshed every 10 seconds while open.
import { useEffect, useState, type ReactNode } from 'react';
import { api, call, type Schemas } from '../api/client';
import { formatDateTime, formatNumber, useI18n } from '../i18n';
import { ErrorBox, Notice, useLoad } from '../ui';
import { useAdminText } from './strings';

export type IntegrationStatus = Schemas['IntegrationStatus'];
type FailedJob = Schemas['FailedJob'];

/** How often the page asks again while it is open. */
export const REFRESH_MS = 10_000;

function Light({ ok, children }: { ok: boolean | null | undefined; children: ReactNode }) {
  return <span className={ok ? 'state ok' : ok === false ? 'state bad' : 'state muted'} data-ok={ok === null || ok === undefined ? 'unknown' : String(ok)}>{children}</span>;
}

function Row({ label, children }: { label: string; children: ReactNode }) {
  return (
    <tr>
      <th scope="row">{label}</th>
      <td>{children}</td>
    </tr>
  );
}

export function Integrations() {
  const w = useAdminText();
  const { t } = useI18n();
  const status = useLoad((signal) => call(api.GET('/api/admin/integrations', { signal })).then((a) => a.data), []);
  const [busy, setBusy] = useState<'sync' | 'verify' | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const { reload } = status;

  useEffect(() => {
    const h = setInterval(reload, REFRESH_MS);
    return () => clearInterval(h);
  }, [reload]);

  async function sync(verify: boolean) {
    setBusy(verify ? 'verify' : 'sync');
    setError(null);
    setNotice(null);
    try {
      await call(api.POST('/api/crm/email/sync', { body: { verify } }));
      setNotice(w.syncDone);
      reload();
    } catch (e) {
      setError(e);
    } finally {
      setBusy(null);
    }
  }

  async function retry(job: FailedJob) {
    setError(null);
    setNotice(null);
    try {
      await call(api.POST('/api/admin/jobs/{kind}/{id}/retry', { params: { path: { kind: job.kind, id: job.id } } }));
      setNotice(w.retried);
      reload();
    } catch (e) {
      setError(e);
    }
  }

  const s = status.data;
  const when = (v: string | null | undefined) => (v ? formatDateTime(v) : w.never);
  return (
    <section className="integrations">
      <h1>{w.integrations}</h1>
      <p className="muted small">{w.autoRefresh}</p>
      {notice && <Notice>{notice}</Notice>}
      <ErrorBox error={error} />
      <ErrorBox error={status.error} />
      {!s && status.loading && <p className="muted">{t.loading}</p>}
      {s && (
        <>
          <section className="card" data-testid="mail">
            <h2>{w.mail}</h2>
            {!s.mail ? (
              <p className="muted">{w.mailNotConfigured}</p>
            ) : (
              <>
                <p>
                  <button type="button" onClick={() => void sync(false)} disabled={!!busy}>{busy === 'sync' ? w.syncing : w.syncNow}</button>{' '}
                  <button type="button" onClick={() => void sync(true)} disabled={!!busy}>{busy === 'verify' ? w.syncing : w.fullCheck}</button>
                </p>
                <table className="list">
                  <thead>
                    <tr><th>{w.account}</th><th>{w.folder}</th><th>{w.lastSync}</th><th>{w.onServer}</th><th>{w.stored}</th><th>{w.gaps}</th><th>{w.lastError}</th></tr>
                  </thead>
                  <tbody>
                    {s.mail.flatMap((a) =>
                      a.folders.map((f) => (
                        <tr key={`${a.name}/${f.folder}`} data-folder={f.folder} className={f.last_error ? 'bad' : ''}>
                          <td>{a.name}</td>
                          <td>{f.folder}</td>
                          <td>{when(f.last_sync_at)}</td>
                          <td>{f.on_server === null || f.on_server === undefined ? '—' : formatNumber(f.on_server)}</td>
                          <td>{formatNumber(f.stored - f.expunged)}</td>
                          <td>{formatNumber(f.gaps_found)} / {formatNumber(f.gaps_repaired)} / {formatNumber(f.gaps_failed)}</td>
                          <td>{f.last_error ? <span className="warn">{f.last_error} ({formatDateTime(f.last_error_at)})</span> : '—'}</td>
                        </tr>
                      )),
                    )}
                  </tbody>
                </table>
              </>
            )}
          </section>

          <section className="card" data-testid="whatsapp">
            <h2>{w.whatsapp}</h2>
            <table className="kv"><tbody>
              <Row label={w.state}>{s.whatsapp.configured ? <Light ok>{w.configured}</Light> : <Light ok={null}>{w.notConfigured}</Light>}</Row>
              <Row label={w.lastWebhook}>{when(s.whatsapp.last_webhook_at)}</Row>
            </tbody></table>
          </section>

          <section className="card" data-testid="pbx">
            <h2>{w.pbx}</h2>
            <table className="kv"><tbody>
              <Row label={w.state}>
                {!s.pbx.configured ? <Light ok={null}>{w.notConfigured}</Light> : <Light ok={s.pbx.connected}>{s.pbx.connected ? w.connected : w.disconnected}</Light>}
              </Row>
              {s.pbx.configured && <Row label={w.connectedSince}>{when(s.pbx.connected_since)}</Row>}
              {s.pbx.configured && <Row label={w.lastEvent}>{when(s.pbx.last_event_at)}</Row>}
              {s.pbx.last_error && <Row label={w.lastError}><span className="warn">{s.pbx.last_error}</span></Row>}
            </tbody></table>
          </section>

          <section className="card" data-testid="nextcloud">
            <h2>{w.nextcloud}</h2>
            <table className="kv"><tbody>
              <Row label={w.state}>
                {!s.nextcloud.configured ? <Light ok={null}>{w.notConfigured}</Light> : <Light ok={!!s.nextcloud.reachable}>{s.nextcloud.reachable ? w.reachable : w.unreachable}</Light>}
              </Row>
              {s.nextcloud.error && <Row label={w.lastError}><span className="warn">{s.nextcloud.error}</span></Row>}
            </tbody></table>
          </section>

          <section className="card" data-testid="queues">
            <h2>{w.queues}</h2>
            <table className="list">
              <thead><tr><th>{w.channel}</th><th>{w.pending}</th><th>{w.failed}</th><th>{w.lastReceived}</th></tr></thead>
              <tbody>
                {s.queues.inbound.map((q) => (
                  <tr key={q.channel}><td>{q.channel}</td><td>{formatNumber(q.pending)}</td><td>{formatNumber(q.failed)}</td><td>{when(q.last_received_at)}</td></tr>
                ))}
                <tr><td>{w.attachmentsPending}</td><td>{formatNumber(s.queues.attachments_pending)}</td><td>{formatNumber(s.queues.attachments_failed)}</td><td /></tr>
              </tbody>
            </table>
            <h3>{w.failedJobs}</h3>
            {s.queues.failed.length === 0 ? (
              <p className="muted">{w.noFailedJobs}</p>
            ) : (
              <table className="list failed-jobs">
                <thead><tr><th>{w.state}</th><th>{w.source}</th><th>{w.attempts}</th><th>{w.lastError}</th><th>{w.at}</th><th /></tr></thead>
                <tbody>
                  {s.queues.failed.map((j) => (
                    <tr key={`${j.kind}-${j.id}`} data-job={`${j.kind}-${j.id}`}>
                      <td>{w[`job_${j.kind}`]}</td>
                      <td>{j.source}</td>
                      <td>{formatNumber(j.attempts)}</td>
                      <td className="warn">{j.last_error ?? ''}</td>
                      <td>{formatDateTime(j.at)}</td>
                      <td><button type="button" onClick={() => void retry(j)}>{w.retry}</button></td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
          </section>
        </>
      )}
    </section>
  );
}

export default Integrations;
