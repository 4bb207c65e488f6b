import { useEffect, useState } from 'react';
import { api, call, type Customer, type Entry } from '../api/client';
import { formatNumber, useI18n } from '../i18n';
import { ErrorBox, Notice, useAuth } from '../ui';
import { CallButton } from '../comms/actions';
import { EntryView } from './Comms';
import { primaryContact, useDebounced } from './Customers';

/** How many customers the picker lists; "and N more" says how many matched beyond them. */
export const PICKER_LIMIT = 20;

export function Assign({ entry, onDone }: { entry: Entry; onDone: (moved: string[]) => void }) {
  const { t } = useI18n();
  const [q, setQ] = useState('');
  const dq = useDebounced(q.trim(), 120);
  const [found, setFound] = useState<Customer[]>([]);
  const [matched, setMatched] = useState(0);
  const [addContact, setAddContact] = useState(true);
  const [all, setAll] = useState(true);
  const [error, setError] = useState<unknown>(null);
  useEffect(() => {
    if (!dq) { setFound([]); setMatched(0); return; }
    const ctl = new AbortController();
    call(api.GET('/api/crm/customers', { params: { query: { search: dq, limit: PICKER_LIMIT } }, signal: ctl.signal })).then(
      (a) => { setFound(a.data.customers); setMatched(a.data.total); },
      (e: unknown) => { if (!ctl.signal.aborted) setError(e); },
    );
    return () => ctl.abort();
  }, [dq]);

  async function assign(c: Customer) {
    setError(null);
    try {
      const a = await call(api.POST('/api/crm/inbox/{id}/assign', { params: { path: { id: entry.id } }, body: { customer_id: c.id, add_contact: addContact, all_from_sender: all } }));
      onDone(a.data.moved);
    } catch (e) {
      setError(e);
    }
  }

  return (
    <div className="assign">
      <input type="search" placeholder={`${t.assignTo}: ${t.chooseCustomer}`} aria-label={t.assignTo} value={q} onChange={(e) => setQ(e.target.value)} />
      <label><input type="checkbox" checked={addContact} onChange={(e) => setAddContact(e.target.checked)} /> {t.addContact}</label>
      <label><input type="checkbox" checked={all} onChange={(e) => setAll(e.target.checked)} /> {t.allFromSender}</label>
      {found.length > 0 && (
        <ul className="suggestions">
          {found.map((c) => {
            const details = [c.organization, c.location.city, primaryContact(c, ['phone', 'whatsapp'])].filter(Boolean).join(' · ');
            return (
              <li key={c.id}>
                <button type="button" onClick={() => void assign(c)}>
                  {t.assign} → {c.name}{details && <span className="muted"> — {details}</span>}
                </button>
              </li>
            );
          })}
          {matched > found.length && <li className="muted">{t.andMore(matched - found.length)}</li>}
        </ul>
      )}
      <ErrorBox error={error} />
    </div>
  );
}

const INBOX_CHANGED = 'crm:inbox-changed';

/**
 * How many entries wait in the inbox, for the menu: asked when the page changes (`key`), every
 * minute, and whenever the inbox page assigns some. Null until known (or when it cannot be read).
 */
export function useInboxCount(key: string): number | null {
  const [count, setCount] = useState<number | null>(null);
  const [tick, setTick] = useState(0);
  useEffect(() => {
    const bump = () => setTick((x) => x + 1);
    window.addEventListener(INBOX_CHANGED, bump);
    const h = setInterval(bump, 60_000);
    return () => {
      window.removeEventListener(INBOX_CHANGED, bump);
      clearInterval(h);
    };
  }, []);
  useEffect(() => {
    const ctl = new AbortController();
    call(api.GET('/api/crm/inbox', { params: { query: { limit: 1 } }, signal: ctl.signal })).then(
      (a) => setCount(a.data.total),
      () => { if (!ctl.signal.aborted) setCount(null); },
    );
    return () => ctl.abort();
  }, [key, tick]);
  return count;
}

export function Inbox() {
  const { t } = useI18n();
  const { canEdit } = useAuth();
  const [entries, setEntries] = useState<Entry[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [total, setTotal] = useState(0);
  const [error, setError] = useState<unknown>(null);
  const [loading, setLoading] = useState(true);
  const [notice, setNotice] = useState<string | null>(null);

  async function load(after: string | null) {
    try {
      const a = await call(api.GET('/api/crm/inbox', { params: { query: { limit: 50, ...(after ? { cursor: after } : {}) } } }));
      const list = a.data.entries as unknown as Entry[];
      setEntries((x) => (after ? [...x, ...list] : list));
      setCursor(a.data.next_cursor ?? null);
      setTotal(a.data.total);
    } catch (e) {
      setError(e);
    } finally {
      setLoading(false);
    }
  }
  useEffect(() => { void load(null); }, []);

  return (
    <section>
      <div className="toolbar">
        <h1>{t.inbox}</h1>
        <span className="muted">{formatNumber(total)}</span>
      </div>
      <ErrorBox error={error} />
      {notice && <Notice>{notice}</Notice>}
      {!loading && entries.length === 0 && <p className="muted">{t.inboxEmpty}</p>}
      <ol className="timeline">
        {entries.map((e) => (
          <li key={e.id} className="card">
            <EntryView e={e} />
            {canEdit && e.type === 'call' && e.sender && <CallButton number={e.sender} />}
            {canEdit && (
              <Assign
                entry={e}
                onDone={(moved) => {
                  setEntries((x) => x.filter((y) => !moved.includes(y.id)));
                  setTotal((n) => Math.max(0, n - moved.length));
                  setNotice(t.assigned(moved.length));
                  window.dispatchEvent(new Event(INBOX_CHANGED));
                }}
              />
            )}
          </li>
        ))}
      </ol>
      {cursor && <button type="button" onClick={() => void load(cursor)}>{t.more}</button>}
    </section>
  );
}
