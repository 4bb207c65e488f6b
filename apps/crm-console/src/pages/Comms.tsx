import { useEffect, useState, type FormEvent } from 'react';
import { api, asDoc, call, COMMS_TYPES, DIRECTIONS, type CommsType, type Direction, type Entry, type NewEntry, type Schemas, type TimelineItem } from '../api/client';
import { formatDateTime, formatDateTimeInput, parseDateTimeInput, useI18n } from '../i18n';
import { Link } from '../router';
import { ErrorBox, Field, Notice, splitList, useAuth, useLoad } from '../ui';

const MANUAL_TYPES: CommsType[] = ['call', 'note', 'sms', 'in_person'];
const ICON: Record<string, string> = { email: '✉', whatsapp: '◉', call: '☎', sms: '✆', note: '✎', in_person: '⌂', media: '▣', order_created: '№', order_status: '⇄' };

/** The time field's value for now, in local time, the Greek way (24-hour). */
function nowLocal(): string {
  return formatDateTimeInput(new Date());
}

export function EntryView({ e }: { e: Entry }) {
  const { tr } = useI18n();
  return (
    <div className="entry">
      <div className="entry-head">
        <span className={`kind k-${e.type}`}>{ICON[e.type]} {tr('cm_', e.type)}</span>
        <span className={`dir d-${e.direction}`}>{tr('dir_', e.direction)}</span>
        {e.sender && <span className="muted">{e.sender}</span>}
        <span className="muted right">{formatDateTime(e.occurred_at)}{e.logged_by ? ` · ${e.logged_by}` : ''}</span>
      </div>
      {e.subject && <strong className="subject">{e.subject}</strong>}
      {e.body && <p className="body">{e.body}</p>}
    </div>
  );
}

function TimelineRow({ item }: { item: TimelineItem }) {
  const { t, tr } = useI18n();
  switch (item.kind) {
    case 'comms':
      return <EntryView e={item.entry} />;
    case 'media':
      return (
        <div className="entry">
          <div className="entry-head">
            <span className="kind">{ICON.media} {t.fileEvent}</span>
            <span className="muted right">{formatDateTime(item.at)}</span>
          </div>
          <span>{item.media.filename}</span>
        </div>
      );
    case 'order_created':
    case 'order_status':
      return (
        <div className="entry">
          <div className="entry-head">
            <span className="kind">{ICON[item.kind]} {item.kind === 'order_created' ? t.orderCreated : t.orderStatus}</span>
            <span className="muted right">{formatDateTime(item.at)}</span>
          </div>
          <Link to={`/orders/${item.order.order_id}`}>{item.order.order_number}</Link>{' '}
          {item.order.from ? `${tr('st_', item.order.from)} → ` : ''}
          {tr('st_', item.order.to)}
        </div>
      );
    case 'note':
      return (
        <div className="entry">
          <div className="entry-head">
            <span className="kind">{ICON.note} {t.noteEvent}</span>
            <span className="muted right">{formatDateTime(item.at)} · {item.note.by}</span>
          </div>
          <p className="body">{item.note.text}</p>
        </div>
      );
    default:
      return null;
  }
}

type Row = { key: string; item: TimelineItem };

