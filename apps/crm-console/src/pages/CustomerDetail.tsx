import { lazy, Suspense, useState, type FormEvent } from 'react';
import { api, call, ifMatch, type Customer, type Schemas } from '../api/client';
import { formatDateTime, useI18n } from '../i18n';
import { Link, navigate, useLocation } from '../router';
import { ConfirmButton, ErrorBox, Field, LanguageSelect, Notice, onSaveError, splitList, useAuth, useLoad, WholeNumberInput } from '../ui';
import { ContactActions } from '../comms/actions';
import { CommsTab } from './Comms';
import type { SavePatch } from './customer';
import { MediaTab } from './Media';
import { OrderTable } from './Orders';
import { ticketText } from '../tickets/strings';

// The customer's tickets load on first use (the service desk is not part of the first page).
const CustomerTickets = lazy(() => import('../tickets/CustomerTickets'));
// «Συγχώνευση με…» and the merge history, on first use too.
const CustomerMerges = lazy(() => import('../merges/CustomerMerges'));

const TABS = ['overview', 'contacts', 'owned', 'orders', 'tickets', 'comms', 'media'] as const;
type Tab = (typeof TABS)[number];

export function CustomerDetail({ id }: { id: string }) {
  const { t } = useI18n();
  const { query, path } = useLocation();
  const tab = (TABS as readonly string[]).includes(query.get('tab') ?? '') ? (query.get('tab') as Tab) : 'overview';
  const [rec, setRec] = useState<{ c: Customer; etag: string | null } | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [notice, setNotice] = useState<string | null>(null);

  const fetchOne = async (signal?: AbortSignal) => {
    const a = await call(api.GET('/api/crm/customers/{id}', { params: { path: { id } }, ...(signal ? { signal } : {}) }));
    setRec({ c: a.data, etag: a.etag });
  };
  const loaded = useLoad((signal) => fetchOne(signal), [id]);

  const save: SavePatch = async (patch) => {
    if (!rec) return false;
    setError(null);
    setNotice(null);
    try {
      const a = await call(
        api.PUT('/api/crm/customers/{id}', {
          params: { path: { id }, header: { 'If-Match': ifMatch(rec.c, rec.etag) } },
          body: patch,
        }),
      );
      setRec({ c: a.data, etag: a.etag });
      setNotice(t.saved);
      return true;
    } catch (err) {
      await onSaveError(err, t.conflict, () => fetchOne(), setError);
      return false;
    }
  };

  async function remove() {
    if (!rec) return;
    try {
      await call(api.DELETE('/api/crm/customers/{id}', { params: { path: { id }, header: { 'If-Match': ifMatch(rec.c, rec.etag) } } }));
      navigate('/customers');
    } catch (err) {
      setError(err);
    }
  }

  if (!rec) return loaded.error ? <ErrorBox error={loaded.error} /> : <p>{t.loading}</p>;
  const c = rec.c;
  const tabLabel: Record<Tab, string> = { overview: t.overview, contacts: t.contacts, owned: t.ownedItems, orders: t.orders, tickets: ticketText(t.langCode).tickets, comms: t.comms, media: t.media };
  return (
    <section>
      <div className="toolbar">
        <Link to="/customers">‹ {t.customers}</Link>
        <h1>{c.name}</h1>
        {c.organization && <span className="muted">{c.organization}</span>}
      </div>
      <nav className="tabs" role="tablist">
        {TABS.map((x) => (
          <Link key={x} role="tab" aria-selected={x === tab} className={x === tab ? 'active' : ''} to={`${path}?tab=${x}`} onClick={() => { setNotice(null); setError(null); }}>
            {tabLabel[x]}
          </Link>
        ))}
      </nav>
      <ErrorBox error={error} />
      {notice && <Notice>{notice}</Notice>}
      <div className="card">
        {tab === 'overview' && <Overview key={c.version} c={c} save={save} onNote={(n) => setRec({ c: n, etag: `"${n.version}"` })} onDelete={remove} />}
        {tab === 'contacts' && <Contacts key={c.version} c={c} save={save} />}
        {tab === 'owned' && <OwnedItems key={c.version} c={c} save={save} />}
        {tab === 'orders' && <CustomerOrders c={c} />}
        {tab === 'tickets' && <Suspense fallback={<p className="muted">{t.loading}</p>}><CustomerTickets c={c} /></Suspense>}
        {tab === 'comms' && <CommsTab customerId={c.id} />}
        {tab === 'media' && <MediaTab c={c} save={save} />}
      </div>
      {tab === 'overview' && <Suspense fallback={null}><CustomerMerges c={c} onMerged={(n) => setRec({ c: n, etag: `"${n.version}"` })} /></Suspense>}
    </section>
  );
}

