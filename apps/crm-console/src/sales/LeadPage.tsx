// A lead (`/sales/leads/:id`): its fields, editable by editors and saved with If-Match (a 412
// says someone else changed it and shows it as it is now, the edit lost); its stage and owner history; its
// comms (the customer's, or before conversion the messages from the prospect's contacts); and
// for a won lead the conversion into a customer, with or without a draft order, linking to both.
import { useState, type FormEvent } from 'react';
import { ApiError } from '../api/client';
import { errorSentence } from '../errors';
import { formatDateTime, formatMoney } from '../i18n';
import { usePermissions } from '../permissions';
import { Link } from '../router';
import { ErrorBox, Notice, useLoad } from '../ui';
import { etagOf, tk } from '../tickets/api';
import { LeadFields } from './fields';
import { leadForm, leadPatch, type Conversion, type Lead, type LeadComms, type LeadForm, type LeadHistory, type Pipeline } from './logic';
import { problemText, useSalesText } from './strings';

interface Rec { lead: Lead; etag: string | null }

export default function LeadPage({ id }: { id: string }) {
  const w = useSalesText();
  const { canEdit } = usePermissions();
  const [tick, setTick] = useState(0);
  const [stale, setStale] = useState(false);
  const rec = useLoad<Rec>((signal) => tk<Lead>('GET', `/leads/${id}`, undefined, { signal }).then((a) => ({ lead: a.data, etag: a.etag })), [id, tick]);
  const pipeline = useLoad((signal) => (rec.data ? tk<Pipeline>('GET', `/pipelines/${rec.data.lead.pipeline_id}`, undefined, { signal }).then((a) => a.data) : Promise.resolve(null)), [rec.data?.lead.pipeline_id]);
  const history = useLoad((signal) => tk<LeadHistory>('GET', `/leads/${id}/history`, undefined, { signal }).then((a) => a.data), [id, tick]);
  const comms = useLoad((signal) => tk<LeadComms>('GET', `/leads/${id}/comms?limit=50`, undefined, { signal }).then((a) => a.data), [id, tick]);
  const l = rec.data?.lead;
  const stageName = (sid: string | null | undefined) => pipeline.data?.stages.find((s) => s.id === sid)?.name ?? sid ?? '';
  if (!l) return <ErrorBox error={rec.error} />;
  return (
    <section data-testid="lead-page">
      <div className="toolbar">
        <h1 data-testid="lead-title">{l.title}</h1>
        <span className={`tk-status s-${l.status}`} data-testid="lead-status">{stageName(l.stage_id) === w.st(l.status) ? w.st(l.status) : `${w.st(l.status)} · ${stageName(l.stage_id)}`}</span>
        <Link to={`/sales?pipeline=${l.pipeline_id}`}>{w.back}</Link>
      </div>
      {l.prospect && (
        <p className="muted" data-testid="prospect">
          {w.prospect}: {l.prospect.name}{l.prospect.organization ? ` · ${l.prospect.organization}` : ''}
          {(l.prospect.contacts ?? []).map((c) => ` · ${c.value}`).join('')}
        </p>
      )}
      {l.customer_id && <p><Link to={`/customers/${l.customer_id}`}>{w.customer}</Link></p>}
      {l.status === 'lost' && l.lost_reason && <p data-testid="lost-reason-text">{w.lostReason}: {l.lost_reason}</p>}
      {stale && <div className="error" role="alert" data-testid="lead-stale">{w.stale}</div>}
      <LeadEditor key={`${l.id}:${l.version}`} rec={rec.data as Rec} canEdit={canEdit} onSaved={(lead, etag) => { setStale(false); rec.setData({ lead, etag }); history.reload(); }} onStale={() => { setStale(true); setTick((x) => x + 1); }} />
      <ConvertPanel lead={l} canEdit={canEdit} onDone={() => setTick((x) => x + 1)} />
      <div className="grid">
        <section className="card" data-testid="stage-history">
          <h3>{w.history}</h3>
          <ErrorBox error={history.error} />
          <ol>
            {history.data?.stage_moves.map((m, i) => (
              <li key={i}>{m.from_stage_id ? `${stageName(m.from_stage_id)} → ` : `${w.created}: `}<strong>{stageName(m.to_stage_id)}</strong> <small className="muted">{formatDateTime(m.at)} · {m.actor}</small></li>
            ))}
          </ol>
        </section>
        <section className="card" data-testid="owner-history">
          <h3>{w.owners}</h3>
          <ol>
            {history.data?.assignments.map((a, i) => (
              <li key={i}><strong>{a.owner ?? w.nobody}</strong> <small className="muted">{w.from} {formatDateTime(a.from)} {w.until} {a.until ? formatDateTime(a.until) : w.now} · {w.by} {a.assigned_by}</small></li>
            ))}
          </ol>
        </section>
      </div>
      <section className="card" data-testid="lead-comms">
        <h3>{w.comms}</h3>
        {l.prospect && <p className="muted">{comms.data?.customer_id ? w.commsAfter : w.commsBefore}</p>}
        <ErrorBox error={comms.error} />
        {comms.data?.entries.length === 0 && <p className="muted">{w.noComms}</p>}
        <ul>
          {comms.data?.entries.map((e) => (
            <li key={e.id} data-testid="lead-entry"><small className="muted">{formatDateTime(e.occurred_at)} · {String(e.type)} · {e.sender ?? ''}</small> {e.subject ?? ''} {e.body ?? ''}</li>
          ))}
        </ul>
      </section>
    </section>
  );
}