export function CommsTab({ customerId }: { customerId: string }) {
  const { t, tr } = useI18n();
  const { canEdit } = useAuth();
  const [type, setType] = useState<CommsType | ''>('');
  const [direction, setDirection] = useState<Direction | ''>('');
  const [rows, setRows] = useState<Row[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [loading, setLoading] = useState(false);
  const [tick, setTick] = useState(0);
  const filtered = type !== '' || direction !== '';

  async function page(after: string | null, signal?: AbortSignal): Promise<{ rows: Row[]; next: string | null }> {
    const sig = signal ? { signal } : {};
    if (!filtered) {
      const a = await call(
        api.GET('/api/crm/customers/{id}/timeline', { params: { path: { id: customerId }, query: { limit: 50, ...(after ? { cursor: after } : {}) } }, ...sig }),
      );
      const items = a.data.items as unknown as TimelineItem[];
      return { rows: items.map((item) => ({ key: `${item.kind}:${item.link_id}:${item.at}:${'index' in item ? item.index : ''}`, item })), next: a.data.next_cursor ?? null };
    }
    const a = await call(
      api.GET('/api/crm/comms', {
        params: {
          query: {
            customer_id: customerId,
            limit: 50,
            ...(type ? { type: asDoc<Schemas['CommsType']>(type) } : {}),
            ...(direction ? { direction: asDoc<Schemas['Direction']>(direction) } : {}),
            ...(after ? { cursor: after } : {}),
          },
        },
        ...sig,
      }),
    );
    const entries = a.data.entries as unknown as Entry[];
    return { rows: entries.map((e) => ({ key: `comms:${e.id}`, item: { kind: 'comms', at: e.occurred_at, link_id: e.id, entry: e } })), next: a.data.next_cursor ?? null };
  }

  useEffect(() => {
    const ctl = new AbortController();
    setLoading(true);
    page(null, ctl.signal).then(
      (p) => { setRows(p.rows); setCursor(p.next); setError(null); setLoading(false); },
      (e: unknown) => { if (!ctl.signal.aborted) { setError(e); setLoading(false); } },
    );
    return () => ctl.abort();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [customerId, type, direction, tick]);

  async function more() {
    try {
      const p = await page(cursor);
      setRows((r) => [...r, ...p.rows]);
      setCursor(p.next);
    } catch (e) {
      setError(e);
    }
  }

  return (
    <div className="comms">
      {canEdit && <EntryForm customerId={customerId} onLogged={() => setTick((x) => x + 1)} />}
      {canEdit && <EmailForm customerId={customerId} onSent={() => setTick((x) => x + 1)} />}
      <div className="toolbar">
        <h2>{t.timeline}</h2>
        <select aria-label={t.type} value={type} onChange={(e) => setType(e.target.value as CommsType | '')}>
          <option value="">{t.type}: {t.all}</option>
          {COMMS_TYPES.map((x) => <option key={x} value={x}>{tr('cm_', x)}</option>)}
        </select>
        <select aria-label={t.direction} value={direction} onChange={(e) => setDirection(e.target.value as Direction | '')}>
          <option value="">{t.direction}: {t.allFem}</option>
          {DIRECTIONS.map((x) => <option key={x} value={x}>{tr('dir_', x)}</option>)}
        </select>
      </div>
      <ErrorBox error={error} />
      <ol className="timeline" aria-busy={loading}>
        {rows.map((r) => <li key={r.key}><TimelineRow item={r.item} /></li>)}
      </ol>
      {!loading && rows.length === 0 && <p className="muted">{t.none}</p>}
      {cursor && <button type="button" onClick={more}>{t.more}</button>}
    </div>
  );
}

function EntryForm({ customerId, onLogged }: { customerId: string; onLogged: () => void }) {
  const { t, tr } = useI18n();
  const [f, setF] = useState<{ type: CommsType; direction: Direction; subject: string; body: string; at: string }>({ type: 'call', direction: 'outbound', subject: '', body: '', at: nowLocal() });
  // Untouched, the time field means "now": the server stamps the entry to the second.
  const [atTouched, setAtTouched] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(e: FormEvent) {
    e.preventDefault();
    const at = atTouched && f.at.trim() ? parseDateTimeInput(f.at) : null;
    if (atTouched && f.at.trim() && !at) {
      setError(new Error(t.badDateTime));
      return;
    }
    setBusy(true);
    setError(null);
    setNotice(null);
    const body: NewEntry = {
      customer_id: customerId,
      type: f.type,
      direction: f.direction,
      subject: f.subject.trim() || null,
      body: f.body.trim() || null,
      occurred_at: at ? at.toISOString() : null,
    };
    try {
      await call(api.POST('/api/crm/comms', { body: asDoc<Schemas['NewEntry']>(body) }));
      setF((x) => ({ ...x, subject: '', body: '', at: nowLocal() }));
      setAtTouched(false);
      setNotice(t.logged);
      onLogged();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }

  return (
    <form className="entry-form" onSubmit={submit}>
      <div className="grid">
        <Field label={t.type}>
          <select name="type" value={f.type} onChange={(e) => { const type = e.target.value as CommsType; setF((x) => ({ ...x, type, direction: type === 'note' ? 'internal' : x.direction })); }}>
            {MANUAL_TYPES.map((x) => <option key={x} value={x}>{tr('cm_', x)}</option>)}
          </select>
        </Field>
        <Field label={t.direction}>
          <select name="direction" value={f.direction} onChange={(e) => setF((x) => ({ ...x, direction: e.target.value as Direction }))}>
            {DIRECTIONS.map((x) => <option key={x} value={x}>{tr('dir_', x)}</option>)}
          </select>
        </Field>
        <Field label={t.occurred_at}><input name="occurred_at" inputMode="numeric" placeholder={t.dateTimeHint} value={f.at} onChange={(e) => { setAtTouched(true); setF((x) => ({ ...x, at: e.target.value })); }} /></Field>
        <Field label={t.subject}><input name="subject" value={f.subject} onChange={(e) => setF((x) => ({ ...x, subject: e.target.value }))} /></Field>
        <Field label={t.body} wide><textarea name="body" value={f.body} onChange={(e) => setF((x) => ({ ...x, body: e.target.value }))} /></Field>
      </div>
      <ErrorBox error={error} />
      {notice && <Notice>{notice}</Notice>}
      <div className="actions"><button type="submit" className="primary" disabled={busy}>{t.logEntry}</button></div>
    </form>
  );
}

/** An order document to attach to an e-mail: the server renders the PDF and attaches it. */
export interface OrderDocument {
  order_id: string;
  kind: Schemas['Kind'];
}

/** The documents offered for a customer's orders: a quotation and a confirmation each, newest order first. */
export function documentChoices(orders: { id: string; order_number: string; status: string }[]): (OrderDocument & { order_number: string })[] {
  return orders
    .filter((o) => o.status !== 'cancelled')
    .flatMap((o) => (['quotation', 'confirmation'] as const).map((kind) => ({ order_id: o.id, kind, order_number: o.order_number })));
}

/** Writes an e-mail to the customer (`POST /api/crm/email/send`), optionally with order documents as PDF attachments. */
export function EmailForm({ customerId, onSent }: { customerId: string; onSent: () => void }) {
  const { t, tr } = useI18n();
  const [open, setOpen] = useState(false);
  const [f, setF] = useState({ to: '', subject: '', text: '' });
  const [docs, setDocs] = useState<string[]>([]);
  const [error, setError] = useState<unknown>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const data = useLoad(
    async (signal) => {
      if (!open) return null;
      const [c, o] = await Promise.all([
        call(api.GET('/api/crm/customers/{id}', { params: { path: { id: customerId } }, signal })),
        call(api.GET('/api/crm/orders', { params: { query: { customer_id: customerId, limit: 200 } }, signal })),
      ]);
      return { emails: c.data.contacts.filter((x) => x.type === 'email').sort((a, b) => Number(b.primary) - Number(a.primary)).map((x) => x.value), orders: o.data.orders };
    },
    [open, customerId],
  );
  useEffect(() => {
    const first = data.data?.emails[0];
    if (first) setF((x) => (x.to ? x : { ...x, to: first }));
  }, [data.data]);

  if (!open) {
    return (
      <div className="actions">
        <button type="button" onClick={() => setOpen(true)}>✉ {t.newEmail}</button>
      </div>
    );
  }
  const choices = documentChoices(data.data?.orders ?? []);
  const key = (d: OrderDocument) => `${d.order_id}:${d.kind}`;

  async function submit(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    setError(null);
    setNotice(null);
    const order_documents = choices.filter((d) => docs.includes(key(d))).map((d) => ({ order_id: d.order_id, kind: d.kind }));
    try {
      const a = await call(
        api.POST('/api/crm/email/send', {
          body: { customer_id: customerId, to: splitList(f.to), subject: f.subject.trim(), text: f.text, order_documents },
        }),
      );
      setF((x) => ({ ...x, subject: '', text: '' }));
      setDocs([]);
      setNotice(a.data.warning ? t.sentWithWarning : t.sent);
      onSent();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }

  return (
    <form className="entry-form email-form" onSubmit={submit}>
      <h2>{t.newEmail}</h2>
      <div className="grid">
        <Field label={t.emailTo} wide>
          <input name="to" list={`emails-${customerId}`} value={f.to} onChange={(e) => setF((x) => ({ ...x, to: e.target.value }))} required />
        </Field>
        <datalist id={`emails-${customerId}`}>{data.data?.emails.map((m) => <option key={m} value={m} />)}</datalist>
        <Field label={t.subject} wide><input name="subject" value={f.subject} onChange={(e) => setF((x) => ({ ...x, subject: e.target.value }))} required /></Field>
        <Field label={t.body} wide><textarea name="text" value={f.text} onChange={(e) => setF((x) => ({ ...x, text: e.target.value }))} required /></Field>
      </div>
      <fieldset className="attach-documents">
        <legend>{t.attachDocuments}</legend>
        {choices.length === 0 && <p className="muted">{data.loading ? t.loading : t.noOrderDocuments}</p>}
        {choices.map((d) => (
          <label key={key(d)}>
            <input
              type="checkbox"
              checked={docs.includes(key(d))}
              onChange={(e) => setDocs((x) => (e.target.checked ? [...x, key(d)] : x.filter((y) => y !== key(d))))}
            />{' '}
            {tr('doc_', d.kind)} {d.order_number}
          </label>
        ))}
      </fieldset>
      <ErrorBox error={error ?? data.error} />
      {notice && <Notice>{notice}</Notice>}
      <div className="actions">
        <button type="submit" className="primary" disabled={busy}>{t.send}</button>
        <button type="button" onClick={() => setOpen(false)}>{t.cancel}</button>
      </div>
    </form>
  );
}
