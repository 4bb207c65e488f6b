// A ticket (`/tickets/:id`): the header with its status (only the allowed moves), priority,
// assignee and due date; macros; notes (internal or what the customer was told); visits
// (schedule, complete with parts, cancel); the linked conversations; the activity stream.
import { useState, type FormEvent } from 'react';
import { api, ApiError, call, type Entry, type Product } from '../api/client';
import { formatDateTime, formatDateTimeInput, parseDateTimeInput } from '../i18n';
import { EntryView } from '../pages/Comms';
import { usePermissions } from '../permissions';
import { Link } from '../router';
import { ConflictError, ErrorBox, Notice, useLoad } from '../ui';
import { etagOf, tk } from './api';
import { PriorityBadge, StatusControl, VisitCompletionForm } from './components';
import { serialsOf } from './CustomerTickets';
import { PRIORITIES, type Activity, type Macro, type Note, type Priority, type Status, type Ticket, type Visibility, type Visit } from './logic';
import { useTicketText, type TicketText } from './strings';

export default function TicketPage({ id }: { id: string }) {
  const w = useTicketText();
  const { canEdit, me } = usePermissions();
  const [rec, setRec] = useState<{ t: Ticket; etag: string | null } | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [tick, setTick] = useState(0);
  const fetchOne = async (signal?: AbortSignal) => {
    const a = await tk<Ticket>('GET', `/tickets/${id}`, undefined, signal ? { signal } : {});
    setRec({ t: a.data, etag: a.etag });
    return a.data;
  };
  const loaded = useLoad((signal) => fetchOne(signal), [id, tick]);
  const refresh = () => setTick((x) => x + 1);
  const customer = useLoad((signal) => (rec ? call(api.GET('/api/crm/customers/{id}', { params: { path: { id: rec.t.customer_id } }, signal })).then((a) => a.data) : Promise.resolve(null)), [rec?.t.customer_id]);
  const activities = useLoad((signal) => tk<Activity[]>('GET', `/tickets/${id}/activities`, undefined, { signal }).then((a) => a.data), [id, tick]);
  const notes = useLoad((signal) => tk<Note[]>('GET', `/tickets/${id}/notes`, undefined, { signal }).then((a) => a.data), [id, tick]);
  const visits = useLoad((signal) => tk<Visit[]>('GET', `/tickets/${id}/visits`, undefined, { signal }).then((a) => a.data), [id, tick]);

  /** Runs a change of the ticket; a 412 fetches the fresh one and says so. */
  async function change(run: (t: Ticket, etag: string) => Promise<unknown>, done?: string) {
    if (!rec) return;
    setBusy(true);
    setError(null);
    setNotice(null);
    try {
      await run(rec.t, etagOf(rec.t, rec.etag));
      if (done) setNotice(done);
      refresh();
    } catch (e) {
      if (e instanceof ApiError && e.isStale) {
        refresh();
        setError(new ConflictError(w.conflict));
      } else setError(e);
    } finally {
      setBusy(false);
    }
  }
  const patch = (body: Record<string, unknown>) => change((t, etag) => tk<Ticket>('PUT', `/tickets/${t.id}`, body, { ifMatch: etag }));

  if (!rec) return loaded.error ? <ErrorBox error={loaded.error} /> : <p className="muted">…</p>;
  const t = rec.t;
  return (
    <section data-testid="ticket-page" data-status={t.status}>
      <div className="toolbar">
        <Link to="/tickets">‹ {w.tickets}</Link>
        <h1><span data-testid="ticket-number">{t.number}</span> · {t.subject}</h1>
        <PriorityBadge p={t.priority} />
      </div>
      <div className="card tk-head">
        <StatusControl status={t.status} canEdit={canEdit} busy={busy} onMove={(to: Status) => void patch({ status: to })} />
        <div className="grid">
          <div className="field"><span>{w.customer}</span>{customer.data ? <Link to={`/customers/${t.customer_id}`}>{customer.data.name}</Link> : '…'}</div>
          <div className="field"><span>{w.kind}</span>{w.kd(t.kind)}</div>
          <label className="field"><span>{w.priority}</span>
            <select name="priority" value={t.priority} disabled={!canEdit || busy} onChange={(e) => void patch({ priority: e.target.value as Priority })}>
              {PRIORITIES.map((p) => <option key={p} value={p}>{w.pr(p)}</option>)}
            </select>
          </label>
          <AssigneeField key={`a${t.version}`} value={t.assignee ?? ''} canEdit={canEdit} w={w} onSave={(a) => void patch({ assignee: a || null })} />
          <DueField key={`d${t.version}`} value={t.due_at ?? null} canEdit={canEdit} w={w} onSave={(d) => void patch({ due_at: d })} />
          <SerialField serial={t.owned_item_serial ?? null} serials={customer.data ? serialsOf(customer.data) : []} canEdit={canEdit && !busy} w={w} onChange={(s) => void patch({ owned_item_serial: s })} />
          {t.order_id && <div className="field"><span>{w.order}</span><Link to={`/orders/${t.order_id}`}>{w.order}</Link></div>}
          {t.tags.length > 0 && <div className="field"><span>{w.tags}</span>{t.tags.map((x) => <em key={x} className="tag">{x}</em>)}</div>}
        </div>
        {t.description && <p className="body">{t.description}</p>}
        {canEdit && <Macros busy={busy} w={w} onApply={(m) => void change((tt, etag) => tk<Ticket>('POST', `/tickets/${tt.id}/macros/${m}`, undefined, { ifMatch: etag }), w.macroApplied)} />}
      </div>
      <ErrorBox error={error} />
      {notice && <Notice>{notice}</Notice>}
      <div className="two-col">
        <div>
          <Visits ticket={t} visits={visits.data ?? []} canEdit={canEdit} me={me?.username ?? ''} w={w} onChanged={refresh} />
          <Notes ticketId={t.id} notes={notes.data ?? []} canEdit={canEdit} w={w} onAdded={refresh} />
          <LinkedEntries ids={t.linked_entry_ids} w={w} />
        </div>
        <div className="card">
          <h2>{w.activity}</h2>
          <ErrorBox error={activities.error} />
          <ol className="tk-activity" data-testid="activity">
            {[...(activities.data ?? [])].reverse().map((a) => <li key={a.seq}><ActivityLine a={a} w={w} /></li>)}
          </ol>
        </div>
      </div>
    </section>
  );
}

