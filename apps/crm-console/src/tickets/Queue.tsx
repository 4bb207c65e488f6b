// The ticket queue (`/tickets`): filters (status, assignee, priority, tag, overdue, order) and
// two views of the same page of tickets, a list and a board by status (whose cards are dragged
// between the columns to change their status); a third tab manages the macros.
import { useState } from 'react';
import { ApiError } from '../api/client';
import { errorSentence } from '../errors';
import { formatDateTime } from '../i18n';
import { usePermissions } from '../permissions';
import { Link, navigate, useLocation } from '../router';
import { ErrorBox, Notice, Pager, useLoad } from '../ui';
import { etagOf, tk } from './api';
import { Board, PriorityBadge } from './components';
import { filterQuery, isOverdue, moveRefusal, NO_FILTERS, PRIORITIES, STATUSES, type Filters, type Priority, type Status, type Ticket, type TicketList } from './logic';
import MacroManager from './Macros';
import { useTicketText, type TicketText } from './strings';

const LIMIT = 100;

export default function Queue() {
  const w = useTicketText();
  const { query, path } = useLocation();
  const { canEdit } = usePermissions();
  const v = query.get('view');
  const view = v === 'list' || v === 'macros' ? v : 'board';
  const [f, setF] = useState<Filters>(NO_FILTERS);
  const [offset, setOffset] = useState(0);
  const [tick, setTick] = useState(0);
  const [moving, setMoving] = useState(false);
  const [said, setSaid] = useState<{ ok: boolean; text: string } | null>(null);
  const qs = filterQuery(f, LIMIT, offset);
  const list = useLoad((signal) => (view === 'macros' ? Promise.resolve(null) : tk<TicketList>('GET', `/tickets?${qs}`, undefined, { signal }).then((a) => a.data)), [qs, tick, view === 'macros']);

  /** A card dropped on another column: the status change with If-Match of the card's version; the board is read again either way. */
  async function move(t: Ticket, to: Status) {
    setMoving(true);
    setSaid(null);
    try {
      await tk<Ticket>('PUT', `/tickets/${t.id}`, { status: to }, { ifMatch: etagOf(t) });
      setSaid({ ok: true, text: w.moved(t.number, w.st(to)) });
    } catch (e) {
      setSaid({ ok: false, text: refusalText(e, t, w) });
    } finally {
      setMoving(false);
      setTick((x) => x + 1);
    }
  }
  const set = (p: Partial<Filters>) => { setOffset(0); setF((x) => ({ ...x, ...p })); };
  const toggle = (s: Status) => set({ status: f.status.includes(s) ? f.status.filter((x) => x !== s) : [...f.status, s] });
  const now = new Date();
  return (
    <section data-testid="ticket-queue">
      <div className="toolbar">
        <h1>{w.queue}</h1>
        <nav className="tabs" role="tablist">
          {(['board', 'list', 'manageMacros'] as const).map((k) => {
            const v = k === 'manageMacros' ? 'macros' : k;
            return <button key={v} type="button" role="tab" data-testid={`view-${v}`} aria-selected={view === v} className={view === v ? 'active' : ''} onClick={() => navigate(`${path}?view=${v}`, true)}>{w[k]}</button>;
          })}
        </nav>
      </div>
      {view === 'macros' ? <MacroManager /> : <>
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
      {said && (said.ok ? <Notice>{said.text}</Notice> : <div className="error" role="alert" data-testid="move-refused">{said.text}</div>)}
      {list.data && view === 'board' && <Board tickets={list.data.tickets} now={now} busy={moving} {...(canEdit ? { onMove: (t: Ticket, to: Status) => void move(t, to) } : {})} />}
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
      </>}
    </section>
  );
}

/**
 * Why a move was not made, in words: the server's 409 (the ticket's status now and the moves
 * allowed from it, as the server named them), a 412 (someone else changed the card), else the
 * error's sentence.
 */
export function refusalText(e: unknown, t: Ticket, w: TicketText): string {
  if (e instanceof ApiError && e.isStale) return w.staleMove(t.number);
  const r = e instanceof ApiError && e.status === 409 ? moveRefusal(e.message) : null;
  if (r) return w.refused(t.number, w.st(r.current), w.st(r.to), r.allowed.map((s) => `«${w.st(s)}»`).join(', ') || '—');
  return `${e instanceof ApiError ? errorSentence(e, w.lang) : e instanceof Error ? e.message : ''} ${w.reloaded}`.trim();
}