function Overview({ c, save, onNote, onDelete }: { c: Customer; save: SavePatch; onNote: (c: Customer) => void; onDelete: () => void }) {
  const { t } = useI18n();
  const { canEdit } = useAuth();
  const [f, setF] = useState({
    name: c.name, organization: c.organization ?? '', city: c.location.city ?? '', region: c.location.region ?? '',
    country: c.location.country ?? '', language: c.language, tags: c.tags.join(', '), folder: c.nextcloud_folder ?? '',
  });
  const [note, setNote] = useState('');
  const [noteError, setNoteError] = useState<unknown>(null);
  const set = (k: keyof typeof f, v: string) => setF((x) => ({ ...x, [k]: v }));

  function submit(e: FormEvent) {
    e.preventDefault();
    void save({
      name: f.name.trim(),
      organization: f.organization.trim() || null,
      location: { city: f.city.trim() || null, region: f.region.trim() || null, country: f.country.trim() || null },
      language: f.language,
      tags: splitList(f.tags),
      nextcloud_folder: f.folder.trim() || null,
    });
  }

  async function addNote(e: FormEvent) {
    e.preventDefault();
    setNoteError(null);
    try {
      const a = await call(api.POST('/api/crm/customers/{id}/notes', { params: { path: { id: c.id } }, body: { text: note.trim() } }));
      setNote('');
      onNote(a.data);
    } catch (err) {
      setNoteError(err);
    }
  }

  return (
    <div className="two-col">
      <form className="form" onSubmit={submit}>
        <fieldset disabled={!canEdit}>
          <div className="grid">
            <Field label={t.name} wide><input name="name" value={f.name} onChange={(e) => set('name', e.target.value)} required /></Field>
            <Field label={t.organization}><input name="organization" value={f.organization} onChange={(e) => set('organization', e.target.value)} /></Field>
            <Field label={t.language}><LanguageSelect value={f.language} onChange={(v) => set('language', v)} /></Field>
            <Field label={t.city}><input name="city" value={f.city} onChange={(e) => set('city', e.target.value)} /></Field>
            <Field label={t.region}><input name="region" value={f.region} onChange={(e) => set('region', e.target.value)} /></Field>
            <Field label={t.country}><input name="country" value={f.country} onChange={(e) => set('country', e.target.value)} /></Field>
            <Field label={`${t.tags} (${t.tagsHint})`}><input name="tags" value={f.tags} onChange={(e) => set('tags', e.target.value)} /></Field>
            <Field label={t.nextcloud_folder} wide><input name="nextcloud_folder" value={f.folder} onChange={(e) => set('folder', e.target.value)} /></Field>
          </div>
        </fieldset>
        {canEdit && (
          <div className="actions">
            <button type="submit" className="primary">{t.save}</button>
            <ConfirmButton label={t.delete} onConfirm={onDelete} />
          </div>
        )}
      </form>
      <div>
        <h2>{t.notes}</h2>
        {c.notes.length === 0 && <p className="muted">{t.none}</p>}
        <ul className="notes">
          {[...c.notes].reverse().map((n, i) => (
            <li key={i}>
              <p>{n.text}</p>
              <small className="muted">{n.by} · {formatDateTime(n.at)}</small>
            </li>
          ))}
        </ul>
        {canEdit && (
          <form onSubmit={addNote} className="note-form">
            <textarea name="note" value={note} onChange={(e) => setNote(e.target.value)} placeholder={t.addNote} required />
            <button type="submit">{t.addNote}</button>
            <ErrorBox error={noteError} />
          </form>
        )}
      </div>
    </div>
  );
}