function AssigneeField({ value, canEdit, w, onSave }: { value: string; canEdit: boolean; w: TicketText; onSave: (v: string) => void }) {
  const [v, setV] = useState(value);
  return (
    <label className="field"><span>{w.assignee}</span>
      <span className="inline">
        <input name="assignee" value={v} readOnly={!canEdit} placeholder={w.unassigned} onChange={(e) => setV(e.target.value)} />
        {canEdit && v.trim() !== value && <button type="button" onClick={() => onSave(v.trim())}>{w.save}</button>}
      </span>
    </label>
  );
}

function DueField({ value, canEdit, w, onSave }: { value: string | null; canEdit: boolean; w: TicketText; onSave: (v: string | null) => void }) {
  const initial = value ? formatDateTimeInput(new Date(value)) : '';
  const [v, setV] = useState(initial);
  const [bad, setBad] = useState(false);
  function save() {
    if (!v.trim()) return onSave(null);
    const d = parseDateTimeInput(v);
    setBad(!d);
    if (d) onSave(d.toISOString());
  }
  return (
    <label className="field"><span>{w.due}</span>
      <span className="inline">
        <input name="due_at" value={v} readOnly={!canEdit} aria-invalid={bad} onChange={(e) => setV(e.target.value)} />
        {canEdit && v !== initial && <button type="button" onClick={save}>{w.save}</button>}
      </span>
      {bad && <small className="error">{w.vWhen}</small>}
    </label>
  );
}

