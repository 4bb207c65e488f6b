// The ticket queue (`/tickets`): filters (status, assignee, priority, tag, overdue, order) and
// two views of the same page of tickets, a list and a board by status.
import { useState } from 'react';
import { formatDateTime } from '../i18n';
import { Link, navigate, useLocation } from '../router';
import { ErrorBox, Pager, useLoad } from '../ui';
import { tk } from './api';
import { Board, PriorityBadge } from './components';
import { filterQuery, isOverdue, NO_FILTERS, PRIORITIES, STATUSES, type Filters, type Priority, type Status, type TicketList } from './logic';
import { useTicketText } from './strings';

const LIMIT = 100;

export default function Queue() {
  const w = useTicketText();
  const { query, path } = useLocation();
  const view = query.get('view') === 'list' ? 'list' : 'board';
  const [f, setF] = useState<Filters>(NO_FILTERS);
  const [offset, setOffset] = useState(0);
  const qs = filterQuery(f, LIMIT, offset);
  const list = useLoad((signal) => tk<TicketList>('GET', `/tickets?${qs}`, undefined, { signal }).then((a) => a.data), [qs]);
  const set = (p: Partial<Filters>) => { setOffset(0); setF((x) => ({ ...x, ...p })); };
  const toggle = (s: Status) => set({ status: f.status.includes(s) ? f.status.filter((x) => x !== s) : [...f.status, s] });
  const now = new Date();
  return (
    <section data-testid="ticket-queue">
      <div className="toolbar">
        <h1>{w.queue}</h1>
        <nav className="tabs" role="tablist">
          {(['board', 'list'] as const).map((v) => (
            <button key={v} type="button" role="tab" aria-selected={view === v} className={view === v ? 'active' : ''} onClick={() => navigate(`${path}?view=${v}`, true)}>{w[v]}</button>
          ))}
        </nav>
      </div>
      <div className="tk-filters card" role="search" aria-label={w.filters}>
        <div className="chips">
          {STATUSES.map((s) => (
            <label key={s} className={f.status.includes(s) ? 'chip on' : 'chip'}>
              <input type="checkbox" name="status" value={s} checked={f.status.includes(s)} onChange={() => toggle(s)} /> {w.st(s)}
            </label>
          ))}
        </div>
        <div className="grid">
          <label className="field"><span>{w.assignee}</span><input name="assignee" value={f.assignee} onChange={(e) => set({ assignee: e.target.value })} /></label>
          <label className="field"><span>{w.priority}</span>
            <select name="priority" value={f.priority} onChange={(e) => set({ priority: e.target.value as Priority | '' })}>
              <option value="">{w.any}</option>
              {PRIORITIES.map((p) => <option key={p} value={p}>{w.pr(p)}</option>)}
            </select>
          </label>
          <label className="field"><span>{w.tag}</span><input name="tag" value={f.tag} onChange={(e) => set({ tag: e.target.value })} /></label>
          <label className="field"><span>{w.sort}</span>
            <select name="sort" value={f.sort} onChange={(e) => set({ sort: e.target.value as Filters['sort'] })}>
              <option value="newest">{w.sortNewest}</option>
              <option value="due">{w.sortDue}</option>
            </select>
          </label>
          <label className="field check"><input type="checkbox" name="overdue" checked={f.overdue} onChange={(e) => set({ overdue: e.target.checked })} /> <span>{w.overdue}</span></label>
          <button type="button" className="align-end" onClick={() => set(NO_FILTERS)}>{w.clear}</button>
        </div>
      </div>
      <ErrorBox error={list.error} />
      {list.data && view === 'board' && <Board tickets={list.data.tickets} now={now} />}
      {list.data && view === 'list' && (
        <table className="list" data-testid="ticket-list">
          <thead><tr><th>{w.number}</th><th>{w.subject}</th><th>{w.status}</th><th>{w.priority}</th><th>{w.kind}</th><th>{w.assignee}</th><th>{w.due}</th><th>{w.updated}</th></tr></thead>
          <tbody>
            {list.data.tickets.map((t) => (
              <tr key={t.id} data-testid="ticket-row">
                <td><Link to={`/tickets/${t.id}`}>{t.number}</Link></td>
                <td>{t.subject}</td>
                <td><span className={`tk-status s-${t.status}`}>{w.st(t.status)}</span></td>
                <td><PriorityBadge p={t.priority} /></td>
                <td>{w.kd(t.kind)}</td>
                <td>{t.assignee ?? ''}</td>
                <td>{t.due_at ? formatDateTime(t.due_at) : ''}{isOverdue(t, now) && <em className="badge">{w.overdueBadge}</em>}</td>
                <td>{formatDateTime(t.updated_at)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {list.data?.tickets.length === 0 && <p className="muted">{w.none}</p>}
      {list.data && <Pager offset={offset} limit={LIMIT} total={list.data.total} onChange={setOffset} />}
    </section>
  );
}
