// Search over every customer's conversations (`GET /api/crm/comms/search`): the matched
// words highlighted, each hit linked to its customer's comms tab. The query lives in the URL
// (`?q=`), so a search can be bookmarked and the back button returns to it.
import { useEffect, useState } from 'react';
import { api, call, type Entry } from '../api/client';
import { highlight } from '../comms/logic';
import { useCommsText } from '../comms/text';
import { formatDateTime, useI18n } from '../i18n';
import { Link, navigate, useLocation } from '../router';
import { ErrorBox } from '../ui';

function Marked({ text, q }: { text: string; q: string }) {
  return <>{highlight(text, q).map((p, i) => (p.hit ? <mark key={i}>{p.text}</mark> : <span key={i}>{p.text}</span>))}</>;
}

/** A piece of a long body around its first match, so the hit shows without the whole mail. */
export function excerpt(body: string, q: string, width = 240): string {
  if (body.length <= width) return body;
  const parts = highlight(body, q);
  let at = 0;
  for (const p of parts) {
    if (p.hit) break;
    at += p.text.length;
  }
  if (at >= body.length) at = 0;
  const start = Math.max(0, at - width / 3);
  return `${start > 0 ? '…' : ''}${body.slice(start, start + width)}${start + width < body.length ? '…' : ''}`;
}

export default function Search() {
  const { t, tr } = useI18n();
  const c = useCommsText();
  const { query } = useLocation();
  const q = query.get('q') ?? '';
  const [text, setText] = useState(q);
  const [res, setRes] = useState<{ entries: Entry[]; total: number; exact: boolean } | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [names, setNames] = useState<Record<string, string>>({});

  useEffect(() => {
    if (!q.trim()) { setRes(null); return; }
    const ctl = new AbortController();
    setError(null);
    call(api.GET('/api/crm/comms/search', { params: { query: { q, limit: 100 } }, signal: ctl.signal })).then(
      (a) => setRes({ entries: a.data.entries as unknown as Entry[], total: a.data.total, exact: a.data.total_exact }),
      (e: unknown) => { if (!ctl.signal.aborted) setError(e); },
    );
    return () => ctl.abort();
  }, [q]);

  useEffect(() => {
    const ids = [...new Set((res?.entries ?? []).map((e) => e.customer_id).filter((x): x is string => !!x && !(x in names)))];
    if (!ids.length) return;
    const ctl = new AbortController();
    void Promise.all(
      ids.slice(0, 50).map((id) =>
        call(api.GET('/api/crm/customers/{id}', { params: { path: { id } }, signal: ctl.signal })).then((a) => [id, a.data.name] as const, () => [id, '—'] as const),
      ),
    ).then((pairs) => { if (!ctl.signal.aborted) setNames((n) => ({ ...n, ...Object.fromEntries(pairs) })); });
    return () => ctl.abort();
  }, [res, names]);

  return (
    <section data-testid="comms-search">
      <form className="toolbar" onSubmit={(e) => { e.preventDefault(); navigate(`/search?q=${encodeURIComponent(text.trim())}`); }}>
        <h1>{c.globalSearch}</h1>
        <input type="search" name="q" aria-label={c.globalSearch} placeholder={c.searchPlaceholder} value={text} onChange={(e) => setText(e.target.value)} autoFocus />
        <button type="submit" className="primary">{t.search}</button>
      </form>
      <ErrorBox error={error} />
      {res && <p className="muted" data-testid="search-total">{c.hits(res.total, res.exact)}</p>}
      <ol className="timeline search-hits">
        {res?.entries.map((e) => (
          <li key={e.id} className="entry" data-testid="search-hit">
            <div className="entry-head">
              <span className={`kind k-${e.type}`}>{tr('cm_', e.type)}</span>
              <span className={`dir d-${e.direction}`}>{tr('dir_', e.direction)}</span>
              {e.customer_id ? <Link to={`/customers/${e.customer_id}?tab=comms`}>{names[e.customer_id] ?? c.open}</Link> : <Link to="/inbox">{c.unassigned}</Link>}
              {e.sender && <span className="muted">{e.sender}</span>}
              <span className="muted right">{formatDateTime(e.occurred_at)}</span>
            </div>
            {e.subject && <strong className="subject"><Marked text={e.subject} q={q} /></strong>}
            {e.body && <p className="body"><Marked text={excerpt(e.body, q)} q={q} /></p>}
          </li>
        ))}
      </ol>
    </section>
  );
}