/** The device the ticket is about: a link to its history, and (editors) one of the customer's serials to pick. */
function SerialField({ serial, serials, canEdit, w, onChange }: { serial: string | null; serials: string[]; canEdit: boolean; w: TicketText; onChange: (s: string | null) => void }) {
  if (!serial && (!canEdit || serials.length === 0)) return null;
  const choices = serial && !serials.includes(serial) ? [serial, ...serials] : serials;
  return (
    <div className="field"><span>{w.serial}</span>
      <span className="inline">
        {canEdit && (
          <select name="owned_item_serial" aria-label={w.serial} value={serial ?? ''} onChange={(e) => onChange(e.target.value || null)}>
            <option value="">—</option>
            {choices.map((s) => <option key={s} value={s}>{s}</option>)}
          </select>
        )}
        {serial && <Link to={`/serials/${encodeURIComponent(serial)}`} data-testid="ticket-serial">{canEdit ? w.history : serial}</Link>}
      </span>
    </div>
  );
}

function Macros({ busy, w, onApply }: { busy: boolean; w: TicketText; onApply: (id: string) => void }) {
  const list = useLoad((signal) => tk<Macro[]>('GET', '/macros', undefined, { signal }).then((a) => a.data), []);
  const [m, setM] = useState('');
  if (!list.data?.length) return null;
  return (
    <div className="actions" data-testid="macros">
      <span className="muted">{w.macros}:</span>
      <select name="macro" aria-label={w.macros} value={m} onChange={(e) => setM(e.target.value)}>
        <option value="">{w.chooseMacro}</option>
        {list.data.map((x) => <option key={x.id} value={x.id}>{x.name}</option>)}
      </select>
      <button type="button" disabled={!m || busy} onClick={() => onApply(m)}>{w.applyMacro}</button>
    </div>
  );
}

function ActivityLine({ a, w }: { a: Activity; w: TicketText }) {
  let detail = '';
  if (a.kind === 'status_changed' && a.from && a.to) detail = `${w.st(a.from as Status)} → ${w.st(a.to as Status)}`;
  else if (a.kind === 'priority_changed' && a.from && a.to) detail = `${w.pr(a.from as Priority)} → ${w.pr(a.to as Priority)}`;
  else if (a.kind === 'assigned') detail = `${a.from ?? w.unassigned} → ${a.to ?? w.unassigned}`;
  else if (a.kind === 'comment_added' && a.visibility) detail = w.vis(a.visibility);
  else if (a.kind === 'tag_added' || a.kind === 'tag_removed') detail = a.tag ?? '';
  else if (a.kind === 'macro_applied') detail = a.name ?? '';
  return (
    <span data-kind={a.kind}>
      <strong>{a.actor}</strong> {w.act(a.kind)}{detail ? `: ${detail}` : ''} <small className="muted">{formatDateTime(a.at)}</small>
    </span>
  );
}