/** The lead's fields; editors save what changed with If-Match. */
function LeadEditor({ rec, canEdit, onSaved, onStale }: { rec: Rec; canEdit: boolean; onSaved: (l: Lead, etag: string | null) => void; onStale: () => void }) {
  const w = useSalesText();
  const [f, setF] = useState<LeadForm>(() => leadForm(rec.lead));
  const [said, setSaid] = useState<{ ok: boolean; text: string } | null>(null);
  const [busy, setBusy] = useState(false);
  async function submit(e: FormEvent) {
    e.preventDefault();
    const p = leadPatch(rec.lead, f);
    if (!p.ok) return setSaid({ ok: false, text: problemText(p.error, w) });
    if (Object.keys(p.body).length === 0) return setSaid({ ok: true, text: w.saved });
    setBusy(true);
    try {
      const a = await tk<Lead>('PUT', `/leads/${rec.lead.id}`, p.body, { ifMatch: etagOf(rec.lead, rec.etag) });
      onSaved(a.data, a.etag);
    } catch (err) {
      if (err instanceof ApiError && err.isStale) onStale();
      else setSaid({ ok: false, text: err instanceof ApiError ? errorSentence(err, w.lang) : String(err) });
    } finally {
      setBusy(false);
    }
  }
  return (
    <form className="card" data-testid="lead-form" onSubmit={submit}>
      <p className="muted">{formatMoney(rec.lead.estimated_value ?? null)}</p>
      <LeadFields f={f} set={(x) => setF((v) => ({ ...v, ...x }))} disabled={!canEdit || busy} />
      {said && (said.ok ? <Notice>{said.text}</Notice> : <div className="error" role="alert" data-testid="lead-error">{said.text}</div>)}
      {canEdit && <div className="actions"><button type="submit" className="primary" disabled={busy}>{w.save}</button></div>}
    </form>
  );
}

/** Converting a won lead: a customer (new or matched), optionally a draft order; then links to both. */
function ConvertPanel({ lead, canEdit, onDone }: { lead: Lead; canEdit: boolean; onDone: () => void }) {
  const w = useSalesText();
  const [draft, setDraft] = useState(lead.lines.length > 0);
  const [done, setDone] = useState<Conversion | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  async function convert() {
    setBusy(true);
    setError(null);
    try {
      const a = await tk<Conversion>('POST', `/leads/${lead.id}/convert`, { create_draft_order: draft });
      setDone(a.data);
      onDone();
    } catch (err) {
      setError(err instanceof ApiError ? errorSentence(err, w.lang) : String(err));
    } finally {
      setBusy(false);
    }
  }
  const customer = done?.customer_id ?? lead.converted_customer_id;
  const order = done?.order_id ?? lead.converted_order_id;
  return (
    <section className="card" data-testid="convert">
      {done && <Notice>{w.converted} {done.customer_created ? w.customerCreated : w.customerMatched}</Notice>}
      {customer && <Link to={`/customers/${customer}`} data-testid="converted-customer">{w.openCustomer}</Link>}
      {order && <>{' · '}<Link to={`/orders/${order}`} data-testid="converted-order">{w.openOrder}</Link></>}
      {canEdit && lead.status === 'won' && (!customer || !order) && (
        <div className="actions">
          <label className="check"><input type="checkbox" name="create_draft_order" checked={draft} onChange={(e) => setDraft(e.target.checked)} /> {w.draftOrder}</label>
          <button type="button" className="primary" data-testid="convert-button" disabled={busy} onClick={() => void convert()}>{w.convert}</button>
        </div>
      )}
      {canEdit && lead.status !== 'won' && !customer && <p className="muted">{w.convertOnlyWon}</p>}
      {error && <div className="error" role="alert">{error}</div>}
    </section>
  );
}