const CONTACT_TYPES: Schemas['ContactType'][] = ['phone', 'email', 'whatsapp', 'other'];

function Contacts({ c, save }: { c: Customer; save: SavePatch }) {
  const { t, tr } = useI18n();
  const { canEdit } = useAuth();
  const [rows, setRows] = useState<Schemas['ContactInput'][]>(c.contacts.map(({ type, value, label, primary }) => ({ type, value, label: label ?? null, primary })));
  const update = (i: number, patch: Partial<Schemas['ContactInput']>) => setRows((r) => r.map((x, j) => (j === i ? { ...x, ...patch } : x)));
  const setPrimary = (i: number) =>
    setRows((r) => r.map((x, j) => (x.type === r[i]?.type ? { ...x, primary: j === i } : x)));
  return (
    <form onSubmit={(e) => { e.preventDefault(); void save({ contacts: rows }); }}>
      <table className="list">
        <thead><tr><th>{t.type}</th><th>{t.contactValue}</th><th>{t.label}</th><th>{t.primary}</th><th>E.164</th><th /><th /></tr></thead>
        <tbody>
          {rows.map((r, i) => (
            <tr key={i}>
              <td>
                <select value={r.type} disabled={!canEdit} onChange={(e) => update(i, { type: e.target.value as Schemas['ContactType'] })}>
                  {CONTACT_TYPES.map((x) => <option key={x} value={x}>{tr('ct_', x)}</option>)}
                </select>
              </td>
              <td><input value={r.value ?? ''} readOnly={!canEdit} onChange={(e) => update(i, { value: e.target.value })} required /></td>
              <td><input value={r.label ?? ''} readOnly={!canEdit} onChange={(e) => update(i, { label: e.target.value || null })} /></td>
              <td><input type="radio" name={`primary-${r.type}`} checked={!!r.primary} disabled={!canEdit} onChange={() => setPrimary(i)} /></td>
              <td className="muted">{c.contacts[i]?.value === r.value ? c.contacts[i]?.e164 : ''}</td>
              <td>{c.contacts[i]?.value === r.value && c.contacts[i]?.type === r.type && <ContactActions customerId={c.id} type={r.type} value={r.value ?? ''} />}</td>
              <td>{canEdit && <button type="button" onClick={() => setRows((x) => x.filter((_, j) => j !== i))}>{t.remove}</button>}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {canEdit && (
        <div className="actions">
          <button type="button" onClick={() => setRows((x) => [...x, { type: 'phone', value: '', primary: !x.some((y) => y.type === 'phone') }])}>+ {t.add}</button>
          <button type="submit" className="primary">{t.save}</button>
        </div>
      )}
    </form>
  );
}

const OWNED_TYPES: Schemas['OwnedItemType'][] = ['console_device', 'product', 'freetext'];

function OwnedItems({ c, save }: { c: Customer; save: SavePatch }) {
  const { t, tr } = useI18n();
  const { canEdit } = useAuth();
  const [rows, setRows] = useState<Schemas['OwnedItem'][]>(c.owned_items);
  const products = useLoad((signal) => call(api.GET('/api/crm/products', { params: { query: { limit: 500, active: true } }, signal })).then((a) => a.data.products), []);
  const update = (i: number, patch: Partial<Schemas['OwnedItem']>) => setRows((r) => r.map((x, j) => (j === i ? { ...x, ...patch } : x)));
  const text = (i: number, k: keyof Schemas['OwnedItem'], label: string, v: unknown) => (
    <Field label={label}><input value={(v as string | null | undefined) ?? ''} readOnly={!canEdit} onChange={(e) => update(i, { [k]: e.target.value || null })} /></Field>
  );
  return (
    <form onSubmit={(e) => { e.preventDefault(); void save({ owned_items: rows }); }}>
      {rows.length === 0 && <p className="muted">{t.none}</p>}
      {rows.map((r, i) => (
        <div key={i} className="owned grid">
          <Field label={t.type}>
            <select value={r.type} disabled={!canEdit} onChange={(e) => update(i, { type: e.target.value as Schemas['OwnedItemType'] })}>
              {OWNED_TYPES.map((x) => <option key={x} value={x}>{tr('oi_', x)}</option>)}
            </select>
          </Field>
          {r.type === 'console_device' && <>{text(i, 'device_id', t.device_id, r.device_id)}{text(i, 'label', t.label, r.label)}</>}
          {r.type === 'product' && (
            <>
              <Field label={t.product}>
                <select
                  value={r.product_id ?? ''}
                  disabled={!canEdit}
                  onChange={(e) => {
                    const p = products.data?.find((x) => x.id === e.target.value);
                    update(i, { product_id: e.target.value || null, product_name: p?.name ?? null });
                  }}
                >
                  <option value="">{r.product_name ?? t.chooseProduct}</option>
                  {products.data?.map((p) => <option key={p.id} value={p.id}>{p.name} ({p.sku})</option>)}
                </select>
              </Field>
              <Field label={t.quantity}><WholeNumberInput name="quantity" min={1} value={r.quantity ?? 1} readOnly={!canEdit} onChange={(n) => update(i, { quantity: n })} /></Field>
              <Field label={`${t.serial_numbers} (${t.serialsHint})`}>
                <input value={(r.serial_numbers ?? []).join(', ')} readOnly={!canEdit} onChange={(e) => update(i, { serial_numbers: splitList(e.target.value) })} />
              </Field>
              <SerialLinks serials={c.owned_items[i] === r ? (r.serial_numbers ?? []) : []} />
            </>
          )}
          {r.type === 'freetext' && <>{text(i, 'description', t.description, r.description)}{text(i, 'serial_number', t.serial_number, r.serial_number)}{text(i, 'notes', t.notes, r.notes)}<SerialLinks serials={c.owned_items[i] === r && r.serial_number ? [r.serial_number] : []} /></>}
          {canEdit && <button type="button" className="align-end" onClick={() => setRows((x) => x.filter((_, j) => j !== i))}>{t.remove}</button>}
        </div>
      ))}
      {canEdit && (
        <div className="actions">
          <button type="button" onClick={() => setRows((x) => [...x, { type: 'product', quantity: 1, serial_numbers: [] }])}>+ {t.add}</button>
          <button type="submit" className="primary">{t.save}</button>
        </div>
      )}
    </form>
  );
}

/** Each saved serial number as a link to the device's history. */
function SerialLinks({ serials }: { serials: string[] }) {
  if (serials.length === 0) return null;
  return (
    <span className="serial-links align-end">
      {serials.map((s) => <Link key={s} to={`/serials/${encodeURIComponent(s)}`} data-testid="serial-link">{s}</Link>)}
    </span>
  );
}

function CustomerOrders({ c }: { c: Customer }) {
  const { t } = useI18n();
  const { canEdit } = useAuth();
  const list = useLoad((signal) => call(api.GET('/api/crm/orders', { params: { query: { customer_id: c.id, limit: 200 } }, signal })).then((a) => a.data), [c.id]);
  return (
    <div>
      {canEdit && <div className="actions"><Link className="button primary" to={`/orders/new?customer=${c.id}`}>+ {t.newOrder}</Link></div>}
      <ErrorBox error={list.error} />
      {list.data && (
        <OrderTable orders={list.data.orders} />
      )}
      {list.data?.orders.length === 0 && <p className="muted">{t.none}</p>}
    </div>
  );
}