function Notes({ ticketId, notes, canEdit, w, onAdded }: { ticketId: string; notes: Note[]; canEdit: boolean; w: TicketText; onAdded: () => void }) {
  const [text, setText] = useState('');
  const [visibility, setVisibility] = useState<Visibility>('internal');
  const [error, setError] = useState<unknown>(null);
  async function add(e: FormEvent) {
    e.preventDefault();
    setError(null);
    try {
      await tk<Note>('POST', `/tickets/${ticketId}/notes`, { text: text.trim(), visibility });
      setText('');
      onAdded();
    } catch (err) {
      setError(err);
    }
  }
  return (
    <div className="card" data-testid="notes">
      <h2>{w.notes}</h2>
      {notes.length === 0 && <p className="muted">{w.none}</p>}
      <ul className="notes">
        {[...notes].reverse().map((n) => (
          <li key={n.id} className={`note v-${n.visibility}`} data-visibility={n.visibility}>
            <em className={n.visibility === 'customer' ? 'tag to-customer' : 'tag'}>{w.vis(n.visibility)}</em>
            <p>{n.text}</p>
            <small className="muted">{n.author} · {formatDateTime(n.at)}</small>
          </li>
        ))}
      </ul>
      {canEdit && (
        <form onSubmit={add} className="note-form">
          <div className="chips" role="radiogroup" aria-label={w.notes}>
            {(['internal', 'customer'] as const).map((v) => (
              <label key={v} className={visibility === v ? 'chip on' : 'chip'} title={v === 'internal' ? w.internalHint : w.customerHint}>
                <input type="radio" name="visibility" value={v} checked={visibility === v} onChange={() => setVisibility(v)} /> {w.vis(v)}
              </label>
            ))}
          </div>
          <textarea name="note" value={text} onChange={(e) => setText(e.target.value)} placeholder={visibility === 'internal' ? w.internalHint : w.customerHint} required />
          <button type="submit">{w.addNote}</button>
          <ErrorBox error={error} />
        </form>
      )}
    </div>
  );
}

function Visits({ ticket, visits, canEdit, me, w, onChanged }: { ticket: Ticket; visits: Visit[]; canEdit: boolean; me: string; w: TicketText; onChanged: () => void }) {
  const [completing, setCompleting] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const products = useLoad(
    (signal) => (completing ? call(api.GET('/api/crm/products', { params: { query: { limit: 500, active: true } }, signal })).then((a) => a.data.products as Product[]) : Promise.resolve([] as Product[])),
    [completing],
  );
  const names = useLoad((signal) => {
    const ids = [...new Set(visits.flatMap((v) => v.parts.map((p) => p.product_id)))];
    return Promise.all(ids.map((pid) => call(api.GET('/api/crm/products/{id}', { params: { path: { id: pid } }, signal })).then((a) => [pid, a.data.name] as const, () => [pid, '—'] as const))).then((x) => Object.fromEntries(x) as Record<string, string>);
  }, [visits.map((v) => v.id + v.version).join()]);
  async function put(v: Visit, body: unknown) {
    setError(null);
    try {
      await tk<Visit>('PUT', `/visits/${v.id}`, body, { ifMatch: etagOf(v) });
      setCompleting(null);
      onChanged();
    } catch (e) {
      setError(e);
    }
  }
  return (
    <div className="card" data-testid="visits">
      <h2>{w.visits}</h2>
      {visits.length === 0 && <p className="muted">{w.none}</p>}
      <ul className="tk-visits">
        {visits.map((v) => (
          <li key={v.id} data-testid="visit" data-status={v.status}>
            <div>
              <strong>{formatDateTime(v.starts_at)} – {formatDateTime(v.ends_at)}</strong> · {v.technician} · <span className={`tk-visit vs-${v.status}`}>{w.vs(v.status)}</span>
            </div>
            {v.address && <div className="muted">{v.address}</div>}
            {v.outcome && <p className="body">{v.outcome}</p>}
            {v.parts.length > 0 && <div className="muted" data-testid="visit-parts">{w.parts}: {v.parts.map((p) => `${names.data?.[p.product_id] ?? '…'} × ${p.quantity}`).join(', ')}</div>}
            {canEdit && v.status === 'scheduled' && completing !== v.id && (
              <div className="actions">
                <button type="button" data-testid="complete-visit" onClick={() => { setError(null); setCompleting(v.id); }}>{w.complete}</button>
                <button type="button" className="danger" data-testid="cancel-visit" onClick={() => void put(v, { status: 'cancelled' })}>{w.cancelVisit}</button>
              </div>
            )}
            {completing === v.id && (
              <VisitCompletionForm products={products.data ?? []} error={error} onCancel={() => setCompleting(null)} onSubmit={(body) => void put(v, body)} />
            )}
          </li>
        ))}
      </ul>
      {completing === null && <ErrorBox error={error} />}
      {canEdit && ticket.status !== 'closed' && <ScheduleVisit ticketId={ticket.id} me={me} w={w} onScheduled={onChanged} />}
    </div>
  );
}

