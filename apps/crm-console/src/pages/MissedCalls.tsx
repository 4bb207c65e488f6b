// Missed calls: inbound calls nobody answered, newest first, of customers and of unknown
// numbers, each with a call-back button (`GET /api/crm/comms/missed-calls`, cursor paged).
import { useEffect, useState } from 'react';
import { api, call, type Entry } from '../api/client';
import { CallButton } from '../comms/actions';
import { useCommsText } from '../comms/text';
import { formatDateTime, useI18n } from '../i18n';
import { Link } from '../router';
import { ErrorBox, useAuth } from '../ui';

export default function MissedCalls() {
  const { t } = useI18n();
  const c = useCommsText();
  const { canEdit } = useAuth();
  const [entries, setEntries] = useState<Entry[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [loading, setLoading] = useState(true);
  const [names, setNames] = useState<Record<string, string>>({});

  async function load(after: string | null) {
    try {
      const a = await call(api.GET('/api/crm/comms/missed-calls', { params: { query: { limit: 50, ...(after ? { cursor: after } : {}) } } }));
      const list = a.data.entries as unknown as Entry[];
      setEntries((x) => (after ? [...x, ...list] : list));
      setCursor(a.data.next_cursor ?? null);
    } catch (e) {
      setError(e);
    } finally {
      setLoading(false);
    }
  }
  useEffect(() => { void load(null); }, []);

  // The customers' names, read once each.
  useEffect(() => {
    const ids = [...new Set(entries.map((e) => e.customer_id).filter((x): x is string => !!x && !(x in names)))];
    if (!ids.length) return;
    const ctl = new AbortController();
    void Promise.all(
      ids.map((id) =>
        call(api.GET('/api/crm/customers/{id}', { params: { path: { id } }, signal: ctl.signal })).then(
          (a) => [id, a.data.name] as const,
          () => [id, '—'] as const,
        ),
      ),
    ).then((pairs) => { if (!ctl.signal.aborted) setNames((n) => ({ ...n, ...Object.fromEntries(pairs) })); });
    return () => ctl.abort();
  }, [entries, names]);

  return (
    <section data-testid="missed-calls">
      <div className="toolbar"><h1>{c.missedTitle}</h1></div>
      <ErrorBox error={error} />
      {!loading && entries.length === 0 && <p className="muted">{t.none}</p>}
      <table className="list">
        <thead><tr><th>{t.occurred_at}</th><th>{t.customer}</th><th>{t.phone}</th><th /></tr></thead>
        <tbody>
          {entries.map((e) => {
            const number = e.sender ?? String((e.meta as { from?: unknown; caller?: unknown } | null)?.caller ?? '');
            return (
              <tr key={e.id} data-testid="missed-call">
                <td>{formatDateTime(e.occurred_at)}</td>
                <td>{e.customer_id ? <Link to={`/customers/${e.customer_id}?tab=comms`}>{names[e.customer_id] ?? '…'}</Link> : <span className="muted">{c.unknownCaller}</span>}</td>
                <td>{number}</td>
                <td>{canEdit && number && <CallButton number={number} label={c.callBack} />}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
      {cursor && <button type="button" onClick={() => void load(cursor)}>{t.more}</button>}
    </section>
  );
}