function ScheduleVisit({ ticketId, me, w, onScheduled }: { ticketId: string; me: string; w: TicketText; onScheduled: () => void }) {
  const [open, setOpen] = useState(false);
  const tomorrow = new Date();
  tomorrow.setDate(tomorrow.getDate() + 1);
  tomorrow.setHours(10, 0, 0, 0);
  const later = new Date(tomorrow.getTime() + 2 * 3600_000);
  // the technician is the signed-in user until someone else is typed; `me` may arrive after
  // this mounted (the profile loads beside the ticket), so it is read at each render
  const [f, setF] = useState<{ starts: string; ends: string; technician: string | null; address: string }>({ starts: formatDateTimeInput(tomorrow), ends: formatDateTimeInput(later), technician: null, address: '' });
  const technician = f.technician ?? me;
  const [error, setError] = useState<unknown>(null);
  if (!open) return <div className="actions"><button type="button" data-testid="schedule-visit" onClick={() => setOpen(true)}>+ {w.scheduleVisit}</button></div>;
  async function submit(e: FormEvent) {
    e.preventDefault();
    const s = parseDateTimeInput(f.starts);
    const en = parseDateTimeInput(f.ends);
    if (!s || !en) return setError(new Error(w.vWhen));
    if (en <= s) return setError(new Error(w.vOrder));
    setError(null);
    try {
      await tk<Visit>('POST', `/tickets/${ticketId}/visits`, { starts_at: s.toISOString(), ends_at: en.toISOString(), technician: technician.trim(), ...(f.address.trim() ? { address: f.address.trim() } : {}) });
      setOpen(false);
      onScheduled();
    } catch (err) {
      setError(err);
    }
  }
  return (
    <form className="form" data-testid="visit-form" onSubmit={submit}>
      <h3>{w.scheduleVisit}</h3>
      <div className="grid">
        <label className="field"><span>{w.startsAt}</span><input name="starts_at" value={f.starts} onChange={(e) => setF((x) => ({ ...x, starts: e.target.value }))} required /></label>
        <label className="field"><span>{w.endsAt}</span><input name="ends_at" value={f.ends} onChange={(e) => setF((x) => ({ ...x, ends: e.target.value }))} required /></label>
        <label className="field"><span>{w.technician}</span><input name="technician" value={technician} onChange={(e) => setF((x) => ({ ...x, technician: e.target.value }))} required /></label>
        <label className="field wide"><span>{w.address} ({w.addressHint})</span><input name="address" value={f.address} onChange={(e) => setF((x) => ({ ...x, address: e.target.value }))} /></label>
      </div>
      <ErrorBox error={error} />
      <div className="actions">
        <button type="submit" className="primary">{w.scheduleVisit}</button>
        <button type="button" onClick={() => setOpen(false)}>{w.cancel}</button>
      </div>
    </form>
  );
}

function LinkedEntries({ ids, w }: { ids: string[]; w: TicketText }) {
  const entries = useLoad(
    (signal) => Promise.all(ids.map((eid) => call(api.GET('/api/crm/comms/{id}', { params: { path: { id: eid } }, signal })).then((a) => a.data as unknown as Entry, () => null))),
    [ids.join()],
  );
  if (ids.length === 0) return null;
  return (
    <div className="card" data-testid="linked-entries">
      <h2>{w.linkedEntries}</h2>
      {(entries.data ?? []).map((e, i) => (e ? <EntryView key={e.id} e={e} /> : <p key={ids[i]} className="muted">{ids[i]}</p>))}
    </div>
  );
}
